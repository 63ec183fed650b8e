package api_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/apitest"
)

// bkEntry is one entry of a test archive; typ 0 is a regular file.
type bkEntry struct {
	name, body, link string
	typ              byte
	mode             int64
}

func bkTarGz(t *testing.T, entries ...bkEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, en := range entries {
		hdr := &tar.Header{Name: en.name, Typeflag: en.typ, Linkname: en.link, Mode: en.mode}
		if hdr.Typeflag == 0 {
			hdr.Typeflag = tar.TypeReg
		}
		if hdr.Mode == 0 {
			hdr.Mode = 0o644
		}
		if hdr.Typeflag == tar.TypeReg {
			hdr.Size = int64(len(en.body))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, en.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bkReadTarGz lists an archive's entries in order.
func bkReadTarGz(t *testing.T, data []byte) []bkEntry {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var out []bkEntry
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		out = append(out, bkEntry{name: hdr.Name, body: string(body), typ: hdr.Typeflag, mode: hdr.Mode})
	}
}

// bkPart is one multipart part; a part without filename is a field.
type bkPart struct {
	filename string
	data     []byte
}

func bkPost(t *testing.T, e *apitest.Env, path string, parts ...bkPart) *apitest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.filename == "" {
			w, err = mw.CreateFormField("note")
		} else {
			w, err = mw.CreateFormFile("file", p.filename)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(p.data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return e.Do("POST", path, buf.Bytes(), "Content-Type: "+mw.FormDataContentType())
}

func bkWrite(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

func bkRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func bkSameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return string(xs) == string(ys)
}

type bkConfigResult struct {
	Imported []string `json:"imported"`
	Skipped  []string `json:"skipped"`
	Errors   []struct {
		File   string `json:"file"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

func TestConfigExportImportRoundTrip(t *testing.T) {
	env := map[string]string{"API_KEY": "backup-test-api-key"}
	src := apitest.Start(t, env)
	src.Token = env["API_KEY"]
	files := map[string]string{
		filepath.Join(src.PiConfig, "settings.json"):     `{"defaultProvider":"anthropic","custom":{"x":[1,2]}}`,
		filepath.Join(src.PiConfig, "models.json"):       `{"providers":{"fake":{"baseUrl":"http://h/v1","api":"openai-completions","apiKey":"sk-model-key","models":[{"id":"m"}]}}}`,
		filepath.Join(src.DataDir, "mcp.json"):           `{"servers":{"docs":{"url":"http://mcp"}}}`,
		filepath.Join(src.DataDir, "theme.json"):         `{"enabled":false}` + "\n",
		filepath.Join(src.DataDir, "quick-actions.json"): `[{"id":"a","name":"Hi","kind":"prompt","prompt":"hi"}]` + "\n",
		// Never exported:
		filepath.Join(src.PiConfig, "auth.json"):      `{"anthropic":{"type":"api_key","key":"sk-auth-never-exported"}}`,
		filepath.Join(src.DataDir, "projects.json"):   `[]`,
		filepath.Join(src.DataDir, "jwt-secret"):      "jwt-never-exported",
		filepath.Join(src.DataDir, "password-hash"):   "hash-never-exported",
		filepath.Join(src.DataDir, "webhooks.json"):   `[]`,
		filepath.Join(src.PiConfig, "skills", "x.md"): "skill",
	}
	for p, c := range files {
		bkWrite(t, p, c, 0o600)
	}
	r := src.Expect(http.StatusOK, "GET", "/api/v1/config/export", nil)
	if ct := r.Header.Get("Content-Type"); ct != "application/gzip" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="?pi-forge-config-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.tar\.gz"?$`).MatchString(cd) {
		t.Errorf("Content-Disposition %q", cd)
	}
	wantNames := []string{"mcp.json", "settings.json", "models.json", "theme.json", "quick-actions.json"}
	if got := r.Header.Get("X-Pi-Forge-Files"); got != strings.Join(wantNames, ",") {
		t.Errorf("X-Pi-Forge-Files %q", got)
	}
	var names []string
	for _, en := range bkReadTarGz(t, r.Body) {
		names = append(names, en.name)
		if en.typ != tar.TypeReg {
			t.Errorf("%s: type %c", en.name, en.typ)
		}
		dir := src.DataDir
		if en.name == "settings.json" || en.name == "models.json" {
			dir = src.PiConfig
		}
		if want := files[filepath.Join(dir, en.name)]; en.body != want {
			t.Errorf("%s: %q, want %q", en.name, en.body, want)
		}
	}
	if !slices.Equal(names, wantNames) {
		t.Errorf("archive holds %v", names)
	}
	for _, never := range []string{"sk-auth-never-exported", "jwt-never-exported", "hash-never-exported"} {
		if bytes.Contains(r.Body, []byte(never)) { // gzip of short text may keep it readable; check decoded too
			t.Errorf("archive holds %s", never)
		}
	}

	dst := apitest.Start(t, env)
	dst.Token = env["API_KEY"]
	bkWrite(t, filepath.Join(dst.PiConfig, "settings.json"), `{"old":true}`, 0o644)
	var res bkConfigResult
	bkPost(t, dst, "/api/v1/config/import", bkPart{filename: "backup.tar.gz", data: r.Body}).JSON(t, &res)
	if !slices.Equal(res.Imported, wantNames) || len(res.Skipped) != 0 || len(res.Errors) != 0 {
		t.Fatalf("import: %+v", res)
	}
	for _, name := range wantNames {
		dir, srcDir := dst.DataDir, src.DataDir
		if name == "settings.json" || name == "models.json" {
			dir, srcDir = dst.PiConfig, src.PiConfig
		}
		got, want := bkRead(t, filepath.Join(dir, name)), files[filepath.Join(srcDir, name)]
		if !bkSameJSON(t, got, want) {
			t.Errorf("%s restored as %s, want %s", name, got, want)
		}
		fi, _ := os.Stat(filepath.Join(dir, name))
		if name != "settings.json" && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", name, fi.Mode())
		}
	}
	if _, err := os.Stat(filepath.Join(dst.PiConfig, "auth.json")); err == nil {
		t.Error("auth.json appeared on the target")
	}
	// The restored files are what the routes serve.
	if got := dst.Expect(http.StatusOK, "GET", "/api/v1/config/settings", nil).Body; !bkSameJSON(t, string(got), files[filepath.Join(src.PiConfig, "settings.json")]) {
		t.Errorf("settings after import: %s", got)
	}
	if got := dst.Expect(http.StatusOK, "GET", "/api/v1/config/models", nil).Body; !bytes.Contains(got, []byte("***REDACTED***")) || bytes.Contains(got, []byte("sk-model-key")) {
		t.Errorf("models after import: %s", got)
	}
	if got := cfgListProviders(t, dst); got["fake"] != 3 {
		t.Errorf("imported provider not listed with its key: %v", got)
	}
}

func TestConfigExportOfNothingIsAnEmptyArchive(t *testing.T) {
	e := apitest.Start(t, nil)
	r := e.Expect(http.StatusOK, "GET", "/api/v1/config/export", nil)
	if len(bkReadTarGz(t, r.Body)) != 0 || r.Header.Get("X-Pi-Forge-Files") != "" {
		t.Errorf("empty export: %q", r.Header.Get("X-Pi-Forge-Files"))
	}
}

func TestConfigImportRefusesBadUploads(t *testing.T) {
	e := apitest.Start(t, nil)
	theme := bkEntry{name: "theme.json", body: `{"enabled":true}`}
	big := make([]byte, 5<<20+1)
	_, _ = rand.Read(big)

	expectError(t, e.Do("POST", "/api/v1/config/import", `{"file":"x"}`), http.StatusBadRequest, "invalid_multipart")
	expectError(t, bkPost(t, e, "/api/v1/config/import", bkPart{data: []byte("just a field")}), http.StatusBadRequest, "no_file")
	expectError(t, bkPost(t, e, "/api/v1/config/import"), http.StatusBadRequest, "no_file")
	truncated := "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.tar.gz\"\r\n\r\nabc"
	expectError(t, e.Do("POST", "/api/v1/config/import", truncated, "Content-Type: multipart/form-data; boundary=b"), http.StatusBadRequest, "invalid_multipart")
	expectError(t, bkPost(t, e, "/api/v1/config/import", bkPart{filename: "x.tar.gz", data: []byte("not gzip at all")}), http.StatusBadRequest, "invalid_archive")
	var gzNotTar bytes.Buffer
	gw := gzip.NewWriter(&gzNotTar)
	_, _ = gw.Write([]byte("hello, not a tar"))
	_ = gw.Close()
	expectError(t, bkPost(t, e, "/api/v1/config/import", bkPart{filename: "x.tar.gz", data: gzNotTar.Bytes()}), http.StatusBadRequest, "invalid_archive")
	good := bkTarGz(t, theme)
	expectError(t, bkPost(t, e, "/api/v1/config/import", bkPart{filename: "x.tar.gz", data: good[:len(good)-10]}), http.StatusBadRequest, "invalid_archive")
	expectError(t, bkPost(t, e, "/api/v1/config/import", bkPart{filename: "x.tar.gz", data: big}), http.StatusRequestEntityTooLarge, "file_too_large")
	// A valid archive followed by junk up to over the limit is still too large.
	expectError(t, bkPost(t, e, "/api/v1/config/import", bkPart{filename: "x.tar.gz", data: append(good, big...)}), http.StatusRequestEntityTooLarge, "file_too_large")
	if _, err := os.Stat(filepath.Join(e.DataDir, "theme.json")); err == nil {
		t.Error("a refused upload wrote theme.json")
	}
}

func TestConfigImportSkipsUnsafeAndUnknownEntries(t *testing.T) {
	e := apitest.Start(t, nil)
	outside := filepath.Join(e.Home, "escaped.json")
	var res bkConfigResult
	bkPost(t, e, "/api/v1/config/import", bkPart{filename: "x.tgz", data: bkTarGz(t,
		bkEntry{name: "./", typ: tar.TypeDir, mode: 0o755},
		bkEntry{name: "../escaped.json", body: `{}`},
		bkEntry{name: "../../escaped.json", body: `{}`},
		bkEntry{name: "/tmp/abs.json", body: `{}`},
		bkEntry{name: "sub/mcp.json", body: `{}`},
		bkEntry{name: `..\mcp.json`, body: `{}`},
		bkEntry{name: ".mcp.json", body: `{}`},
		bkEntry{name: "auth.json", body: `{"x":{"type":"api_key","key":"planted"}}`},
		bkEntry{name: "projects.json", body: `[]`},
		bkEntry{name: "password-hash", body: `x`},
		bkEntry{name: "mcp.json", typ: tar.TypeSymlink, link: "/etc/passwd"},
		bkEntry{name: "tool-overrides.json", typ: tar.TypeLink, link: "theme.json"},
		bkEntry{name: "skills-overrides.json", typ: tar.TypeDir, mode: 0o755},
		bkEntry{name: "./theme.json", body: `{"enabled":true}`},
	)}).JSON(t, &res)
	if !slices.Equal(res.Imported, []string{"theme.json"}) || len(res.Errors) != 0 {
		t.Fatalf("import: %+v", res)
	}
	wantSkipped := []string{"../escaped.json", "../../escaped.json", "/tmp/abs.json", "sub/mcp.json", `..\mcp.json`, ".mcp.json",
		"auth.json", "projects.json", "password-hash", "mcp.json", "tool-overrides.json", "skills-overrides.json"}
	if !slices.Equal(res.Skipped, wantSkipped) {
		t.Errorf("skipped:\n got %q\nwant %q", res.Skipped, wantSkipped)
	}
	for _, p := range []string{outside, filepath.Join(e.PiConfig, "auth.json"), filepath.Join(e.DataDir, "mcp.json"),
		filepath.Join(e.DataDir, "password-hash"), filepath.Join(e.DataDir, "tool-overrides.json"), filepath.Join(e.DataDir, "skills-overrides.json")} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
	if got := bkRead(t, filepath.Join(e.DataDir, "theme.json")); !bkSameJSON(t, got, `{"enabled":true}`) {
		t.Errorf("theme.json: %s", got)
	}
}

func TestConfigImportIsAllOrNothing(t *testing.T) {
	e := apitest.Start(t, nil)
	bkWrite(t, filepath.Join(e.PiConfig, "models.json"),
		`{"providers":{"fake":{"baseUrl":"http://h","api":"openai-completions","apiKey":"sk-stored","models":[{"id":"m"}]}}}`, 0o600)
	theme := bkEntry{name: "theme.json", body: `{"enabled":true}`}
	cases := []struct{ name, file, body, reason string }{
		{"settings not JSON", "settings.json", `{"a":`, "not valid JSON"},
		{"settings an array", "settings.json", `[1]`, "object"},
		{"mcp a string", "mcp.json", `"x"`, "object"},
		{"quick actions an object", "quick-actions.json", `{}`, "array"},
		{"models without providers", "models.json", `{"x":1}`, "providers"},
		{"models pi refuses", "models.json", `{"providers":{"x":{"api":"openai-completions","apiKey":"k","models":[{"id":"m"}]}}}`, "baseUrl"},
		{"models with a key nobody stored", "models.json", `{"providers":{"other":{"baseUrl":"http://h","api":"openai-completions","apiKey":"***REDACTED***","models":[{"id":"m"}]}}}`, "redacted"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var res bkConfigResult
			r := bkPost(t, e, "/api/v1/config/import", bkPart{filename: "x.tar.gz", data: bkTarGz(t, theme, bkEntry{name: c.file, body: c.body})})
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%d %s", r.StatusCode, r.Body)
			}
			r.JSON(t, &res)
			if len(res.Imported) != 0 || len(res.Errors) != 1 || res.Errors[0].File != c.file || !strings.Contains(res.Errors[0].Reason, c.reason) {
				t.Errorf("%s", r.Body)
			}
			if _, err := os.Stat(filepath.Join(e.DataDir, "theme.json")); err == nil {
				t.Error("theme.json written although another file failed")
			}
		})
	}
	// A redacted key is fine where a key is stored: the import keeps it.
	var res bkConfigResult
	bkPost(t, e, "/api/v1/config/import", bkPart{filename: "x.tar.gz", data: bkTarGz(t, theme, bkEntry{name: "models.json",
		body: `{"providers":{"fake":{"baseUrl":"http://h2","api":"openai-completions","apiKey":"***REDACTED***","models":[{"id":"m"}]}}}`})}).JSON(t, &res)
	if len(res.Errors) != 0 || !slices.Equal(res.Imported, []string{"models.json", "theme.json"}) {
		t.Fatalf("%+v", res)
	}
	if got := bkRead(t, filepath.Join(e.PiConfig, "models.json")); !strings.Contains(got, "sk-stored") || !strings.Contains(got, "http://h2") {
		t.Errorf("models.json: %s", got)
	}
}

func TestConfigImportRepairsCorruptSettings(t *testing.T) {
	e := apitest.Start(t, nil)
	bkWrite(t, filepath.Join(e.PiConfig, "settings.json"), `{"broken":`, 0o640)
	var res bkConfigResult
	bkPost(t, e, "/api/v1/config/import", bkPart{filename: "x.tar.gz", data: bkTarGz(t,
		bkEntry{name: "settings.json", body: `{"defaultModel":"m"}`})}).JSON(t, &res)
	if !slices.Equal(res.Imported, []string{"settings.json"}) {
		t.Fatalf("%+v", res)
	}
	if got := e.Expect(http.StatusOK, "GET", "/api/v1/config/settings", nil).Body; !bkSameJSON(t, string(got), `{"defaultModel":"m"}`) {
		t.Errorf("settings: %s", got)
	}
}

type bkSkillsResult struct {
	Imported []string `json:"imported"`
	Skipped  []struct {
		Name   string `json:"name"`
		Reason string `json:"reason"`
	} `json:"skipped"`
}

func (r bkSkillsResult) skippedNames() []string {
	var out []string
	for _, s := range r.Skipped {
		out = append(out, s.Name)
	}
	return out
}

// bkTree lists every path below root with a type mark ("/" folder,
// "@" symlink), so tests see exactly what an import left behind.
func bkTree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			rel += "@"
		case d.IsDir():
			rel += "/"
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

func TestSkillsExportImportRoundTrip(t *testing.T) {
	src := apitest.Start(t, nil)
	skills := filepath.Join(src.PiConfig, "skills")
	expectError(t, src.Do("GET", "/api/v1/config/skills/export", nil), http.StatusConflict, "skills_directory_empty")
	if err := os.MkdirAll(filepath.Join(skills, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	expectError(t, src.Do("GET", "/api/v1/config/skills/export", nil), http.StatusConflict, "skills_directory_empty")
	bkWrite(t, filepath.Join(skills, "review", "SKILL.md"), "---\nname: review\n---\nReview.", 0o644)
	bkWrite(t, filepath.Join(skills, "review", "scripts", "run.sh"), "#!/bin/sh\necho hi\n", 0o755)
	bkWrite(t, filepath.Join(skills, "top.md"), "top skill", 0o644)
	bkWrite(t, filepath.Join(src.Home, "secret.txt"), "outside secret", 0o600)
	if err := os.Symlink(filepath.Join(src.Home, "secret.txt"), filepath.Join(skills, "link.md")); err != nil {
		t.Fatal(err)
	}
	r := src.Expect(http.StatusOK, "GET", "/api/v1/config/skills/export", nil)
	if got := r.Header.Get("X-Pi-Forge-File-Count"); got != "3" {
		t.Errorf("X-Pi-Forge-File-Count %q", got)
	}
	if cd := r.Header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="?pi-forge-skills-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.tar\.gz"?$`).MatchString(cd) {
		t.Errorf("Content-Disposition %q", cd)
	}
	var names []string
	for _, en := range bkReadTarGz(t, r.Body) {
		names = append(names, en.name)
		if strings.Contains(en.body, "outside secret") {
			t.Error("the export followed a symlink out of the skills folder")
		}
	}
	want := []string{"empty/", "review/", "review/SKILL.md", "review/scripts/", "review/scripts/run.sh", "top.md"}
	if !slices.Equal(names, want) {
		t.Errorf("archive: %v", names)
	}

	dst := apitest.Start(t, nil)
	bkWrite(t, filepath.Join(dst.PiConfig, "skills", "top.md"), "old content", 0o644)
	var res bkSkillsResult
	bkPost(t, dst, "/api/v1/config/skills/import", bkPart{filename: "pi-forge-skills.tar.gz", data: r.Body}).JSON(t, &res)
	if !slices.Equal(res.Imported, []string{"review/SKILL.md", "review/scripts/run.sh", "top.md"}) || len(res.Skipped) != 0 {
		t.Fatalf("import: %+v", res)
	}
	dstSkills := filepath.Join(dst.PiConfig, "skills")
	if got := bkTree(t, dstSkills); !slices.Equal(got, want) {
		t.Errorf("imported tree: %v", got)
	}
	if bkRead(t, filepath.Join(dstSkills, "top.md")) != "top skill" {
		t.Error("an existing file was not overwritten")
	}
	if fi, _ := os.Stat(filepath.Join(dstSkills, "review", "scripts", "run.sh")); fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("run.sh lost its execute bit: %v", fi.Mode())
	}
}

func TestSkillsFolderUpload(t *testing.T) {
	e := apitest.Start(t, nil)
	var res bkSkillsResult
	bkPost(t, e, "/api/v1/config/skills/import",
		bkPart{data: []byte("a form field")},
		bkPart{filename: "my-skill/SKILL.md", data: []byte("first")},
		bkPart{filename: "my-skill/ref/notes.md", data: []byte("notes")},
		bkPart{filename: "my-skill/SKILL.md", data: []byte("second")},
		bkPart{filename: "my-skill/assets/data.tgz", data: []byte("not an archive, just a file")},
		bkPart{filename: "../escape.md", data: []byte("x")},
		bkPart{filename: "/abs/escape.md", data: []byte("x")},
		bkPart{filename: `my-skill\..\..\escape.md`, data: []byte("x")},
	).JSON(t, &res)
	if !slices.Equal(res.Imported, []string{"my-skill/SKILL.md", "my-skill/ref/notes.md", "my-skill/assets/data.tgz"}) {
		t.Errorf("imported %v", res.Imported)
	}
	if got := res.skippedNames(); !slices.Equal(got, []string{"../escape.md", "/abs/escape.md", `my-skill\..\..\escape.md`}) {
		t.Errorf("skipped %v", got)
	}
	skills := filepath.Join(e.PiConfig, "skills")
	if got := bkRead(t, filepath.Join(skills, "my-skill", "SKILL.md")); got != "second" {
		t.Errorf("SKILL.md = %q, want the later part", got)
	}
	want := []string{"my-skill/", "my-skill/SKILL.md", "my-skill/assets/", "my-skill/assets/data.tgz", "my-skill/ref/", "my-skill/ref/notes.md"}
	if got := bkTree(t, skills); !slices.Equal(got, want) {
		t.Errorf("tree: %v", got)
	}
	if got := bkTree(t, e.PiConfig); slices.Contains(got, "escape.md") {
		t.Errorf("escaped: %v", got)
	}
}

func TestSkillsImportRefusesTraversalAndSymlinks(t *testing.T) {
	e := apitest.Start(t, nil)
	skills := filepath.Join(e.PiConfig, "skills")
	outsideDir := filepath.Join(e.Home, "outside")
	if err := os.MkdirAll(outsideDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(skills, 0o755); err != nil {
		t.Fatal(err)
	}
	// A symlink already in the folder must not carry writes out of it.
	if err := os.Symlink(outsideDir, filepath.Join(skills, "out")); err != nil {
		t.Fatal(err)
	}
	var res bkSkillsResult
	bkPost(t, e, "/api/v1/config/skills/import", bkPart{filename: "x.tgz", data: bkTarGz(t,
		bkEntry{name: "../evil.md", body: "x"},
		bkEntry{name: "/abs.md", body: "x"},
		bkEntry{name: "ok/../../evil2.md", body: "x"},
		bkEntry{name: "ok/link", typ: tar.TypeSymlink, link: "/etc"},
		bkEntry{name: "ok/hard", typ: tar.TypeLink, link: "../../etc/passwd"},
		bkEntry{name: "ok/fifo", typ: tar.TypeFifo},
		bkEntry{name: "out/evil3.md", body: "x"},
		bkEntry{name: "out", typ: tar.TypeDir, mode: 0o755},
		bkEntry{name: "ok/SKILL.md", body: "fine"},
		bkEntry{name: "ok/SKILL.md/inner.md", body: "a file is in the way"},
	)}).JSON(t, &res)
	if !slices.Equal(res.Imported, []string{"ok/SKILL.md"}) {
		t.Errorf("imported %v", res.Imported)
	}
	wantSkipped := []string{"../evil.md", "/abs.md", "ok/../../evil2.md", "ok/link", "ok/hard", "ok/fifo", "out/evil3.md", "out", "ok/SKILL.md/inner.md"}
	if got := res.skippedNames(); !slices.Equal(got, wantSkipped) {
		t.Errorf("skipped:\n got %v\nwant %v", got, wantSkipped)
	}
	if got := bkTree(t, outsideDir); len(got) != 0 {
		t.Errorf("written outside the skills folder: %v", got)
	}
	if got := bkTree(t, skills); !slices.Equal(got, []string{"ok/", "ok/SKILL.md", "out@"}) {
		t.Errorf("skills folder: %v", got)
	}
	for _, p := range []string{filepath.Join(e.PiConfig, "evil.md"), filepath.Join(e.Home, "evil2.md"), "/abs.md"} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s written", p)
		}
	}
}

func TestSkillsImportRefusesBadUploads(t *testing.T) {
	e := apitest.Start(t, nil)
	skills := filepath.Join(e.PiConfig, "skills")
	bkWrite(t, filepath.Join(skills, "keep", "SKILL.md"), "kept", 0o644)
	before := bkTree(t, skills)

	expectError(t, e.Do("POST", "/api/v1/config/skills/import", `{}`), http.StatusBadRequest, "invalid_multipart")
	expectError(t, bkPost(t, e, "/api/v1/config/skills/import", bkPart{data: []byte("field")}), http.StatusBadRequest, "no_file")
	expectError(t, bkPost(t, e, "/api/v1/config/skills/import", bkPart{filename: "x.tar.gz", data: []byte("not gzip")}), http.StatusBadRequest, "invalid_archive")
	good := bkTarGz(t, bkEntry{name: "new/SKILL.md", body: "new"})
	expectError(t, bkPost(t, e, "/api/v1/config/skills/import", bkPart{filename: "x.tar.gz", data: good[:len(good)-12]}), http.StatusBadRequest, "invalid_archive")
	// A good part, then one over 50 MiB: nothing of the upload lands.
	expectError(t, bkPost(t, e, "/api/v1/config/skills/import",
		bkPart{filename: "a/SKILL.md", data: []byte("first")},
		bkPart{filename: "a/huge.bin", data: make([]byte, 50<<20+1)},
	), http.StatusRequestEntityTooLarge, "file_too_large")
	expectError(t, bkPost(t, e, "/api/v1/config/skills/import",
		bkPart{filename: "x.tar.gz", data: good},
		bkPart{filename: "y.tar.gz", data: []byte("broken")},
	), http.StatusBadRequest, "invalid_archive")
	if got := bkTree(t, skills); !slices.Equal(got, before) {
		t.Errorf("a refused import changed the skills folder: %v", got)
	}
}
