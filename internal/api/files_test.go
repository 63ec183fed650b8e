package api_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/projects"
)

// wsProject starts a server with one project folder "proj" holding files
// (relative path → content) and returns the env, the project and its
// absolute path.
func wsProject(t *testing.T, env map[string]string, files map[string]string) (*apitest.Env, projects.Project, string) {
	t.Helper()
	e := apitest.Start(t, env)
	dir := filepath.Join(e.Workspace, "proj")
	writeFiles(t, dir, files)
	mkdirs(t, dir, ".")
	p := createProject(t, e, "proj", dir)
	return e, p, p.Path
}

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// q builds a query string from name/value pairs.
func q(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return "?" + v.Encode()
}

type treeNode struct {
	Name      string
	Path      string
	Type      string
	Children  []*treeNode
	Truncated bool
}

func (n *treeNode) find(path string) *treeNode {
	if n.Path == path {
		return n
	}
	for _, c := range n.Children {
		if f := c.find(path); f != nil {
			return f
		}
	}
	return nil
}

func TestFileTree(t *testing.T) {
	e, p, _ := wsProject(t, nil, map[string]string{
		"B.txt": "", "a.txt": "", "src/main.go": "", "node_modules/x/index.js": "", ".git/HEAD": "",
		"dist/out.js": "", "deep/1/2/3/f.txt": "",
	})
	mkdirs(t, p.Path, "empty")
	var tree treeNode
	e.Expect(200, "GET", "/api/v1/files/tree"+q("projectId", p.ID), nil).JSON(t, &tree)
	var names []string
	for _, c := range tree.Children {
		names = append(names, c.Name)
	}
	// Folders first, case-insensitive order; the skip list is left out.
	if want := []string{"deep", "empty", "src", "a.txt", "B.txt"}; !slices.Equal(names, want) {
		t.Fatalf("root children %v, want %v", names, want)
	}
	if n := tree.find("empty"); n == nil || n.Children == nil || len(n.Children) != 0 {
		t.Fatalf("empty folder should carry children:[]: %+v", n)
	}
	if tree.find(filepath.Join("deep", "1", "2", "3", "f.txt")) == nil {
		t.Fatal("full depth by default")
	}

	tree = treeNode{}
	e.Expect(200, "GET", "/api/v1/files/tree"+q("projectId", p.ID, "maxDepth", "1"), nil).JSON(t, &tree)
	if d := tree.find("deep"); d == nil || !d.Truncated || len(d.Children) != 0 {
		t.Fatalf("depth 1 should truncate folders: %+v", d)
	}
	// Out-of-range depths are clamped, not refused.
	e.Expect(200, "GET", "/api/v1/files/tree"+q("projectId", p.ID, "maxDepth", "1000"), nil)
	expectError(t, e.Do("GET", "/api/v1/files/tree"+q("projectId", p.ID, "maxDepth", "x"), nil), 400, "invalid_body")
	expectError(t, e.Do("GET", "/api/v1/files/tree"+q("projectId", "nope"), nil), 404, "project_not_found")
}

func TestReadWriteFiles(t *testing.T) {
	e, p, dir := wsProject(t, nil, map[string]string{"src/app.ts": "let x = 1\n", "bin.dat": "ab\x00cd"})
	var r struct {
		Path, Content, Language string
		Size                    int64
		Binary                  bool
	}
	e.Expect(200, "GET", "/api/v1/files/read"+q("projectId", p.ID, "path", filepath.Join(dir, "src/app.ts")), nil).JSON(t, &r)
	if r.Content != "let x = 1\n" || r.Language != "typescript" || r.Size != 10 || r.Binary || r.Path != filepath.Join(dir, "src/app.ts") {
		t.Fatalf("read %+v", r)
	}
	e.Expect(200, "GET", "/api/v1/files/read"+q("projectId", p.ID, "path", filepath.Join(dir, "bin.dat")), nil).JSON(t, &r)
	if !r.Binary || r.Content != "" || r.Size != 5 {
		t.Fatalf("binary read %+v", r)
	}

	// Write makes parents and replaces atomically.
	target := filepath.Join(dir, "new/deep/file.md")
	out := e.Expect(200, "PUT", "/api/v1/files/write", map[string]string{"projectId": p.ID, "path": target, "content": "# hi\n"}).Map(t)
	if out["path"] != target || readFile(t, target) != "# hi\n" {
		t.Fatalf("write %v", out)
	}
	e.Expect(200, "PUT", "/api/v1/files/write", map[string]string{"projectId": p.ID, "path": target, "content": "ünïcode ✓\n"})
	if readFile(t, target) != "ünïcode ✓\n" {
		t.Fatal("overwrite lost")
	}
	if ents, _ := os.ReadDir(filepath.Dir(target)); len(ents) != 1 {
		t.Fatalf("temp files left behind: %v", ents)
	}

	// Over 5 MiB is 413; a folder is not a file; a missing file is 404.
	big := filepath.Join(dir, "big.log")
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), 5<<20+1), 0o644); err != nil {
		t.Fatal(err)
	}
	expectError(t, e.Do("GET", "/api/v1/files/read"+q("projectId", p.ID, "path", big), nil), 413, "file_too_large")
	expectError(t, e.Do("GET", "/api/v1/files/read"+q("projectId", p.ID, "path", filepath.Join(dir, "src")), nil), 400, "not_a_file")
	expectError(t, e.Do("GET", "/api/v1/files/read"+q("projectId", p.ID, "path", filepath.Join(dir, "missing")), nil), 404, "not_found")
	expectError(t, e.Do("GET", "/api/v1/files/read"+q("projectId", p.ID), nil), 400, "invalid_body")
	expectError(t, e.Do("PUT", "/api/v1/files/write", `{"projectId":`), 400, "invalid_body")
	expectError(t, e.Do("PUT", "/api/v1/files/write", map[string]string{"projectId": "nope", "path": target, "content": ""}), 404, "project_not_found")
}

// Every route refuses paths outside the project with 403 path_not_allowed,
// never a 500: traversal, absolute paths elsewhere, symlinks out, NUL bytes.
func TestHostilePaths(t *testing.T) {
	e, p, dir := wsProject(t, nil, map[string]string{"ok.txt": "ok"})
	outside := filepath.Join(e.Home, "secret")
	writeFiles(t, outside, map[string]string{"key.txt": "top secret"})
	if err := os.Symlink(outside, filepath.Join(dir, "escape")); err != nil {
		t.Fatal(err)
	}
	hostile := map[string]string{
		"traversal":    filepath.Join(dir, "..", "..", "secret", "key.txt"),
		"dotdot":       dir + "/../proj/../../secret/key.txt",
		"absolute":     "/etc/passwd",
		"symlink":      filepath.Join(dir, "escape", "key.txt"),
		"symlink-dir":  filepath.Join(dir, "escape"),
		"nul":          filepath.Join(dir, "ok.txt\x00.png"),
		"relative-out": "../secret/key.txt",
	}
	for name, path := range hostile {
		t.Run(name, func(t *testing.T) {
			reqs := []struct {
				method, url string
				body        any
			}{
				{"GET", "/api/v1/files/read" + q("projectId", p.ID, "path", path), nil},
				{"PUT", "/api/v1/files/write", map[string]string{"projectId": p.ID, "path": path, "content": "pwned"}},
				{"POST", "/api/v1/files/mkdir", map[string]string{"projectId": p.ID, "parentPath": path, "name": "x"}},
				{"POST", "/api/v1/files/move", map[string]string{"projectId": p.ID, "src": filepath.Join(dir, "ok.txt"), "dest": path + "/moved.txt"}},
				{"GET", "/api/v1/files/download" + q("projectId", p.ID, "path", path), nil},
			}
			if name != "symlink-dir" {
				// The link itself may be renamed, moved or deleted (it lies
				// inside the project); what it points to may not.
				reqs = append(reqs,
					struct {
						method, url string
						body        any
					}{"DELETE", "/api/v1/files/delete" + q("projectId", p.ID, "path", path, "recursive", "true"), nil},
					struct {
						method, url string
						body        any
					}{"POST", "/api/v1/files/rename", map[string]string{"projectId": p.ID, "path": path, "name": "y"}},
					struct {
						method, url string
						body        any
					}{"POST", "/api/v1/files/move", map[string]string{"projectId": p.ID, "src": path, "dest": filepath.Join(dir, "moved")}},
				)
			}
			for _, r := range reqs {
				resp := e.Do(r.method, r.url, r.body)
				if resp.StatusCode != 403 || errorCode(t, resp) != "path_not_allowed" {
					t.Errorf("%s %s: %d %s", r.method, r.url, resp.StatusCode, resp.Body)
				}
			}
		})
	}
	if readFile(t, filepath.Join(outside, "key.txt")) != "top secret" || exists(filepath.Join(outside, "x")) {
		t.Fatal("something outside the project changed")
	}
	// Names are single segments.
	for _, name := range []string{"a/b", "..", ".", "a\\b", "x\x00y"} {
		expectError(t, e.Do("POST", "/api/v1/files/mkdir", map[string]string{"projectId": p.ID, "parentPath": dir, "name": name}), 400, "invalid_name")
		expectError(t, e.Do("POST", "/api/v1/files/rename", map[string]string{"projectId": p.ID, "path": filepath.Join(dir, "ok.txt"), "name": name}), 400, "invalid_name")
	}
	// The project root itself can not be deleted.
	expectError(t, e.Do("DELETE", "/api/v1/files/delete"+q("projectId", p.ID, "path", dir, "recursive", "true"), nil), 403, "path_not_allowed")
	if !exists(filepath.Join(dir, "ok.txt")) {
		t.Fatal("root content deleted")
	}
}

func TestMkdirRenameMoveDelete(t *testing.T) {
	e, p, dir := wsProject(t, nil, map[string]string{"a.txt": "a", "b.txt": "b", "sub/inner.txt": "i"})
	post := func(path string, body map[string]string) *apitest.Response {
		body["projectId"] = p.ID
		return e.Do("POST", "/api/v1/files/"+path, body)
	}
	if r := post("mkdir", map[string]string{"parentPath": dir, "name": "made"}); r.StatusCode != 200 || r.Map(t)["path"] != filepath.Join(dir, "made") {
		t.Fatalf("mkdir %d %s", r.StatusCode, r.Body)
	}
	expectError(t, post("mkdir", map[string]string{"parentPath": dir, "name": "made"}), 409, "target_exists")

	if r := post("rename", map[string]string{"path": filepath.Join(dir, "a.txt"), "name": "A.txt"}); r.StatusCode != 200 {
		t.Fatalf("case-only rename %d %s", r.StatusCode, r.Body)
	}
	if readFile(t, filepath.Join(dir, "A.txt")) != "a" {
		t.Fatal("renamed content")
	}
	expectError(t, post("rename", map[string]string{"path": filepath.Join(dir, "A.txt"), "name": "b.txt"}), 409, "target_exists")
	expectError(t, post("rename", map[string]string{"path": filepath.Join(dir, "nope"), "name": "c"}), 404, "not_found")

	if r := post("move", map[string]string{"src": filepath.Join(dir, "b.txt"), "dest": filepath.Join(dir, "made", "b.txt")}); r.StatusCode != 200 {
		t.Fatalf("move %d %s", r.StatusCode, r.Body)
	}
	if !exists(filepath.Join(dir, "made", "b.txt")) || exists(filepath.Join(dir, "b.txt")) {
		t.Fatal("move did not move")
	}
	expectError(t, post("move", map[string]string{"src": filepath.Join(dir, "sub"), "dest": filepath.Join(dir, "sub", "deeper")}), 400, "invalid_name")
	expectError(t, post("move", map[string]string{"src": filepath.Join(dir, "A.txt"), "dest": filepath.Join(dir, "made", "b.txt")}), 409, "target_exists")

	del := func(path, recursive string) *apitest.Response {
		return e.Do("DELETE", "/api/v1/files/delete"+q("projectId", p.ID, "path", path, "recursive", recursive), nil)
	}
	expectError(t, del(filepath.Join(dir, "sub"), "false"), 409, "directory_not_empty")
	if r := del(filepath.Join(dir, "sub"), "true"); r.StatusCode != 204 || exists(filepath.Join(dir, "sub")) {
		t.Fatalf("recursive delete %d %s", r.StatusCode, r.Body)
	}
	if r := del(filepath.Join(dir, "A.txt"), "false"); r.StatusCode != 204 || exists(filepath.Join(dir, "A.txt")) {
		t.Fatalf("delete file %d", r.StatusCode)
	}
	expectError(t, del(filepath.Join(dir, "A.txt"), "false"), 404, "not_found")
}

func TestDownload(t *testing.T) {
	e, p, dir := wsProject(t, nil, map[string]string{"docs/ré sumé.txt": "hello", "docs/node_modules/x.js": "skip", "top.bin": "\x00\x01\x02"})
	r := e.Expect(200, "GET", "/api/v1/files/download"+q("projectId", p.ID, "path", filepath.Join(dir, "top.bin")), nil)
	if string(r.Body) != "\x00\x01\x02" || r.Header.Get("Content-Length") != "3" || r.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("file download %q %v", r.Body, r.Header)
	}
	r = e.Expect(200, "GET", "/api/v1/files/download"+q("projectId", p.ID, "path", filepath.Join(dir, "docs", "ré sumé.txt")), nil)
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="r_ sum_.txt"`) || !strings.Contains(cd, "filename*=UTF-8''r%C3%A9%20sum%C3%A9.txt") {
		t.Fatalf("content-disposition %q", cd)
	}

	r = e.Expect(200, "GET", "/api/v1/files/download"+q("projectId", p.ID, "path", filepath.Join(dir, "docs")), nil)
	if r.Header.Get("Content-Type") != "application/gzip" || !strings.Contains(r.Header.Get("Content-Disposition"), `filename="docs.tar.gz"`) {
		t.Fatalf("folder headers %v", r.Header)
	}
	entries := untar(t, r.Body)
	if entries["docs/ré sumé.txt"] != "hello" || len(entries) != 1 {
		t.Fatalf("archive entries %v", entries)
	}
	// No path: the whole project.
	r = e.Expect(200, "GET", "/api/v1/files/download"+q("projectId", p.ID), nil)
	if entries := untar(t, r.Body); entries["proj/top.bin"] != "\x00\x01\x02" {
		t.Fatalf("project archive %v", entries)
	}
}

// untar returns the regular files of a .tar.gz by name.
func untar(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	out := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			b, _ := io.ReadAll(tr)
			out[h.Name] = string(b)
		}
	}
}

func TestComplete(t *testing.T) {
	e, p, _ := wsProject(t, nil, map[string]string{"src/main.go": "", "src/main_test.go": "", "docs/main.md": "", "node_modules/main.js": ""})
	var out struct{ Paths []string }
	e.Expect(200, "GET", "/api/v1/files/complete"+q("projectId", p.ID, "query", "main.go"), nil).JSON(t, &out)
	if len(out.Paths) == 0 || out.Paths[0] != "src/main.go" {
		t.Fatalf("completion %v", out.Paths)
	}
	e.Expect(200, "GET", "/api/v1/files/complete"+q("projectId", p.ID, "limit", "2"), nil).JSON(t, &out)
	if !slices.Equal(out.Paths, []string{"docs/", "docs/main.md"}) {
		t.Fatalf("empty query %v", out.Paths)
	}
	e.Expect(200, "GET", "/api/v1/files/complete"+q("projectId", p.ID, "query", "zzz"), nil).JSON(t, &out)
	if out.Paths == nil || len(out.Paths) != 0 {
		t.Fatalf("no match should be [] %v", out.Paths)
	}
}

// uploadPart is one part of a multipart upload body: a field (no
// filename) or a file.
type uploadPart struct {
	name, filename, value string
}

func uploadBody(t *testing.T, parts ...uploadPart) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		var err error
		if p.filename == "" {
			err = w.WriteField(p.name, p.value)
		} else {
			var fw io.Writer
			fw, err = w.CreateFormFile(p.name, p.filename)
			if err == nil {
				_, err = io.WriteString(fw, p.value)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &b, w.FormDataContentType()
}

func upload(t *testing.T, e *apitest.Env, parts ...uploadPart) *apitest.Response {
	t.Helper()
	body, ctype := uploadBody(t, parts...)
	return e.Do("POST", "/api/v1/files/upload", body.Bytes(), "Content-Type: "+ctype)
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestUpload(t *testing.T) {
	e, p, dir := wsProject(t, map[string]string{"RATE_LIMIT_UPLOAD_MAX": "1000"}, map[string]string{"exists.txt": "old"})
	id := uploadPart{name: "projectId", value: p.ID}
	parent := uploadPart{name: "parentPath", value: dir}

	// A folder upload with checksums.
	var res struct {
		Files []struct {
			Path   string
			Size   int64
			SHA256 string
		}
	}
	r := upload(t, e, id, parent,
		uploadPart{name: "path:0", value: "folder/a.txt"}, uploadPart{name: "sha256:0", value: sum("alpha")},
		uploadPart{name: "path:1", value: "folder/sub/b.bin"}, uploadPart{name: "sha256:folder/sub/b.bin", value: sum("\x00beta")},
		uploadPart{name: "file:0", filename: "a.txt", value: "alpha"},
		uploadPart{name: "file:1", filename: "b.bin", value: "\x00beta"})
	if r.StatusCode != 200 {
		t.Fatalf("folder upload %d %s", r.StatusCode, r.Body)
	}
	r.JSON(t, &res)
	if len(res.Files) != 2 || res.Files[1].Path != filepath.Join(dir, "folder/sub/b.bin") || res.Files[1].SHA256 != sum("\x00beta") || res.Files[1].Size != 5 {
		t.Fatalf("upload result %+v", res)
	}
	if readFile(t, filepath.Join(dir, "folder/sub/b.bin")) != "\x00beta" {
		t.Fatal("uploaded content")
	}

	// A checksum mismatch on the second file rolls the whole request back.
	r = upload(t, e, id, parent,
		uploadPart{name: "file:0", filename: "first.txt", value: "one"},
		uploadPart{name: "sha256:1", value: sum("something else")},
		uploadPart{name: "file:1", filename: "second.txt", value: "two"})
	expectError(t, r, 422, "checksum_mismatch")
	if exists(filepath.Join(dir, "first.txt")) || exists(filepath.Join(dir, "second.txt")) {
		t.Fatal("a failed request left files behind")
	}
	assertNoTempFiles(t, dir)

	// Existing targets need overwrite.
	expectError(t, upload(t, e, id, parent, uploadPart{name: "file", filename: "exists.txt", value: "new"}), 409, "target_exists")
	if readFile(t, filepath.Join(dir, "exists.txt")) != "old" {
		t.Fatal("overwritten without overwrite=1")
	}
	if r := upload(t, e, id, parent, uploadPart{name: "overwrite", value: "1"}, uploadPart{name: "file", filename: "exists.txt", value: "new"}); r.StatusCode != 200 {
		t.Fatalf("overwrite %d %s", r.StatusCode, r.Body)
	}
	if readFile(t, filepath.Join(dir, "exists.txt")) != "new" {
		t.Fatal("overwrite=1 did not replace")
	}

	// Hostile and malformed requests.
	expectError(t, upload(t, e, id, parent, uploadPart{name: "path:0", value: "../../escape.txt"}, uploadPart{name: "file:0", filename: "x", value: "x"}), 403, "path_not_allowed")
	outside := t.TempDir()
	expectError(t, upload(t, e, id, uploadPart{name: "parentPath", value: outside}, uploadPart{name: "file", filename: "x", value: "x"}), 403, "path_not_allowed")
	expectError(t, upload(t, e, uploadPart{name: "projectId", value: "nope"}, parent, uploadPart{name: "file", filename: "x", value: "x"}), 404, "project_not_found")
	expectError(t, upload(t, e, id, parent), 400, "no_files")
	expectError(t, e.Do("POST", "/api/v1/files/upload", `{"projectId":"x"}`), 415, "expected_multipart")
	if exists(filepath.Join(e.Workspace, "escape.txt")) || exists(filepath.Join(outside, "x")) {
		t.Fatal("hostile upload landed")
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".") && p != dir {
			t.Errorf("temp entry left: %s", p)
		}
		return nil
	})
}

func TestUploadRateLimit(t *testing.T) {
	e, p, dir := wsProject(t, map[string]string{"RATE_LIMIT_UPLOAD_MAX": "2"}, nil)
	for i := range 2 {
		r := upload(t, e, uploadPart{name: "projectId", value: p.ID}, uploadPart{name: "parentPath", value: dir},
			uploadPart{name: "file", filename: fmt.Sprintf("f%d", i), value: "x"})
		if r.StatusCode != 200 {
			t.Fatalf("upload %d: %d %s", i, r.StatusCode, r.Body)
		}
	}
	r := upload(t, e, uploadPart{name: "projectId", value: p.ID}, uploadPart{name: "parentPath", value: dir}, uploadPart{name: "file", filename: "f3", value: "x"})
	if r.StatusCode != http.StatusTooManyRequests || exists(filepath.Join(dir, "f3")) {
		t.Fatalf("third upload %d %s", r.StatusCode, r.Body)
	}
}

func TestFilesNeedAuth(t *testing.T) {
	const key = "k-0123456789abcdef"
	e := apitest.Start(t, map[string]string{"API_KEY": key})
	dir := filepath.Join(e.Workspace, "proj")
	writeFiles(t, dir, map[string]string{"a.txt": "a"})
	e.Token = key
	p := createProject(t, e, "proj", dir)
	e.Token = ""
	for _, u := range []string{
		"/api/v1/files/tree" + q("projectId", p.ID),
		"/api/v1/files/read" + q("projectId", p.ID, "path", filepath.Join(p.Path, "a.txt")),
		"/api/v1/files/search" + q("projectId", p.ID, "q", "a"),
		"/api/v1/git/status" + q("projectId", p.ID),
	} {
		expectError(t, e.Do("GET", u, nil), 401, "missing_token")
	}
	body, ctype := uploadBody(t, uploadPart{name: "projectId", value: p.ID}, uploadPart{name: "parentPath", value: p.Path},
		uploadPart{name: "file", filename: "anon.txt", value: "x"})
	expectError(t, e.Do("POST", "/api/v1/files/upload", body.Bytes(), "Content-Type: "+ctype), 401, "missing_token")
	if exists(filepath.Join(p.Path, "anon.txt")) {
		t.Fatal("anonymous upload landed")
	}
	e.Expect(200, "GET", "/api/v1/files/tree"+q("projectId", p.ID), nil, apitest.Bearer(key))
}
