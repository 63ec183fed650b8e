package api_test

import (
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/projects"
)

var update = flag.Bool("update", false, "rewrite golden files")

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func mkdirs(t *testing.T, root string, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func createProject(t *testing.T, e *apitest.Env, name, path string) projects.Project {
	t.Helper()
	var p projects.Project
	e.Expect(http.StatusCreated, "POST", "/api/v1/projects", map[string]string{"name": name, "path": path}).JSON(t, &p)
	return p
}

func listProjects(t *testing.T, e *apitest.Env) []projects.Project {
	t.Helper()
	var out struct{ Projects []projects.Project }
	e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil).JSON(t, &out)
	return out.Projects
}

func TestProjectLifecycle(t *testing.T) {
	e := apitest.Start(t, nil)
	if got := listProjects(t, e); len(got) != 0 {
		t.Fatalf("fresh list %v", got)
	}
	mkdirs(t, e.Workspace, "demo/src")
	p := createProject(t, e, "  Demo  ", filepath.Join(e.Workspace, "demo"))
	real, _ := filepath.EvalSymlinks(filepath.Join(e.Workspace, "demo"))
	if p.Name != "Demo" || p.Path != real || !uuidV4.MatchString(p.ID) ||
		!regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(p.CreatedAt) {
		t.Fatalf("created %+v", p)
	}
	var got projects.Project
	e.Expect(http.StatusOK, "GET", "/api/v1/projects/"+p.ID, nil).JSON(t, &got)
	if got != p {
		t.Fatalf("get %+v, want %+v", got, p)
	}
	e.Expect(http.StatusOK, "PATCH", "/api/v1/projects/"+p.ID, map[string]string{"name": " Renamed "}).JSON(t, &got)
	if got.Name != "Renamed" || got.Path != p.Path || got.ID != p.ID {
		t.Fatalf("renamed %+v", got)
	}

	// Delete removes the session directory, never the code.
	sessions := filepath.Join(e.Sessions, p.ID)
	mkdirs(t, sessions, "sub")
	if err := os.WriteFile(filepath.Join(sessions, "s.jsonl"), []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.Expect(http.StatusOK, "DELETE", "/api/v1/projects/"+p.ID, nil)
	if m := r.Map(t); m["cascaded"] != true {
		t.Fatalf("delete %s", r.Body)
	}
	if _, err := os.Stat(sessions); !os.IsNotExist(err) {
		t.Fatalf("session dir survived: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.Workspace, "demo", "src")); err != nil {
		t.Fatalf("project folder touched: %v", err)
	}
	expectError(t, e.Do("GET", "/api/v1/projects/"+p.ID, nil), 404, "project_not_found")
	expectError(t, e.Do("DELETE", "/api/v1/projects/"+p.ID, nil), 404, "project_not_found")
	expectError(t, e.Do("PATCH", "/api/v1/projects/"+p.ID, map[string]string{"name": "x"}), 404, "project_not_found")

	q := createProject(t, e, "again", filepath.Join(e.Workspace, "demo")) // the path is free again
	if m := e.Expect(http.StatusOK, "DELETE", "/api/v1/projects/"+q.ID, nil).Map(t); m["cascaded"] != false {
		t.Fatalf("cascaded without a session dir: %v", m)
	}
}

func TestCreateProjectBoundaries(t *testing.T) {
	e := apitest.Start(t, nil)
	outside := t.TempDir()
	mkdirs(t, e.Workspace, "ok", "inner/deep", "taken")
	mkdirs(t, outside, "secret")
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(outside, filepath.Join(e.Workspace, "escape")))
	must(os.Symlink(filepath.Join(e.Workspace, "inner"), filepath.Join(e.Workspace, "alias")))
	must(os.WriteFile(filepath.Join(e.Workspace, "file.txt"), []byte("x"), 0o644))
	createProject(t, e, "taken", filepath.Join(e.Workspace, "taken"))

	ws := e.Workspace
	cases := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"outside", map[string]string{"name": "x", "path": outside}, 403, "path_not_allowed"},
		{"dot-dot traversal", map[string]string{"name": "x", "path": ws + "/../" + filepath.Base(ws) + "/../"}, 403, "path_not_allowed"},
		{"dot-dot to a real dir outside", map[string]string{"name": "x", "path": ws + "/ok/../../.."}, 403, "path_not_allowed"},
		{"symlink out of the workspace", map[string]string{"name": "x", "path": ws + "/escape/secret"}, 403, "path_not_allowed"},
		{"the workspace root", map[string]string{"name": "x", "path": ws}, 403, "path_not_allowed"},
		{"the workspace root via ..", map[string]string{"name": "x", "path": ws + "/ok/.."}, 403, "path_not_allowed"},
		{"NUL byte", map[string]string{"name": "x", "path": ws + "/ok\x00/etc"}, 403, "path_not_allowed"},
		{"missing folder", map[string]string{"name": "x", "path": ws + "/nope"}, 400, "not_a_directory"},
		{"a file", map[string]string{"name": "x", "path": ws + "/file.txt"}, 400, "not_a_directory"},
		{"blank name", map[string]string{"name": "   ", "path": ws + "/ok"}, 400, "invalid_name"},
		{"duplicate", map[string]string{"name": "x", "path": ws + "/taken/"}, 409, "duplicate_path"},
		{"name too long", map[string]string{"name": strings.Repeat("n", 201), "path": ws + "/ok"}, 400, "invalid_body"},
		{"missing name", map[string]string{"path": ws + "/ok"}, 400, "invalid_body"},
		{"missing path", map[string]string{"name": "x"}, 400, "invalid_body"},
		{"empty path", map[string]string{"name": "x", "path": ""}, 400, "invalid_body"},
		{"malformed JSON", `{"name": "x", "path"`, 400, "invalid_body"},
		{"wrong types", `{"name": 1, "path": true}`, 400, "invalid_body"},
		{"huge body", `{"name":"x","path":"` + strings.Repeat("a", 1<<20) + `"}`, 413, "body_too_large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectError(t, e.Do("POST", "/api/v1/projects", tc.body), tc.status, tc.code)
		})
	}
	if n := len(listProjects(t, e)); n != 1 {
		t.Fatalf("%d projects after refused creates", n)
	}

	// Allowed: a relative path (against the workspace), and a symlink that
	// stays inside, stored as its realpath; the realpath is then taken.
	rel := createProject(t, e, "relative", "ok")
	if want, _ := filepath.EvalSymlinks(filepath.Join(ws, "ok")); rel.Path != want {
		t.Fatalf("relative path stored as %s", rel.Path)
	}
	viaLink := createProject(t, e, "via link", ws+"/alias/deep")
	if want, _ := filepath.EvalSymlinks(filepath.Join(ws, "inner", "deep")); viaLink.Path != want {
		t.Fatalf("symlinked path stored as %s", viaLink.Path)
	}
	expectError(t, e.Do("POST", "/api/v1/projects", map[string]string{"name": "y", "path": ws + "/inner/deep"}), 409, "duplicate_path")
}

func TestRenameValidation(t *testing.T) {
	e := apitest.Start(t, nil)
	mkdirs(t, e.Workspace, "a")
	p := createProject(t, e, "a", filepath.Join(e.Workspace, "a"))
	expectError(t, e.Do("PATCH", "/api/v1/projects/"+p.ID, map[string]string{"name": " \t "}), 400, "invalid_name")
	expectError(t, e.Do("PATCH", "/api/v1/projects/"+p.ID, map[string]string{"name": ""}), 400, "invalid_body")
	expectError(t, e.Do("PATCH", "/api/v1/projects/"+p.ID, `{}`), 400, "invalid_body")
	expectError(t, e.Do("PATCH", "/api/v1/projects/"+p.ID, map[string]string{"name": strings.Repeat("n", 201)}), 400, "invalid_body")
	if got := listProjects(t, e); got[0].Name != "a" {
		t.Fatalf("name changed by refused renames: %+v", got)
	}
}

func TestReorderAndPersistence(t *testing.T) {
	e := apitest.Start(t, nil)
	mkdirs(t, e.Workspace, "a", "b", "c")
	a := createProject(t, e, "a", filepath.Join(e.Workspace, "a"))
	b := createProject(t, e, "b", filepath.Join(e.Workspace, "b"))
	c := createProject(t, e, "c", filepath.Join(e.Workspace, "c"))
	bad := [][]string{
		{c.ID, a.ID},                // missing one
		{c.ID, a.ID, a.ID},          // duplicate
		{c.ID, a.ID, b.ID, b.ID},    // extra
		{c.ID, a.ID, "no-such-id"},  // unknown
		{c.ID, a.ID, b.ID, "extra"}, // unknown extra
	}
	for _, ids := range bad {
		expectError(t, e.Do("PUT", "/api/v1/projects/order", map[string]any{"ids": ids}), 400, "invalid_project_order")
	}
	expectError(t, e.Do("PUT", "/api/v1/projects/order", `{}`), 400, "invalid_body")
	expectError(t, e.Do("PUT", "/api/v1/projects/order", `{"ids":"a,b"}`), 400, "invalid_body")
	var out struct{ Projects []projects.Project }
	e.Expect(http.StatusOK, "PUT", "/api/v1/projects/order", map[string]any{"ids": []string{c.ID, a.ID, b.ID}}).JSON(t, &out)
	want := []projects.Project{c, a, b}
	if fmt.Sprint(out.Projects) != fmt.Sprint(want) {
		t.Fatalf("reordered %v", out.Projects)
	}
	e.Restart(nil)
	if got := listProjects(t, e); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after restart %v, want %v", got, want)
	}
}

// TestReferenceProjectsFile reads a projects.json in the reference's
// format (with malformed entries it skips), leaves it byte-for-byte alone
// until something changes, then writes it back in the same format.
func TestReferenceProjectsFile(t *testing.T) {
	e := apitest.Start(t, nil)
	mkdirs(t, e.Workspace, "api-server", "web ui")
	fixture, err := os.ReadFile("../projects/testdata/reference-projects.json")
	if err != nil {
		t.Fatal(err)
	}
	original := strings.ReplaceAll(string(fixture), "WORKSPACE", e.Workspace)
	file := filepath.Join(e.DataDir, "projects.json")
	if err := os.WriteFile(file, []byte(original), 0o644); err != nil {
		t.Fatal(err)
	}
	got := listProjects(t, e)
	if len(got) != 2 || got[0].Name != "api-server" || got[1].Name != "Web <UI> & docs" ||
		got[0].CreatedAt != "2025-11-03T09:15:42.123Z" || got[1].Path != e.Workspace+"/web ui" {
		t.Fatalf("read %+v", got)
	}
	if now, _ := os.ReadFile(file); string(now) != original {
		t.Fatal("reading rewrote projects.json")
	}
	e.Expect(http.StatusOK, "PATCH", "/api/v1/projects/"+got[0].ID, map[string]string{"name": "API server"})
	written, _ := os.ReadFile(file)
	golden := filepath.Join("..", "projects", "testdata", "after-rename.golden")
	normalized := strings.ReplaceAll(string(written), e.Workspace, "WORKSPACE")
	if *update {
		if err := os.WriteFile(golden, []byte(normalized), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if normalized != string(want) {
		t.Fatalf("written projects.json:\n%s\nwant:\n%s", normalized, want)
	}
}

func TestUnusableProjectsFilesMeanNoProjects(t *testing.T) {
	for name, content := range map[string]string{
		"not JSON": "{{{", "an object": `{"projects":[]}`, "null": "null", "empty": "",
	} {
		t.Run(name, func(t *testing.T) {
			e := apitest.Start(t, nil)
			if err := os.WriteFile(filepath.Join(e.DataDir, "projects.json"), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			if got := listProjects(t, e); len(got) != 0 {
				t.Fatalf("got %v", got)
			}
		})
	}
}

func TestConcurrentCreatesAllLand(t *testing.T) {
	e := apitest.Start(t, nil)
	const n = 20
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		dir := fmt.Sprintf("p%02d", i)
		mkdirs(t, e.Workspace, dir)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.Do("POST", "/api/v1/projects", map[string]string{"name": dir, "path": filepath.Join(e.Workspace, dir)})
			if r.StatusCode != http.StatusCreated {
				t.Errorf("create %s: %d %s", dir, r.StatusCode, r.Body)
			}
		}()
	}
	wg.Wait()
	if got := listProjects(t, e); len(got) != n {
		t.Fatalf("%d projects, want %d", len(got), n)
	}
	e.Restart(nil)
	if got := listProjects(t, e); len(got) != n {
		t.Fatalf("%d projects on disk, want %d", len(got), n)
	}
}

func TestBrowse(t *testing.T) {
	e := apitest.Start(t, nil)
	outside := t.TempDir()
	mkdirs(t, e.Workspace, "zeta", "alpha/.git", "alpha/child", ".hidden", "Beta")
	mkdirs(t, outside, "private")
	if err := os.WriteFile(filepath.Join(e.Workspace, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(e.Workspace, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(e.Workspace, "zeta"), filepath.Join(e.Workspace, "zlink")); err != nil {
		t.Fatal(err)
	}
	var root projects.Listing
	e.Expect(http.StatusOK, "GET", "/api/v1/projects/browse", nil).JSON(t, &root)
	var names []string
	for _, en := range root.Entries {
		names = append(names, fmt.Sprintf("%s:%v", en.Name, en.IsGitRepo))
		if en.Path != filepath.Join(e.Workspace, en.Name) {
			t.Errorf("entry path %s", en.Path)
		}
	}
	if root.Path != e.Workspace || root.ParentPath != nil || strings.Join(names, " ") != "Beta:false alpha:true zeta:false zlink:false" {
		t.Fatalf("root listing %+v (%v)", root, names)
	}
	var sub projects.Listing
	e.Expect(http.StatusOK, "GET", "/api/v1/projects/browse?path="+url.QueryEscape(filepath.Join(e.Workspace, "alpha")), nil).JSON(t, &sub)
	if sub.ParentPath == nil || *sub.ParentPath != e.Workspace || len(sub.Entries) != 1 || sub.Entries[0].Name != "child" {
		t.Fatalf("sub listing %+v", sub)
	}
	for path, want := range map[string]string{
		outside:                         "403 path_not_allowed",
		e.Workspace + "/..":             "403 path_not_allowed",
		e.Workspace + "/alpha/../../":   "403 path_not_allowed",
		e.Workspace + "/escape":         "403 path_not_allowed",
		e.Workspace + "/escape/private": "403 path_not_allowed",
		e.Workspace + "/alpha\x00":      "403 path_not_allowed",
		e.Workspace + "/notes.txt":      "400 not_a_directory",
		e.Workspace + "/missing":        "400 not_a_directory",
	} {
		r := e.Do("GET", "/api/v1/projects/browse?path="+url.QueryEscape(path), nil)
		if got := fmt.Sprintf("%d %s", r.StatusCode, errorCode(t, r)); got != want {
			t.Errorf("browse %q: %s, want %s", path, got, want)
		}
	}
}

func TestMkdir(t *testing.T) {
	e := apitest.Start(t, nil)
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(e.Workspace, "escape")); err != nil {
		t.Fatal(err)
	}
	r := e.Expect(http.StatusCreated, "POST", "/api/v1/projects/browse/mkdir", map[string]string{"parentPath": e.Workspace, "name": "new project"})
	if m := r.Map(t); m["path"] != filepath.Join(e.Workspace, "new project") {
		t.Fatalf("mkdir %s", r.Body)
	}
	if fi, err := os.Stat(filepath.Join(e.Workspace, "new project")); err != nil || !fi.IsDir() {
		t.Fatalf("not created: %v", err)
	}
	ws := e.Workspace
	cases := []struct {
		parent, name string
		status       int
		code         string
	}{
		{ws, "new project", 409, "already_exists"},
		{ws, "a/b", 400, "invalid_directory_name"},
		{ws, `a\b`, 400, "invalid_directory_name"},
		{ws, "..", 400, "invalid_directory_name"},
		{ws, ".", 400, "invalid_directory_name"},
		{ws, "nul\x00", 400, "invalid_directory_name"},
		{ws, "", 400, "invalid_body"},
		{ws, strings.Repeat("n", 101), 400, "invalid_body"},
		{outside, "x", 403, "path_not_allowed"},
		{ws + "/..", "x", 403, "path_not_allowed"},
		{ws + "/escape", "x", 403, "path_not_allowed"},
		{ws + "/missing", "x", 400, "not_a_directory"},
	}
	for _, tc := range cases {
		expectError(t, e.Do("POST", "/api/v1/projects/browse/mkdir", map[string]string{"parentPath": tc.parent, "name": tc.name}), tc.status, tc.code)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Fatalf("created outside the workspace: %v", entries)
	}
	// The default parent is the workspace.
	e.Expect(http.StatusCreated, "POST", "/api/v1/projects/browse/mkdir", map[string]string{"parentPath": "", "name": "second"})
	if _, err := os.Stat(filepath.Join(ws, "second")); err != nil {
		t.Fatal(err)
	}
}
