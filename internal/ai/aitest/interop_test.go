package aitest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/ai/providers"
	"github.com/pi-forge/pi-forge/internal/testutil/picli"
)

// adapters under test, by wire API.
func adapters() *ai.Dispatcher {
	return providers.New(ai.AdapterConfig{Getenv: func(string) string { return "" }})
}

// piResult is what testdata/piref.mjs prints.
type piResult struct {
	Events  []string        `json:"events"`
	Message json.RawMessage `json:"message"`
}

// TestAdaptersMatchPiAI runs every adapter fixture through pi-ai itself
// (Node, the pinned pi package) and through our adapter, each against its
// own fake, and requires the same request body, the same event sequence and
// the same final message. It is the check that our wire formats are pi's.
func TestAdaptersMatchPiAI(t *testing.T) {
	cli := picli.Find(t)
	piAI := filepath.Join(filepath.Dir(cli.Script), "..", "..", "pi-ai", "dist", "index.js")
	harness, err := filepath.Abs("testdata/piref.mjs")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, dir := range []string{"../anthropic", "../openai", "../google"} {
		matches, _ := filepath.Glob(filepath.Join(dir, "testdata", "*.json"))
		files = append(files, matches...)
	}
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	d := adapters()
	type job struct {
		Root    string          `json:"root"`
		Fixture json.RawMessage `json:"fixture"`
	}
	var jobs []job
	var fixtures []aitest.Fixture
	var names []string
	var piServers []*aitest.Server
	for _, f := range files {
		fx := aitest.LoadFixture(t, f)
		if !d.Supports(fx.Model.API) {
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srv := aitest.NewServer(t, aitest.Script{Responses: fx.Responses})
		jobs = append(jobs, job{Root: srv.URL, Fixture: raw})
		fixtures = append(fixtures, fx)
		names = append(names, filepath.Base(f))
		piServers = append(piServers, srv)
	}
	input, err := json.Marshal(jobs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cli.Node, harness, piAI)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pi-ai harness: %v\n%s", err, stderr.String())
	}
	var results []piResult
	if err := json.Unmarshal(out, &results); err != nil || len(results) != len(jobs) {
		t.Fatalf("harness output (%d results for %d jobs, %v): %.500s", len(results), len(jobs), err, out)
	}
	for i, fx := range fixtures {
		t.Run(names[i], func(t *testing.T) {
			pi := results[i]
			piReqs := piServers[i].Requests()
			if len(piReqs) != 1 {
				t.Fatalf("pi-ai sent %d requests", len(piReqs))
			}
			req, msg, rec := fx.Run(t, d)
			sameJSON(t, "request body", piReqs[0].Body, req.Body)
			ours, err := json.Marshal(msg)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "message", stripTimestamp(pi.Message), stripTimestamp(ours))
			if got := plainSequence(rec); !reflect.DeepEqual(collapse(pi.Events), got) {
				t.Errorf("events:\npi   %v\nours %v", collapse(pi.Events), got)
			}
		})
	}
}

func stripTimestamp(raw []byte) []byte {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return raw
	}
	delete(m, "timestamp")
	out, _ := json.Marshal(m)
	return out
}

// sameJSON compares two JSON documents as values and prints both
// indented when they differ.
func sameJSON(t *testing.T, what string, want, got []byte) {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(want, &a); err != nil {
		t.Fatalf("%s from pi: %v", what, err)
	}
	if err := json.Unmarshal(got, &b); err != nil {
		t.Fatalf("%s from us: %v", what, err)
	}
	var diffs []string
	diffJSON(a, b, "$", &diffs)
	if len(diffs) > 0 {
		t.Errorf("%s differs from pi's:\n%s", what, strings.Join(diffs, "\n"))
	}
}

// diffJSON lists the paths where two decoded JSON values differ.
func diffJSON(a, b any, path string, out *[]string) {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			break
		}
		for k, x := range av {
			y, found := bv[k]
			if !found {
				*out = append(*out, fmt.Sprintf("%s.%s: pi has %s, ours lacks it", path, k, short(x)))
				continue
			}
			diffJSON(x, y, path+"."+k, out)
		}
		for k, y := range bv {
			if _, found := av[k]; !found {
				*out = append(*out, fmt.Sprintf("%s.%s: ours has %s, pi lacks it", path, k, short(y)))
			}
		}
		return
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			break
		}
		for i := range av {
			diffJSON(av[i], bv[i], fmt.Sprintf("%s[%d]", path, i), out)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		*out = append(*out, fmt.Sprintf("%s: pi %s, ours %s", path, short(a), short(b)))
	}
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// plainSequence is the recorder's sequence in the harness's notation.
func plainSequence(rec *aitest.Recorder) []string {
	var out []string
	for _, s := range rec.Sequence() {
		if strings.HasPrefix(s, "done:") || strings.HasPrefix(s, "error:") {
			s, _, _ = strings.Cut(s, ":")
		}
		out = append(out, s)
	}
	return out
}

func collapse(events []string) []string {
	var out []string
	for _, e := range events {
		if len(out) == 0 || out[len(out)-1] != e {
			out = append(out, e)
		}
	}
	return out
}
