package workspace

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestReadTextBinaryAndLimits(t *testing.T) {
	dir := layout(t, map[string]string{"main.go": "package main\n", "Dockerfile": "FROM x\n", "sub/": ""})
	bin := append([]byte("PNG"), 0, 1, 2)
	if err := os.WriteFile(filepath.Join(dir, "img.png"), bin, 0o644); err != nil {
		t.Fatal(err)
	}
	// NUL after the sniff window: still text.
	late := append(bytes.Repeat([]byte("a"), binarySniffBytes), 0)
	if err := os.WriteFile(filepath.Join(dir, "late.txt"), late, 0o644); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("x"), MaxReadBytes+1)
	if err := os.WriteFile(filepath.Join(dir, "big.log"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	exact := bytes.Repeat([]byte("y"), MaxReadBytes)
	if err := os.WriteFile(filepath.Join(dir, "exact.txt"), exact, 0o644); err != nil {
		t.Fatal(err)
	}
	r := openRoot(t, dir, Options{})

	res, err := r.Read(filepath.Join(dir, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Content != "package main\n" || res.Language != "go" || res.Binary || res.Size != 13 {
		t.Fatalf("main.go: %+v", res)
	}
	if res, _ := r.Read("Dockerfile"); res.Language != "dockerfile" {
		t.Fatalf("Dockerfile language %q", res.Language)
	}
	res, err = r.Read("img.png")
	if err != nil || !res.Binary || res.Content != "" || res.Size != int64(len(bin)) {
		t.Fatalf("img.png: %+v %v", res, err)
	}
	if res, err := r.Read("late.txt"); err != nil || res.Binary {
		t.Fatalf("late.txt: binary=%v err=%v", res.Binary, err)
	}
	if res, err := r.Read("exact.txt"); err != nil || len(res.Content) != MaxReadBytes {
		t.Fatalf("exact 5 MiB file: %v", err)
	}
	_, err = r.Read("big.log")
	wantCode(t, err, CodeFileTooLarge)
	_, err = r.Read("sub")
	wantCode(t, err, CodeNotAFile)
	_, err = r.Read("nope.txt")
	wantCode(t, err, CodeNotFound)
	_, err = r.Read("main.go/child")
	wantCode(t, err, CodeNotADirectory)
}

func TestLanguage(t *testing.T) {
	cases := map[string]string{
		"a.ts": "typescript", "A.TSX": "typescript", "x.py": "python", "Makefile": "makefile",
		"CMakeLists.txt": "cmake", ".env.local": "properties", "app.Dockerfile": "dockerfile",
		"nginx.conf": "nginx", "x.conf": "properties", "README": "plaintext", "x.md": "markdown",
	}
	for name, want := range cases {
		if got := Language("/p/" + name); got != want {
			t.Errorf("%s: got %s, want %s", name, got, want)
		}
	}
}

type handoffRecorder struct {
	mu    sync.Mutex
	paths []string
}

func (h *handoffRecorder) hook(root, p string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.paths = append(h.paths, p)
	return nil
}

func (h *handoffRecorder) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.paths...)
}

func TestWriteIsAtomicMakesParentsKeepsModeAndHandsOff(t *testing.T) {
	dir := layout(t, map[string]string{"run.sh": "#!/bin/sh\n", "real.txt": "old"})
	if err := os.Chmod(filepath.Join(dir, "run.sh"), 0o750); err != nil {
		t.Fatal(err)
	}
	mustSymlink(t, "real.txt", filepath.Join(dir, "link.txt"))
	var h handoffRecorder
	r := openRoot(t, dir, Options{Handoff: h.hook})

	p, err := r.Write(filepath.Join(dir, "a/b/c.txt"), []byte("deep"))
	if err != nil {
		t.Fatal(err)
	}
	if p != filepath.Join(dir, "a/b/c.txt") || readString(t, p) != "deep" {
		t.Fatalf("write returned %q", p)
	}
	if _, err := r.Write("run.sh", []byte("#!/bin/sh\necho hi\n")); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(filepath.Join(dir, "run.sh"))
	if st.Mode().Perm() != 0o750 {
		t.Fatalf("mode changed to %v", st.Mode().Perm())
	}
	if _, err := r.Write("link.txt", []byte("new")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(filepath.Join(dir, "link.txt")); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("writing through a link replaced the link")
	}
	if readString(t, filepath.Join(dir, "real.txt")) != "new" {
		t.Fatal("the link target was not updated")
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("temp file left behind: %s", e.Name())
		}
	}
	want := []string{filepath.Join(dir, "a/b/c.txt"), filepath.Join(dir, "run.sh"), filepath.Join(dir, "real.txt")}
	if got := h.got(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("handoff got %v, want %v", got, want)
	}
	_, err = r.Write(dir, []byte("x"))
	wantCode(t, err, CodeNotAFile)
	_, err = r.Write("a", []byte("x"))
	wantCode(t, err, CodeNotAFile)
	_, err = r.Write("run.sh/x", []byte("x"))
	wantCode(t, err, CodeNotADirectory)
}

func TestMkdir(t *testing.T) {
	dir := layout(t, map[string]string{"exists/": ""})
	var h handoffRecorder
	r := openRoot(t, dir, Options{Handoff: h.hook})
	p, err := r.Mkdir(dir, "  new  ")
	if err != nil || p != filepath.Join(dir, "new") {
		t.Fatalf("mkdir: %q %v", p, err)
	}
	if st, err := os.Stat(p); err != nil || !st.IsDir() {
		t.Fatal("directory not created")
	}
	if p, err = r.Mkdir(filepath.Join(dir, "x/y"), "z"); err != nil || !exists(p) {
		t.Fatalf("mkdir with missing parents: %v", err)
	}
	_, err = r.Mkdir(dir, "exists")
	wantCode(t, err, CodeTargetExists)
	for _, bad := range []string{"", " ", ".", "..", "a/b", `a\b`, "a\x00b"} {
		_, err = r.Mkdir(dir, bad)
		wantCode(t, err, CodeInvalidName)
	}
	if got := h.got(); len(got) != 2 || got[0] != filepath.Join(dir, "new") {
		t.Fatalf("handoff got %v", got)
	}
}

func TestRename(t *testing.T) {
	dir := layout(t, map[string]string{"Foo.txt": "foo", "other.txt": "o", "d/x.txt": "x"})
	r := openRoot(t, dir, Options{})
	p, err := r.Rename(filepath.Join(dir, "Foo.txt"), "foo.txt")
	if err != nil || p != filepath.Join(dir, "foo.txt") || readString(t, p) != "foo" {
		t.Fatalf("case-only rename: %q %v", p, err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() == "Foo.txt" {
			t.Fatal("old name still present")
		}
	}
	_, err = r.Rename("foo.txt", "other.txt")
	wantCode(t, err, CodeTargetExists)
	_, err = r.Rename("foo.txt", "../escape.txt")
	wantCode(t, err, CodeInvalidName)
	_, err = r.Rename("missing.txt", "x.txt")
	wantCode(t, err, CodeNotFound)
	if p, err = r.Rename("d", "e"); err != nil || !exists(filepath.Join(p, "x.txt")) {
		t.Fatalf("rename dir: %v", err)
	}
	if p, err = r.Rename("other.txt", "other.txt"); err != nil || p != filepath.Join(dir, "other.txt") {
		t.Fatalf("rename to itself: %v", err)
	}
}

// A same-inode rename (what a case-insensitive filesystem reports for a
// case-only rename) goes through a temp name and succeeds.
func TestCaseRenameViaTemp(t *testing.T) {
	dir := layout(t, map[string]string{"A.txt": "a"})
	if err := caseRename(filepath.Join(dir, "A.txt"), filepath.Join(dir, "a.txt")); err != nil {
		t.Fatal(err)
	}
	if readString(t, filepath.Join(dir, "a.txt")) != "a" || exists(filepath.Join(dir, "A.txt")) {
		t.Fatal("case rename failed")
	}
}

func TestMove(t *testing.T) {
	dir := layout(t, map[string]string{"src/a.txt": "a", "src/inner/": "", "b.txt": "b", "taken.txt": "t"})
	r := openRoot(t, dir, Options{})
	_, err := r.Move("src", "src/inner/src")
	wantCode(t, err, CodeInvalidName)
	_, err = r.Move("src", "src")
	wantCode(t, err, CodeInvalidName)
	_, err = r.Move("b.txt", "taken.txt")
	wantCode(t, err, CodeTargetExists)
	_, err = r.Move("missing", "x")
	wantCode(t, err, CodeNotFound)
	p, err := r.Move(filepath.Join(dir, "b.txt"), filepath.Join(dir, "new/deeper/b.txt"))
	if err != nil || readString(t, p) != "b" || exists(filepath.Join(dir, "b.txt")) {
		t.Fatalf("move into new dirs: %v", err)
	}
	if p, err = r.Move("src", "srcs2"); err != nil || readString(t, filepath.Join(p, "a.txt")) != "a" {
		t.Fatalf("move dir: %v", err)
	}
}

func TestDelete(t *testing.T) {
	outside := layout(t, map[string]string{"keep.txt": "keep"})
	dir := layout(t, map[string]string{"f.txt": "f", "empty/": "", "full/a/b.txt": "b"})
	mustSymlink(t, filepath.Join(outside, "keep.txt"), filepath.Join(dir, "out-link"))
	mustSymlink(t, outside, filepath.Join(dir, "out-dir-link"))
	r := openRoot(t, dir, Options{})

	if err := r.Delete("f.txt", false); err != nil || exists(filepath.Join(dir, "f.txt")) {
		t.Fatalf("delete file: %v", err)
	}
	if err := r.Delete("empty", false); err != nil || exists(filepath.Join(dir, "empty")) {
		t.Fatalf("delete empty dir: %v", err)
	}
	wantCode(t, r.Delete("full", false), CodeDirectoryNotEmpty)
	if !exists(filepath.Join(dir, "full/a/b.txt")) {
		t.Fatal("non-recursive delete removed content")
	}
	if err := r.Delete("full", true); err != nil || exists(filepath.Join(dir, "full")) {
		t.Fatalf("recursive delete: %v", err)
	}
	wantCode(t, r.Delete("f.txt", false), CodeNotFound)
	// Removing a link that points outside removes the link only.
	if err := r.Delete("out-link", false); err != nil || exists(filepath.Join(dir, "out-link")) {
		t.Fatalf("delete escaping link: %v", err)
	}
	wantCode(t, r.Delete("out-dir-link/keep.txt", false), CodePathNotAllowed)
	if err := r.Delete("out-dir-link", true); err != nil || exists(filepath.Join(dir, "out-dir-link")) {
		t.Fatalf("delete escaping dir link: %v", err)
	}
	if readString(t, filepath.Join(outside, "keep.txt")) != "keep" {
		t.Fatal("deleting a link removed its target")
	}
	wantCode(t, r.Delete("out-dir-link/keep.txt", false), CodeNotFound)
}

// lockDir makes dir refuse changes: immutable for root (chattr +i, which
// root can not bypass), read-only for anyone else.
func lockDir(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
		return
	}
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Fatalf("chattr +i (needs e2fsprogs and a filesystem with attributes): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("chattr", "-i", dir).Run() })
}

func TestPermissionErrorsArePermissionDenied(t *testing.T) {
	dir := layout(t, map[string]string{"locked/f.txt": "f", "locked/sub/": ""})
	lockDir(t, filepath.Join(dir, "locked"))
	r := openRoot(t, dir, Options{})
	_, err := r.Write("locked/new.txt", []byte("x"))
	wantCode(t, err, CodePermissionDenied)
	_, err = r.Write("locked/f.txt", []byte("x"))
	wantCode(t, err, CodePermissionDenied)
	_, err = r.Mkdir(filepath.Join(dir, "locked"), "d")
	wantCode(t, err, CodePermissionDenied)
	wantCode(t, r.Delete("locked/f.txt", false), CodePermissionDenied)
	_, err = r.Rename("locked/f.txt", "g.txt")
	wantCode(t, err, CodePermissionDenied)
	_, err = newForm().field("projectId", "p1").field("parentPath", filepath.Join(dir, "locked")).
		file("f", "up.txt", "x").send(t, New(Options{}), dir)
	wantCode(t, err, CodePermissionDenied)
	if readString(t, filepath.Join(dir, "locked/f.txt")) != "f" {
		t.Fatal("locked file changed")
	}
}
