package aitest

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

func post(t *testing.T, url, body string) (*http.Response, string, error) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, string(data), err
}

func TestServerPlaysScriptInOrderAndRecords(t *testing.T) {
	s := NewServer(t, Script{Responses: []Response{Text("first answer"), Text("second")}})
	_, body, err := post(t, s.URL+"/v1/chat/completions", `{"model":"m1"}`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, `"content":" answer"`) || !strings.HasSuffix(body, "data: [DONE]\n\n") {
		t.Errorf("unexpected stream:\n%s", body)
	}
	_, body, _ = post(t, s.URL+"/v1/messages", `{"model":"m2"}`)
	if !strings.Contains(body, "event: message_stop") || !strings.Contains(body, `"text":"second"`) {
		t.Errorf("unexpected anthropic stream:\n%s", body)
	}
	resp, body, _ := post(t, s.URL+"/v1/responses", `{}`)
	if resp.StatusCode != 500 || !strings.Contains(body, "script exhausted after 2 responses") {
		t.Errorf("exhausted script: %d %s", resp.StatusCode, body)
	}
	reqs := s.Requests()
	if len(reqs) != 3 || reqs[0].API != ai.APIOpenAICompletions || string(reqs[1].Body) != `{"model":"m2"}` || reqs[2].API != ai.APIOpenAIResponses {
		t.Errorf("recorded %+v", reqs)
	}
}

func TestServerErrorKindsPerWire(t *testing.T) {
	cases := []struct {
		path, want string
		status     int
	}{
		{"/v1/messages", `"type":"rate_limit_error"`, 429},
		{"/v1/chat/completions", `"code":"rate_limit_exceeded"`, 429},
		{"/v1/responses", `"message":"Rate limit reached for requests"`, 429},
		{"/v1beta/models/g:streamGenerateContent", `"status":"RESOURCE_EXHAUSTED"`, 429},
	}
	for _, c := range cases {
		s := NewServer(t, Script{Responses: []Response{{Error: &Error{Kind: ErrRateLimit}}}})
		resp, body, _ := post(t, s.URL+c.path, `{}`)
		if resp.StatusCode != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s", c.path, resp.StatusCode, body)
		}
	}
}

func TestServerDisconnectsMidStream(t *testing.T) {
	s := NewServer(t, Script{Responses: []Response{{Blocks: []Block{{Type: BlockText, Text: "a b c d e f"}}, DisconnectAfter: 3}}})
	_, body, err := post(t, s.URL+"/v1/chat/completions", `{}`)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want unexpected EOF", err)
	}
	if n := strings.Count(body, "data: "); n != 3 {
		t.Errorf("got %d events before the drop, want 3:\n%s", n, body)
	}
}

func TestServerEchoFallback(t *testing.T) {
	s := NewServer(t, Script{Fallback: &Canned{Mode: "echo"}})
	_, body, _ := post(t, s.URL+"/v1beta/models/g:streamGenerateContent", `{"contents":[{"role":"user","parts":[{"text":"hello there"}]}]}`)
	if !strings.Contains(body, `"text":"You"`) || !strings.Contains(body, `"text":" there"`) || !strings.Contains(body, "}\r\n\r\ndata: ") {
		t.Errorf("echo stream:\n%s", body)
	}
}

func TestParseScriptRejectsMistakes(t *testing.T) {
	bad := []string{
		`{"responses":[{"blocks":[{"type":"image"}]}]}`,
		`{"responses":[{"blocks":[{"type":"toolCall"}]}]}`,
		`{"responses":[{"blocks":[{"type":"toolCall","name":"x","arguments":[1]}]}]}`,
		`{"responses":[{"stopReason":"done"}]}`,
		`{"responses":[{"error":{"kind":"teapot"}}]}`,
		`{"responses":[{"error":{"message":"no status"}}]}`,
		`{"fallback":{"mode":"sing"}}`,
	}
	for _, b := range bad {
		if _, err := ParseScript([]byte(b)); err == nil {
			t.Errorf("ParseScript(%s) accepted", b)
		}
	}
	s, err := ParseScript([]byte(`{"responses":[{"blocks":[{"type":"text","text":"hi"},{"type":"toolCall","name":"read","arguments":{"path":"a"}}]}],"fallback":{"mode":"lorem","words":3}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Responses[0].stopReason() != "toolUse" || loremWords(3) != "Lorem ipsum dolor." {
		t.Errorf("defaults: %q %q", s.Responses[0].stopReason(), loremWords(3))
	}
}

func TestTextChunks(t *testing.T) {
	got := textChunks("Hello  wide\nworld", 0)
	want := []string{"Hello", "  wide", "\nworld"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("word chunks = %q", got)
	}
	if got := runeChunks("héllo", 2); strings.Join(got, "|") != "hé|ll|o" {
		t.Errorf("rune chunks = %q", got)
	}
}

func TestControlRoutes(t *testing.T) {
	s := NewServer(t, Script{Responses: []Response{Text("old")}})
	req, _ := http.NewRequest(http.MethodPut, s.URL+"/_aitest/script", strings.NewReader(`{"responses":[{"blocks":[{"type":"text","text":"new"}]}]}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("PUT script: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	resp, _, _ = post(t, s.URL+"/_aitest/responses", `[{"blocks":[{"type":"text","text":"appended"}]}]`)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST responses: %s", resp.Status)
	}
	_, first, _ := post(t, s.URL+"/v1/messages", `{"model":"m","messages":[]}`)
	_, second, _ := post(t, s.URL+"/v1/messages", `{}`)
	if !strings.Contains(first, `"text":"new"`) || !strings.Contains(second, `"text":"appended"`) {
		t.Errorf("streams:\n%s\n%s", first, second)
	}
	r, err := http.Get(s.URL + "/_aitest/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	data, _ := io.ReadAll(r.Body)
	if !strings.Contains(string(data), `"api":"anthropic-messages","path":"/v1/messages","body":{"model":"m","messages":[]}`) {
		t.Errorf("requests = %s", data)
	}
	if resp, _, _ := post(t, s.URL+"/_aitest/responses", `[{"blocks":[{"type":"nope"}]}]`); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad responses accepted: %s", resp.Status)
	}
}
