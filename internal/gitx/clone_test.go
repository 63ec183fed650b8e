package gitx

import (
	"encoding/json"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

type eventLog struct {
	mu     sync.Mutex
	events []CloneEvent
}

func (l *eventLog) emit(e CloneEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) all() []CloneEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]CloneEvent(nil), l.events...)
}

// sourceRepo makes a repository worth cloning: enough objects that git
// reports progress.
func sourceRepo(t *testing.T) string {
	t.Helper()
	files := map[string]string{}
	for i := range 200 {
		files[filepath.Join("d", string(rune('a'+i%26)), "f"+strings.Repeat("x", i%7)+string(rune('A'+i/26))+".txt")] = lines(20+i, "content")
	}
	return newRepo(t, files)
}

func TestCloneFileURLWithProgress(t *testing.T) {
	g := New(launcher, Options{})
	src := sourceRepo(t)
	sh(t, src, "branch", "other")
	target := filepath.Join(tempDir(t), "copy")
	var log eventLog
	err := g.Clone(ctx, CloneOptions{URL: "file://" + src, Target: target, Branch: "other"}, log.emit)
	if err != nil {
		t.Fatal(err)
	}
	events := log.all()
	if events[0].Type != "started" || events[0].CloneURLForDisplay != "file://"+src {
		t.Fatalf("first event %+v", events[0])
	}
	var sawPercent bool
	for _, e := range events {
		if e.Type == "progress" && e.Percent != nil && e.Phase != "" && e.Raw != "" {
			sawPercent = true
		}
	}
	if !sawPercent {
		t.Fatalf("no progress with a percentage in %+v", events)
	}
	if b := strings.TrimSpace(sh(t, target, "rev-parse", "--abbrev-ref", "HEAD")); b != "other" {
		t.Fatalf("cloned branch %s", b)
	}
	if !exists(filepath.Join(target, "d")) {
		t.Fatal("work tree missing")
	}
	progress, _ := json.Marshal(CloneEvent{Type: "progress", Phase: "Counting objects"})
	if string(progress) != `{"type":"progress","phase":"Counting objects","percent":null,"raw":""}` {
		t.Fatalf("progress json %s", progress)
	}
}

func TestCloneFailureRemovesTarget(t *testing.T) {
	g := New(launcher, Options{})
	parent := tempDir(t)
	missing := "file://" + filepath.Join(parent, "no-such-repo")

	target := filepath.Join(parent, "fresh")
	var log eventLog
	err := g.Clone(ctx, CloneOptions{URL: missing, Target: target}, log.emit)
	wantCode(t, err, CodeFailed)
	if exists(target) {
		t.Fatal("failed clone left its target")
	}
	ev := ErrorEvent(err)
	if b, _ := json.Marshal(ev); !strings.HasPrefix(string(b), `{"type":"error","code":"git_failed","message":"`) {
		t.Fatalf("error event %s", b)
	}

	// A target that was an empty directory stays, empty.
	empty := filepath.Join(parent, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	err = g.Clone(ctx, CloneOptions{URL: missing, Target: empty}, func(CloneEvent) {})
	wantCode(t, err, CodeFailed)
	if ents, err := os.ReadDir(empty); err != nil || len(ents) != 0 {
		t.Fatalf("empty target after failure: %v %v", ents, err)
	}
}

func TestParseCloneURL(t *testing.T) {
	for raw, code := range map[string]Code{
		"http://example.com/r.git":      CodeUnsupportedProtocol,
		"ssh://git@example.com/r.git":   CodeUnsupportedProtocol,
		"git://example.com/r.git":       CodeUnsupportedProtocol,
		"git@github.com:owner/repo.git": CodeInvalidURL,
		"not a url":                     CodeInvalidURL,
		"https:///nohost":               CodeInvalidURL,
		"https://github.com/o/r.git":    "",
		"file:///srv/git/r.git":         "",
	} {
		_, err := ParseCloneURL(raw)
		if got := CodeOf(err); got != code {
			t.Errorf("%s: got %q, want %q", raw, got, code)
		}
	}
}

// gitHTTPServer serves the repositories under root with git's own smart
// HTTP backend over TLS, behind basic auth for user:pass.
func gitHTTPServer(t *testing.T, root, user, pass string) *httptest.Server {
	t.Helper()
	backend := &cgi.Handler{
		Path: "/usr/lib/git-core/git-http-backend",
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCloneHTTPSWithTokenAndInsecureTLS(t *testing.T) {
	g := New(launcher, Options{})
	src := sourceRepo(t)
	root := filepath.Dir(src)
	const token = "ghp_s3cr3t-t0ken"
	srv := gitHTTPServer(t, root, "x-access-token", token)
	url := srv.URL + "/" + filepath.Base(src)

	// Self-signed certificate: refused unless insecureTls.
	target := filepath.Join(tempDir(t), "a")
	err := g.Clone(ctx, CloneOptions{URL: url, Target: target, Token: token}, func(CloneEvent) {})
	wantCode(t, err, CodeFailed)
	if !strings.Contains(err.Error(), "certificate") || exists(target) {
		t.Fatalf("TLS failure: %v (target left: %v)", err, exists(target))
	}

	// Wrong token: classified, no token in anything we report.
	var bad eventLog
	err = g.Clone(ctx, CloneOptions{URL: url, Target: target, Token: "wrong-token", InsecureTLS: true}, bad.emit)
	wantCode(t, err, CodeAuthRequired)
	if exists(target) {
		t.Fatal("failed clone left its target")
	}

	var log eventLog
	if err := g.Clone(ctx, CloneOptions{URL: url, Target: target, Token: token, InsecureTLS: true}, log.emit); err != nil {
		t.Fatal(err)
	}
	for _, e := range append(log.all(), bad.all()...) {
		b, _ := json.Marshal(e)
		if strings.Contains(string(b), token) || strings.Contains(string(b), "wrong-token") {
			t.Fatalf("token in event %s", b)
		}
	}
	origin := strings.TrimSpace(sh(t, target, "remote", "get-url", "origin"))
	if origin != url {
		t.Fatalf("origin %q, want %q", origin, url)
	}
	cfg, err := os.ReadFile(filepath.Join(target, ".git", "config"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(cfg), token) || strings.Contains(string(cfg), "x-access-token") {
		t.Fatalf("credentials stored in .git/config:\n%s", cfg)
	}
	if v := strings.TrimSpace(sh(t, target, "config", "--local", "http."+url+".sslVerify")); v != "false" {
		t.Fatalf("insecure TLS not kept for origin: %q", v)
	}
	// The scoped exception lets later fetches through (credentials now
	// come from the user's own setup, which here is none).
	_, err = g.Fetch(ctx, target, FetchOptions{})
	wantCode(t, err, CodeAuthRequired)
}

func TestCloneCredentialsInURLAreNotStored(t *testing.T) {
	g := New(launcher, Options{})
	src := sourceRepo(t)
	srv := gitHTTPServer(t, filepath.Dir(src), "me", "pa55word")
	clean := srv.URL + "/" + filepath.Base(src)
	withCreds := strings.Replace(clean, "https://", "https://me:pa55word@", 1)
	target := filepath.Join(tempDir(t), "c")
	var log eventLog
	if err := g.Clone(ctx, CloneOptions{URL: withCreds, Target: target, InsecureTLS: true}, log.emit); err != nil {
		t.Fatal(err)
	}
	if log.all()[0].CloneURLForDisplay != clean {
		t.Fatalf("display URL %q", log.all()[0].CloneURLForDisplay)
	}
	if origin := strings.TrimSpace(sh(t, target, "remote", "get-url", "origin")); origin != clean {
		t.Fatalf("origin %q", origin)
	}
}

func TestProgressWriterSplitsFrames(t *testing.T) {
	var log eventLog
	p := &progressWriter{emit: log.emit, secrets: []string{"tok123"}}
	_, _ = p.Write([]byte("Cloning into 'x'...\nremote: Enumerating objects: 5, done.\nReceiving objects:  50% (1/2)\rReceiving obj"))
	_, _ = p.Write([]byte("ects:  50% (1/2), 1 KiB\rReceiving objects: 100% (2/2), done.\nfatal: https://u:tok123@h/ failed"))
	p.flush()
	var got []string
	for _, e := range log.all() {
		switch e.Type {
		case "progress":
			pct := "nil"
			if e.Percent != nil {
				pct = strconv.Itoa(*e.Percent)
			}
			got = append(got, "progress "+e.Phase+" "+pct)
		case "stderr":
			got = append(got, "stderr "+e.Line)
		}
	}
	want := []string{
		"stderr Cloning into 'x'...",
		"progress Enumerating objects nil",
		"progress Receiving objects 50",
		"progress Receiving objects 100", // the repeated 50% frame is dropped
		"stderr fatal: https://***@h/ failed",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("events\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
