package api_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pi-forge/pi-forge/internal/apitest"
)

type fileSearch struct {
	Engine    string
	Truncated bool
	Matches   []struct {
		Path        string
		Line        int
		Column      int
		Length      int
		LineSnippet string
	}
}

var searchFixture = map[string]string{
	"src/a.go":              "package a\n// needle here\nfunc Needle() {}\n",
	"src/ünï.txt":           "ü needle\n",
	"docs/readme.md":        "no match\n",
	"ignored/x.txt":         "needle\n",
	".gitignore":            "ignored/\n",
	".hidden/h.txt":         "needle\n",
	"node_modules/m/i.js":   "needle\n",
	"bin.dat":               "needle\x00\n",
	"many/lots-of-hits.txt": "needle needle needle needle needle\n",
}

// searchAll runs the same queries against a server and checks the
// answers; engine is what the server must report.
func searchAll(t *testing.T, e *apitest.Env, projectID, engine string) {
	t.Helper()
	get := func(kv ...string) fileSearch {
		t.Helper()
		var out fileSearch
		e.Expect(200, "GET", "/api/v1/files/search"+q(append([]string{"projectId", projectID}, kv...)...), nil).JSON(t, &out)
		if out.Engine != engine {
			t.Fatalf("engine %q, want %q", out.Engine, engine)
		}
		return out
	}
	res := get("q", "needle")
	var paths []string
	for _, m := range res.Matches {
		paths = append(paths, m.Path)
	}
	// .gitignore is honoured only inside a repository: fixture is one.
	want := []string{"many/lots-of-hits.txt", "many/lots-of-hits.txt", "many/lots-of-hits.txt", "many/lots-of-hits.txt", "many/lots-of-hits.txt", "src/a.go", "src/a.go", "src/ünï.txt"}
	if len(paths) != len(want) {
		t.Fatalf("matches %v, want %v", paths, want)
	}
	for i := range want {
		if paths[i] != want[i] {
			t.Fatalf("matches %v, want %v", paths, want)
		}
	}
	// Column counts UTF-16 units: "ü " is two.
	last := res.Matches[len(res.Matches)-1]
	if last.Line != 1 || last.Column != 3 || last.Length != 6 || last.LineSnippet != "ü needle" {
		t.Fatalf("unicode match %+v", last)
	}
	if res := get("q", "needle", "caseSensitive", "1"); len(res.Matches) != 7 {
		t.Fatalf("case-sensitive: %d matches", len(res.Matches))
	}
	if res := get("q", `Need[a-z]+\(`, "regex", "true", "caseSensitive", "true"); len(res.Matches) != 1 || res.Matches[0].Line != 3 {
		t.Fatalf("regex %+v", res.Matches)
	}
	if res := get("q", "needle", "include", "*.go"); len(res.Matches) != 2 {
		t.Fatalf("include %+v", res.Matches)
	}
	if res := get("q", "needle", "exclude", "many/**"); len(res.Matches) != 3 {
		t.Fatalf("exclude %+v", res.Matches)
	}
	withIgnored := get("q", "needle", "includeGitignored", "true")
	found := map[string]bool{}
	for _, m := range withIgnored.Matches {
		found[m.Path] = true
	}
	if !found["ignored/x.txt"] || !found[".hidden/h.txt"] || found["bin.dat"] {
		t.Fatalf("includeGitignored %v", found)
	}
	if res := get("q", "needle", "limit", "2"); len(res.Matches) != 2 || !res.Truncated {
		t.Fatalf("limit %+v", res)
	}
	expectError(t, e.Do("GET", "/api/v1/files/search"+q("projectId", projectID, "q", "(unclosed", "regex", "1"), nil), 400, "invalid_regex")
	expectError(t, e.Do("GET", "/api/v1/files/search"+q("projectId", projectID, "q", ""), nil), 400, "invalid_body")
	expectError(t, e.Do("GET", "/api/v1/files/search"+q("projectId", projectID, "q", "x", "limit", "5000"), nil), 400, "invalid_body")
	expectError(t, e.Do("GET", "/api/v1/files/search"+q("projectId", "nope", "q", "x"), nil), 404, "project_not_found")
}

func searchProject(t *testing.T, env map[string]string) (*apitest.Env, string) {
	t.Helper()
	e, p, dir := wsProject(t, env, searchFixture)
	cmd := exec.Command("git", "init", "-q", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	return e, p.ID
}

func TestFileSearchWithRipgrep(t *testing.T) {
	if _, err := exec.LookPath("rg"); err != nil {
		t.Fatal("ripgrep (rg) must be installed for this test (apt-get install ripgrep)")
	}
	e, id := searchProject(t, nil)
	searchAll(t, e, id, "ripgrep")
}

// Without rg on PATH the server falls back to its Go engine, which gives
// the same answers (reported as "node", the reference's name).
func TestFileSearchWithoutRipgrep(t *testing.T) {
	bin := t.TempDir()
	git, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(git, filepath.Join(bin, "git")); err != nil {
		t.Fatal(err)
	}
	e, id := searchProject(t, nil)
	t.Setenv("PATH", bin)
	e.Restart(nil)
	searchAll(t, e, id, "node")
}

func TestFileSearchRateLimit(t *testing.T) {
	e, p, _ := wsProject(t, map[string]string{"RATE_LIMIT_SEARCH_MAX": "3"}, map[string]string{"a.txt": "x"})
	for range 3 {
		e.Expect(200, "GET", "/api/v1/files/search"+q("projectId", p.ID, "q", "x"), nil)
	}
	if r := e.Do("GET", "/api/v1/files/search"+q("projectId", p.ID, "q", "x"), nil); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th search %d %s", r.StatusCode, r.Body)
	}
}
