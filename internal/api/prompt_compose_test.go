package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/resources"
)

var tinyPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")

// forgeWithFakeLLM is the whole app (resources toolbox and prompt decoder
// included) with a fake openai-completions model as the default.
func forgeWithFakeLLM(t *testing.T, script aitest.Script) (*apitest.Env, *aitest.Server) {
	t.Helper()
	fake := aitest.NewServer(t, script)
	e := apitest.Start(t, nil)
	models, _ := json.Marshal(map[string]any{"providers": map[string]any{"fake": map[string]any{
		"baseUrl": aitest.BaseURL(fake.URL, ai.APIOpenAICompletions), "api": ai.APIOpenAICompletions, "apiKey": "k",
		"models": []map[string]any{{"id": "fake-model", "input": []string{"text", "image"}, "contextWindow": 100000}}}}})
	writeText(t, filepath.Join(e.PiConfig, "models.json"), string(models))
	writeText(t, filepath.Join(e.PiConfig, "settings.json"), `{"defaultProvider":"fake","defaultModel":"fake-model"}`)
	return e, fake
}

func multipartBody(t *testing.T, text string, files map[string][]byte, types map[string]string) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("text", text)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files"; filename=%q`, n))
		h.Set("Content-Type", types[n])
		pw, _ := w.CreatePart(h)
		_, _ = pw.Write(files[n])
	}
	_ = w.Close()
	return b.Bytes(), w.FormDataContentType()
}

// userMessage is the last user message of the LLM request, as its text
// and its image parts.
func userMessage(t *testing.T, req aitest.Request) (string, int) {
	t.Helper()
	msgs, _ := req.JSON()["messages"].([]any)
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i].(map[string]any)
		if m["role"] != "user" {
			continue
		}
		if s, ok := m["content"].(string); ok {
			return s, 0
		}
		text, images := "", 0
		for _, p := range m["content"].([]any) {
			part := p.(map[string]any)
			switch part["type"] {
			case "text":
				text += part["text"].(string)
			case "image_url":
				images++
			}
		}
		return text, images
	}
	t.Fatalf("no user message in %s", req.Body)
	return "", 0
}

func systemPrompt(req aitest.Request) string {
	msgs, _ := req.JSON()["messages"].([]any)
	for _, m := range msgs {
		mm := m.(map[string]any)
		if mm["role"] == "system" || mm["role"] == "developer" {
			s, _ := mm["content"].(string)
			return s
		}
	}
	return ""
}

func TestSessionGetsResourcesAndComposedPrompt(t *testing.T) {
	e, fake := forgeWithFakeLLM(t, aitest.Script{Responses: []aitest.Response{aitest.Text("done")}})
	mkdirs(t, e.Workspace, "demo")
	p := createProject(t, e, "Demo", filepath.Join(e.Workspace, "demo"))
	writeText(t, filepath.Join(p.Path, "main.go"), "package main\n")
	writeText(t, filepath.Join(p.Path, "AGENTS.md"), "Run go vet.\n")
	writeText(t, filepath.Join(p.Path, ".pi", "skills", "deploy", "SKILL.md"), "---\ndescription: Deploy the app\n---\nUse make deploy.")
	e.Expect(http.StatusOK, "PUT", "/api/v1/projects/"+p.ID+"/system-prompt", map[string]string{"addendum": "Answer in French."})
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/tools/builtin/grep/enabled", map[string]any{"enabled": false})

	var created struct{ SessionID string }
	e.Expect(http.StatusCreated, "POST", "/api/v1/sessions", map[string]string{"projectId": p.ID}).JSON(t, &created)
	s, err := e.App.Sessions.Get(created.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	ws := s.Workspace()
	var toolNames []string
	for _, tl := range ws.Tools {
		toolNames = append(toolNames, tl.Spec().Name)
	}
	if slices.Contains(toolNames, "grep") || !slices.Contains(toolNames, "read") {
		t.Errorf("tools %v", toolNames)
	}
	if _, ok := ws.Data.(*resources.Session); !ok {
		t.Errorf("workspace data %T", ws.Data)
	}
	for _, want := range []string{"Answer in French.", "Run go vet.", "<name>deploy</name>", "Current working directory: " + p.Path} {
		if !strings.Contains(ws.SystemPrompt, want) {
			t.Errorf("system prompt lacks %q", want)
		}
	}

	stream := e.Stream("/api/v1/sessions/" + created.SessionID + "/stream")
	defer stream.Close()
	body, ctype := multipartBody(t, "/skill:deploy check @main.go",
		map[string][]byte{"notes.txt": []byte("remember ```the fence```"), "shot.png": tinyPNG},
		map[string]string{"notes.txt": "text/plain", "shot.png": "image/png"})
	r := e.Do("POST", "/api/v1/sessions/"+created.SessionID+"/prompt", body, "Content-Type: "+ctype)
	if r.StatusCode != http.StatusAccepted {
		t.Fatalf("prompt: %d %s", r.StatusCode, r.Body)
	}
	stream.Until(t, "agent_end", 20*time.Second)
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d LLM requests", len(reqs))
	}
	text, images := userMessage(t, reqs[0])
	if images != 1 {
		t.Errorf("%d images sent", images)
	}
	for _, want := range []string{
		"```` file: notes.txt\nremember ```the fence```\n````\n\n<skill name=\"deploy\"",
		"Use make deploy.\n</skill>\n\ncheck @main.go\n```go file: main.go\npackage main\n\n```\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("user text lacks %q:\n%s", want, text)
		}
	}
	if sp := systemPrompt(reqs[0]); !strings.Contains(sp, "Answer in French.") {
		t.Errorf("system prompt sent: %q", sp)
	}
}

func TestPromptRouteRefusals(t *testing.T) {
	e, _ := forgeWithFakeLLM(t, aitest.Script{})
	mkdirs(t, e.Workspace, "demo")
	p := createProject(t, e, "Demo", filepath.Join(e.Workspace, "demo"))
	var created struct{ SessionID string }
	e.Expect(http.StatusCreated, "POST", "/api/v1/sessions", map[string]string{"projectId": p.ID}).JSON(t, &created)
	path := "/api/v1/sessions/" + created.SessionID + "/prompt"
	images := map[string][]byte{}
	types := map[string]string{}
	for i := range 5 {
		n := fmt.Sprintf("i%d.png", i)
		images[n], types[n] = tinyPNG, "image/png"
	}
	for _, c := range []struct {
		name  string
		body  any
		ctype string
		code  string
	}{
		{"empty json text", `{"text":""}`, "application/json", "invalid_body"},
		{"bad json", `{"text":`, "application/json", "invalid_body"},
		{"bad behaviour", `{"text":"x","streamingBehavior":"now"}`, "application/json", "invalid_body"},
	} {
		r := e.Do("POST", path, c.body, "Content-Type: "+c.ctype)
		if r.StatusCode != 400 || errCode(t, r) != c.code {
			t.Errorf("%s: %d %s", c.name, r.StatusCode, r.Body)
		}
	}
	for _, c := range []struct {
		name  string
		text  string
		files map[string][]byte
		types map[string]string
		code  string
	}{
		{"missing text", "", map[string][]byte{"a.txt": []byte("x")}, map[string]string{"a.txt": "text/plain"}, "missing_text"},
		{"five images", "x", images, types, "too_many_images"},
		{"binary", "x", map[string][]byte{"a.bin": []byte("\x00\x01")}, map[string]string{"a.bin": "application/octet-stream"}, "unsupported_attachment_type"},
		{"bad pdf", "x", map[string][]byte{"a.pdf": []byte("%PDF-1.4 junk")}, map[string]string{"a.pdf": "application/pdf"}, "conversion_failed"},
	} {
		body, ctype := multipartBody(t, c.text, c.files, c.types)
		r := e.Do("POST", path, body, "Content-Type: "+ctype)
		if r.StatusCode != 400 || errCode(t, r) != c.code {
			t.Errorf("%s: %d %s", c.name, r.StatusCode, r.Body)
		}
	}
}

// TestSteeringExpandsFileReferences: a steering message gets the same @file
// expansion as a prompt before it reaches the model.
func TestSteeringExpandsFileReferences(t *testing.T) {
	slow := aitest.Text(strings.Repeat("word ", 200))
	slow.DelayMS = 10
	e, fake := forgeWithFakeLLM(t, aitest.Script{Responses: []aitest.Response{slow, aitest.Text("ok")}})
	mkdirs(t, e.Workspace, "demo")
	p := createProject(t, e, "Demo", filepath.Join(e.Workspace, "demo"))
	writeText(t, filepath.Join(p.Path, "notes.md"), "steer target\n")
	var created struct{ SessionID string }
	e.Expect(http.StatusCreated, "POST", "/api/v1/sessions", map[string]string{"projectId": p.ID}).JSON(t, &created)
	base := "/api/v1/sessions/" + created.SessionID
	stream := e.Stream(base + "/stream")
	defer stream.Close()
	e.Expect(http.StatusAccepted, "POST", base+"/prompt", map[string]string{"text": "start"})
	stream.Until(t, "message_update", 20*time.Second)
	e.Expect(http.StatusAccepted, "POST", base+"/steer", map[string]string{"text": "also read @notes.md"})
	stream.Until(t, "agent_end", 20*time.Second)
	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d LLM requests, want the reply and one after the steer", len(reqs))
	}
	text, _ := userMessage(t, reqs[1])
	if !strings.Contains(text, "also read @notes.md") || !strings.Contains(text, "steer target") {
		t.Fatalf("steering message not expanded: %q", text)
	}
}
