package workspace

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/textproto"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestDownloadFile(t *testing.T) {
	dir := layout(t, map[string]string{"naïve résumé.txt": "hello"})
	r := openRoot(t, dir, Options{})
	d, err := r.Download("naïve résumé.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Size != 5 || d.ContentType != "application/octet-stream" {
		t.Fatalf("download %+v", d)
	}
	want := `attachment; filename="na_ve r_sum_.txt"; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.txt`
	if got := d.ContentDisposition(); got != want {
		t.Fatalf("disposition\n got %s\nwant %s", got, want)
	}
	var buf bytes.Buffer
	if _, err := d.Stream(context.Background(), &buf); err != nil || buf.String() != "hello" {
		t.Fatalf("body %q %v", buf.String(), err)
	}
	_, err = r.Download("missing")
	wantCode(t, err, CodeNotFound)
}

func TestDownloadFolderAsTarGz(t *testing.T) {
	outside := layout(t, map[string]string{"secret": "s"})
	dir := layout(t, map[string]string{
		"proj/src/a.go": "package a", "proj/README.md": "# r", "proj/node_modules/x.js": "x",
		"proj/src/.git/HEAD": "ref", "proj/empty/": "",
	})
	mustSymlink(t, filepath.Join(outside, "secret"), filepath.Join(dir, "proj", "src", "leak"))
	r := openRoot(t, filepath.Join(dir, "proj"), Options{})

	for _, path := range []string{"", filepath.Join(dir, "proj")} {
		d, err := r.Download(path)
		if err != nil {
			t.Fatal(err)
		}
		if d.Name != "proj.tar.gz" || d.Size != -1 || d.ContentType != "application/gzip" {
			t.Fatalf("download %+v", d)
		}
		var buf bytes.Buffer
		if _, err := d.Stream(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		entries := untar(t, &buf)
		want := map[string]string{
			"proj/": "", "proj/README.md": "# r", "proj/empty/": "", "proj/src/": "",
			"proj/src/a.go": "package a", "proj/src/leak": "-> " + filepath.Join(outside, "secret"),
		}
		if !reflect.DeepEqual(entries, want) {
			t.Fatalf("archive entries %v", entries)
		}
	}
	d, _ := r.Download("src")
	var buf bytes.Buffer
	_, _ = d.Stream(context.Background(), &buf)
	if got := keys(untar(t, &buf)); strings.Join(got, ",") != "src/,src/a.go,src/leak" {
		t.Fatalf("sub folder entries %v", got)
	}
}

func untar(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	gz, err := gzip.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string]string{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch h.Typeflag {
		case tar.TypeSymlink:
			out[h.Name] = "-> " + h.Linkname
		default:
			b, _ := io.ReadAll(tr)
			out[h.Name] = string(b)
		}
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// form builds a multipart body: fields in order, then files.
type form struct {
	buf bytes.Buffer
	mw  *multipart.Writer
}

func newForm() *form {
	f := &form{}
	f.mw = multipart.NewWriter(&f.buf)
	return f
}

func (f *form) field(name, value string) *form {
	_ = f.mw.WriteField(name, value)
	return f
}

func (f *form) file(field, filename, content string) *form {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+field+`"; filename="`+filename+`"`)
	w, _ := f.mw.CreatePart(h)
	_, _ = io.WriteString(w, content)
	return f
}

func (f *form) send(t *testing.T, w *FS, root string) (*UploadResult, error) {
	t.Helper()
	_ = f.mw.Close()
	return w.Upload(context.Background(), f.mw.FormDataContentType(), &f.buf, func(_ context.Context, id string) (string, error) {
		if id != "p1" {
			return "", errors.New("project_not_found")
		}
		return root, nil
	})
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// listing returns every path under dir (relative, "/"-joined), so tests
// can assert nothing else was left behind.
func listing(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	return out
}

func TestUploadFilesAndFolders(t *testing.T) {
	dir := layout(t, map[string]string{"in/": ""})
	var h handoffRecorder
	w := New(Options{Handoff: h.hook})
	parent := filepath.Join(dir, "in")
	res, err := newForm().
		field("projectId", "p1").field("parentPath", parent).
		field("path:1", "folder/sub/b.txt").
		field("sha256:0", sum("aaa")).
		field("sha256:folder/sub/b.txt", sum("bbb")).
		field("sha256:c.txt", sum("ccc")).
		file("file:0", "a.txt", "aaa").
		file("file:1", "b.txt", "bbb").
		file("whatever", "c.txt", "ccc").
		send(t, w, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []UploadedFile{
		{Path: filepath.Join(parent, "a.txt"), Size: 3, SHA256: sum("aaa")},
		{Path: filepath.Join(parent, "folder/sub/b.txt"), Size: 3, SHA256: sum("bbb")},
		{Path: filepath.Join(parent, "c.txt"), Size: 3, SHA256: sum("ccc")},
	}
	if !reflect.DeepEqual(res.Files, want) {
		t.Fatalf("files %+v", res.Files)
	}
	if readString(t, filepath.Join(parent, "folder/sub/b.txt")) != "bbb" {
		t.Fatal("folder upload content")
	}
	if got := listing(t, parent); strings.Join(got, ",") != "a.txt,c.txt,folder,folder/sub,folder/sub/b.txt" {
		t.Fatalf("left behind: %v", got)
	}
	if len(h.got()) != 3 {
		t.Fatalf("handoff calls %v", h.got())
	}
}

func TestUploadOverwriteRules(t *testing.T) {
	dir := layout(t, map[string]string{"a.txt": "old", "d/": ""})
	if err := os.Chmod(filepath.Join(dir, "a.txt"), 0o600); err != nil {
		t.Fatal(err)
	}
	w := New(Options{})
	_, err := newForm().field("projectId", "p1").field("parentPath", dir).file("f", "a.txt", "new").send(t, w, dir)
	wantCode(t, err, CodeTargetExists)
	if readString(t, filepath.Join(dir, "a.txt")) != "old" {
		t.Fatal("refused upload changed the file")
	}
	if _, err := newForm().field("projectId", "p1").field("parentPath", dir).field("overwrite", "1").
		file("f", "a.txt", "new").send(t, w, dir); err != nil {
		t.Fatal(err)
	}
	if readString(t, filepath.Join(dir, "a.txt")) != "new" {
		t.Fatal("overwrite did not replace")
	}
	if st, _ := os.Stat(filepath.Join(dir, "a.txt")); st.Mode().Perm() != 0o600 {
		t.Fatalf("overwrite changed mode to %v", st.Mode().Perm())
	}
	_, err = newForm().field("projectId", "p1").field("parentPath", dir).field("overwrite", "true").
		file("f", "d", "x").send(t, w, dir)
	wantCode(t, err, CodeInvalidName)
	_, err = newForm().field("projectId", "p1").field("parentPath", dir).
		file("f", "same.txt", "1").file("g", "same.txt", "2").send(t, w, dir)
	wantCode(t, err, CodeTargetExists)
	if exists(filepath.Join(dir, "same.txt")) {
		t.Fatal("duplicate upload left a file")
	}
}

// A bad file anywhere in the request leaves nothing behind: not the files
// before it, not the folders made for them, not temp files.
func TestUploadRollsBackWholeRequest(t *testing.T) {
	cases := []struct {
		name   string
		limits UploadLimits
		build  func(f *form) *form
		code   Code
	}{
		{"checksum mismatch", UploadLimits{}, func(f *form) *form {
			return f.field("path:1", "new/dir/b.txt").field("sha256:b.txt", sum("not this")).
				file("file:0", "a.txt", "aaa").file("file:1", "b.txt", "bbb")
		}, CodeChecksumMismatch},
		{"checksum field after the file", UploadLimits{}, func(f *form) *form {
			return f.file("file:0", "a.txt", "aaa").field("sha256:0", sum("nope"))
		}, CodeChecksumMismatch},
		{"per-file limit", UploadLimits{MaxFileBytes: 10}, func(f *form) *form {
			return f.field("path:1", "new/x.bin").file("file:0", "a.txt", "small").file("file:1", "x.bin", strings.Repeat("x", 11))
		}, CodeFileTooLarge},
		{"aggregate limit", UploadLimits{MaxTotalBytes: 20}, func(f *form) *form {
			return f.field("path:2", "new/c.txt").file("f", "a.txt", strings.Repeat("a", 10)).file("f", "b.txt", strings.Repeat("b", 10)).
				file("f", "c.txt", "c")
		}, CodeAggregateTooLarge},
		{"file count", UploadLimits{MaxFiles: 2}, func(f *form) *form {
			return f.file("f", "a.txt", "a").file("f", "b.txt", "b").file("f", "c.txt", "c")
		}, CodeTooManyFiles},
		{"traversal in path", UploadLimits{}, func(f *form) *form {
			return f.field("path:1", "../../escape.txt").file("f", "a.txt", "a").file("f", "b.txt", "b")
		}, CodePathNotAllowed},
		{"absolute path", UploadLimits{}, func(f *form) *form {
			return f.field("path:0", "/etc/x").file("f", "a.txt", "a")
		}, CodePathNotAllowed},
		{"bad filename", UploadLimits{}, func(f *form) *form {
			return f.file("f", "a.txt", "a").file("f", "..", "b")
		}, CodeInvalidName},
		{"empty filename", UploadLimits{}, func(f *form) *form {
			return f.file("f", "", "a")
		}, CodeMissingFilename},
		{"too many fields", UploadLimits{MaxFields: 3}, func(f *form) *form {
			return f.field("x", "1").field("y", "2")
		}, CodeTooManyFields},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := layout(t, map[string]string{"keep.txt": "k"})
			w := New(Options{Upload: c.limits})
			f := c.build(newForm().field("projectId", "p1").field("parentPath", dir))
			_, err := f.send(t, w, dir)
			wantCode(t, err, c.code)
			if got := listing(t, dir); strings.Join(got, ",") != "keep.txt" {
				t.Fatalf("left behind: %v", got)
			}
		})
	}
}

func TestUploadRequestErrors(t *testing.T) {
	dir := layout(t, nil)
	w := New(Options{})
	_, err := w.Upload(context.Background(), "application/json", strings.NewReader("{}"), nil)
	wantCode(t, err, CodeExpectedMultipart)
	_, err = newForm().field("parentPath", dir).file("f", "a.txt", "a").send(t, w, dir)
	wantCode(t, err, CodeMissingField)
	_, err = newForm().field("projectId", "p1").file("f", "a.txt", "a").send(t, w, dir)
	wantCode(t, err, CodeMissingField)
	_, err = newForm().field("projectId", "p1").field("parentPath", dir).send(t, w, dir)
	wantCode(t, err, CodeNoFiles)
	_, err = newForm().field("projectId", "other").field("parentPath", dir).file("f", "a.txt", "a").send(t, w, dir)
	if err == nil || err.Error() != "project_not_found" {
		t.Fatalf("resolver error not passed through: %v", err)
	}
	_, err = newForm().field("projectId", "p1").field("parentPath", "/etc").file("f", "a.txt", "a").send(t, w, dir)
	wantCode(t, err, CodePathNotAllowed)
	_, err = w.Upload(context.Background(), "multipart/form-data; boundary=xyz", strings.NewReader("--xyz\r\ngarbage"), nil)
	wantCode(t, err, CodeInvalidBody)
}

func TestUploadLongName(t *testing.T) {
	dir := layout(t, nil)
	name := strings.Repeat("n", 251) + ".txt" // 255 bytes, the most a name may have
	res, err := newForm().field("projectId", "p1").field("parentPath", dir).file("f", name, "x").send(t, New(Options{}), dir)
	if err != nil || len(res.Files) != 1 || readString(t, filepath.Join(dir, name)) != "x" {
		t.Fatalf("%+v %v", res, err)
	}
}
