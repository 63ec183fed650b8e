package workspace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// layout writes files (content by relative path; a trailing "/" makes a
// directory) under a fresh temp dir and returns its realpath.
func layout(t *testing.T, files map[string]string) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for rel, content := range files {
		p := filepath.Join(dir, rel)
		if strings.HasSuffix(rel, "/") {
			mustMkdir(t, p)
			continue
		}
		mustMkdir(t, filepath.Dir(p))
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustMkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func openRoot(t *testing.T, dir string, opts Options) *Root {
	t.Helper()
	r, err := New(opts).Root(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func wantCode(t *testing.T, err error, code Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := CodeOf(err); got != code {
		t.Fatalf("got code %s (%v), want %s", got, err, code)
	}
}

func readString(t *testing.T, p string) string {
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

func TestRootRejectsRelativeMissingAndFile(t *testing.T) {
	dir := layout(t, map[string]string{"f.txt": "x"})
	w := New(Options{})
	_, err := w.Root("relative/dir")
	wantCode(t, err, CodePathNotAllowed)
	_, err = w.Root(filepath.Join(dir, "missing"))
	wantCode(t, err, CodeNotFound)
	_, err = w.Root(filepath.Join(dir, "f.txt"))
	wantCode(t, err, CodeNotADirectory)
}

// Every operation refuses paths that leave the project, whatever the
// spelling, with path_not_allowed and without touching anything outside.
func TestHostilePathsAreRefused(t *testing.T) {
	outside := layout(t, map[string]string{"secret.txt": "top secret", "dir/inner.txt": "inner"})
	dir := layout(t, map[string]string{"ok.txt": "fine", "sub/a.txt": "a"})
	mustSymlink(t, filepath.Join(outside, "secret.txt"), filepath.Join(dir, "to-secret"))
	mustSymlink(t, filepath.Join(outside, "dir"), filepath.Join(dir, "to-outside-dir"))
	mustSymlink(t, filepath.Join(outside, "not-yet"), filepath.Join(dir, "dangling-out"))
	mustSymlink(t, "../../"+filepath.Base(outside), filepath.Join(dir, "sub", "relative-out"))
	r := openRoot(t, dir, Options{})

	hostile := []string{
		"../" + filepath.Base(outside) + "/secret.txt",
		dir + "/../" + filepath.Base(outside) + "/secret.txt",
		filepath.Join(outside, "secret.txt"),
		"/etc/passwd",
		"ok.txt\x00.png",
		"to-secret",
		"to-outside-dir/inner.txt",
		"to-outside-dir/new.txt",
		"sub/relative-out/secret.txt",
	}
	for _, p := range hostile {
		t.Run(strings.ReplaceAll(p, "/", "|"), func(t *testing.T) {
			_, err := r.Read(p)
			wantCode(t, err, CodePathNotAllowed)
			_, err = r.Write(p, []byte("pwned"))
			wantCode(t, err, CodePathNotAllowed)
			_, err = r.Download(p)
			wantCode(t, err, CodePathNotAllowed)
			_, err = r.Mkdir(p, "x")
			wantCode(t, err, CodePathNotAllowed)
			_, err = r.Move("ok.txt", p+"/moved")
			wantCode(t, err, CodePathNotAllowed)
		})
	}
	if got := readString(t, filepath.Join(outside, "secret.txt")); got != "top secret" {
		t.Fatalf("outside file changed: %q", got)
	}
	if exists(filepath.Join(outside, "dir", "new.txt")) || exists(filepath.Join(outside, "not-yet")) {
		t.Fatal("a file was created outside the project")
	}
	if !exists(filepath.Join(dir, "ok.txt")) {
		t.Fatal("ok.txt was moved away")
	}
}

// A dangling link whose target would be outside: writing "through" it must
// not create the outside file.
func TestWriteThroughDanglingLinkStaysInside(t *testing.T) {
	outside := layout(t, nil)
	dir := layout(t, nil)
	mustSymlink(t, filepath.Join(outside, "created.txt"), filepath.Join(dir, "dangling"))
	mustSymlink(t, filepath.Join(outside, "newdir"), filepath.Join(dir, "dangling-dir"))
	r := openRoot(t, dir, Options{})
	if _, err := r.Write("dangling", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if exists(filepath.Join(outside, "created.txt")) {
		t.Fatal("write followed a dangling link outside the project")
	}
	_, err := r.Write("dangling-dir/f.txt", []byte("x"))
	wantCode(t, err, CodePathNotAllowed)
	if exists(filepath.Join(outside, "newdir")) {
		t.Fatal("mkdir followed a dangling link outside the project")
	}
}

func TestRelativePathsResolveAgainstRoot(t *testing.T) {
	dir := layout(t, map[string]string{"sub/a.txt": "hello"})
	r := openRoot(t, dir, Options{})
	res, err := r.Read("sub/a.txt")
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != filepath.Join(dir, "sub", "a.txt") || res.Content != "hello" {
		t.Fatalf("got %+v", res)
	}
	res, err = r.Read("sub/../sub/./a.txt")
	if err != nil || res.Content != "hello" {
		t.Fatalf("got %+v, %v", res, err)
	}
}

func TestRootCanNotBeDeletedRenamedOrMoved(t *testing.T) {
	dir := layout(t, map[string]string{"a.txt": "a"})
	r := openRoot(t, dir, Options{})
	wantCode(t, r.Delete(dir, true), CodePathNotAllowed)
	wantCode(t, r.Delete("", true), CodePathNotAllowed)
	wantCode(t, r.Delete(dir+"/sub/..", true), CodePathNotAllowed)
	_, err := r.Rename(dir, "other")
	wantCode(t, err, CodePathNotAllowed)
	_, err = r.Move(dir, filepath.Join(dir, "inside"))
	wantCode(t, err, CodePathNotAllowed)
	if !exists(filepath.Join(dir, "a.txt")) {
		t.Fatal("root content is gone")
	}
}

func TestClassifyErrno(t *testing.T) {
	cases := []struct {
		err  error
		code Code
	}{
		{syscall.EACCES, CodePermissionDenied},
		{syscall.EPERM, CodePermissionDenied},
		{syscall.EROFS, CodePermissionDenied},
		{syscall.ENOENT, CodeNotFound},
		{syscall.EISDIR, CodeNotAFile},
		{syscall.ENOTDIR, CodeNotADirectory},
		{syscall.ENOTEMPTY, CodeDirectoryNotEmpty},
		{syscall.EEXIST, CodeTargetExists},
		{errors.New("boom"), CodeInternal},
	}
	for _, c := range cases {
		err := fsError("op", "/p", &os.PathError{Op: "open", Path: "/p", Err: c.err})
		if got := CodeOf(err); got != c.code {
			t.Errorf("%v: got %s, want %s", c.err, got, c.code)
		}
	}
	var api interface{ APIError() (int, string, string) }
	wrapped := fmt.Errorf("handler: %w", fsError("read", "/p", syscall.EACCES))
	if !errors.As(wrapped, &api) {
		t.Fatal("a wrapped workspace error does not expose APIError")
	}
	if status, code, msg := api.APIError(); status != 403 || code != "permission_denied" || msg == "" {
		t.Fatalf("APIError() = %d %s %q", status, code, msg)
	}
	if CodePermissionDenied.Status() != 403 || CodeFileTooLarge.Status() != 413 || CodeChecksumMismatch.Status() != 422 {
		t.Fatal("status mapping changed")
	}
}
