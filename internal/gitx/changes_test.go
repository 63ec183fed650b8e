package gitx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/proc"
)

// threeHunks is a file whose edits at the top, middle and bottom make
// three separate hunks.
func threeHunks(t *testing.T) (dir string, g *Git) {
	t.Helper()
	base := lines(60, "x")
	dir = newRepo(t, map[string]string{"f.txt": base})
	ls := strings.SplitAfter(base, "\n")
	ls[0], ls[30], ls[58] = "TOP\n", "MIDDLE\n", "BOTTOM\n"
	write(t, dir, map[string]string{"f.txt": strings.Join(ls, "")})
	return dir, New(launcher, Options{})
}

func TestApplyHunksStagesOnlyTheChosenHunk(t *testing.T) {
	dir, g := threeHunks(t)
	res, err := g.ApplyHunks(ctx, dir, "f.txt", HunkStage, []int{1})
	if err != nil || !res.OK || res.TotalHunks != 3 {
		t.Fatalf("stage hunk 1: %+v %v", res, err)
	}
	staged := sh(t, dir, "diff", "--cached")
	if !strings.Contains(staged, "+MIDDLE") || strings.Contains(staged, "TOP") || strings.Contains(staged, "BOTTOM") {
		t.Fatalf("staged diff:\n%s", staged)
	}
	work := sh(t, dir, "diff")
	if strings.Contains(work, "MIDDLE") || !strings.Contains(work, "+TOP") || !strings.Contains(work, "+BOTTOM") {
		t.Fatalf("work tree diff:\n%s", work)
	}
	st, _ := g.Status(ctx, dir)
	if len(st.Files) != 1 || st.Files[0].Code != "MM" {
		t.Fatalf("status %+v", st.Files)
	}

	// Stage the other two, then unstage the last one again.
	if res, err := g.ApplyHunks(ctx, dir, filepath.Join(dir, "f.txt"), HunkStage, []int{0, 1}); err != nil || !res.OK || res.TotalHunks != 2 {
		t.Fatalf("stage the rest: %+v %v", res, err)
	}
	if res, err := g.ApplyHunks(ctx, dir, "f.txt", HunkUnstage, []int{2}); err != nil || !res.OK || res.TotalHunks != 3 {
		t.Fatalf("unstage hunk 2: %+v %v", res, err)
	}
	staged = sh(t, dir, "diff", "--cached")
	if !strings.Contains(staged, "+TOP") || !strings.Contains(staged, "+MIDDLE") || strings.Contains(staged, "BOTTOM") {
		t.Fatalf("staged after unstage:\n%s", staged)
	}
	if work := sh(t, dir, "diff"); !strings.Contains(work, "+BOTTOM") || strings.Contains(work, "TOP") {
		t.Fatalf("work tree after unstage:\n%s", work)
	}
}

func TestApplyHunksFailures(t *testing.T) {
	dir, g := threeHunks(t)
	write(t, dir, map[string]string{"clean.txt": "c\n"})
	sh(t, dir, "add", "clean.txt")
	sh(t, dir, "commit", "-q", "-m", "clean")
	if err := os.WriteFile(filepath.Join(dir, "bin.dat"), []byte{0, 1, 2}, 0o644); err != nil {
		t.Fatal(err)
	}
	sh(t, dir, "add", "bin.dat")
	sh(t, dir, "commit", "-q", "-m", "bin")
	if err := os.WriteFile(filepath.Join(dir, "bin.dat"), []byte{0, 9, 9}, 0o644); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		path, mode string
		idx        []int
		want       string
		total      int
	}{
		{"f.txt", HunkStage, nil, HunkNoHunksSelected, 0},
		{"f.txt", HunkStage, []int{3}, HunkIndexOutOfRange, 3},
		{"f.txt", HunkStage, []int{-1}, HunkIndexOutOfRange, 3},
		{"f.txt", HunkUnstage, []int{0}, HunkNoDiff, 0},
		{"clean.txt", HunkStage, []int{0}, HunkNoDiff, 0},
		{"bin.dat", HunkStage, []int{0}, HunkBinaryOrNoHunks, 0},
	}
	for _, c := range cases {
		res, err := g.ApplyHunks(ctx, dir, c.path, c.mode, c.idx)
		if err != nil || res.OK || res.Error != c.want || res.TotalHunks != c.total {
			t.Errorf("%s %s %v: got %+v %v, want %s", c.path, c.mode, c.idx, res, err, c.want)
		}
	}
	_, err := g.ApplyHunks(ctx, dir, "../x", HunkStage, []int{0})
	wantCode(t, err, CodePathNotAllowed)
	_, err = g.ApplyHunks(ctx, dir, "f.txt", "squash", []int{0})
	wantCode(t, err, CodeFailed)
}

func TestParsePatchRoundTrips(t *testing.T) {
	diff := "diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n@@ -9 +9 @@\n-c\n+d\n"
	p := parsePatch(diff)
	if len(p.hunks) != 2 || p.binary || string(p.build([]int{0, 1})) != diff {
		t.Fatalf("patch %+v", p)
	}
	if got := string(p.build([]int{1})); got != "diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n@@ -9 +9 @@\n-c\n+d\n" {
		t.Fatalf("second hunk only:\n%s", got)
	}
}

func TestStageUnstageRevert(t *testing.T) {
	g := New(launcher, Options{})
	dir := newRepo(t, map[string]string{"a.txt": "a\n", "gone.txt": "g\n", "weird*name.txt": "w\n", "wild.txt": "keep\n"})
	write(t, dir, map[string]string{"a.txt": "A\n", "new.txt": "n\n", "weird*name.txt": "W\n", "wild.txt": "changed\n"})
	if err := os.Remove(filepath.Join(dir, "gone.txt")); err != nil {
		t.Fatal(err)
	}
	// Literal pathspecs: "weird*name.txt" must not also match wild.txt.
	if err := g.Stage(ctx, dir, []string{"a.txt", "new.txt", "gone.txt", "weird*name.txt"}); err != nil {
		t.Fatal(err)
	}
	codes := statusCodes(t, g, dir)
	for _, want := range []string{"M  a.txt", "D  gone.txt", "A  new.txt", "M  weird*name.txt", " M wild.txt"} {
		if !strings.Contains(codes, want) {
			t.Fatalf("after stage want %q in %s", want, codes)
		}
	}
	if err := g.Unstage(ctx, dir, []string{"a.txt", "new.txt"}); err != nil {
		t.Fatal(err)
	}
	codes = statusCodes(t, g, dir)
	for _, want := range []string{" M a.txt", "?? new.txt", "D  gone.txt"} {
		if !strings.Contains(codes, want) {
			t.Fatalf("after unstage want %q in %s", want, codes)
		}
	}
	if err := g.Revert(ctx, dir, []string{"a.txt", "gone.txt"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.txt")); string(b) != "a\n" {
		t.Fatalf("revert left %q", b)
	}
	if !exists(filepath.Join(dir, "gone.txt")) {
		t.Fatal("revert did not restore a deleted file")
	}
	wantCode(t, g.Revert(ctx, dir, []string{"new.txt"}), CodeFailed)
	wantCode(t, g.Stage(ctx, dir, []string{"/etc/passwd"}), CodePathNotAllowed)
}

func statusCodes(t *testing.T, g *Git, dir string) string {
	t.Helper()
	st, err := g.Status(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, f := range st.Files {
		parts = append(parts, f.Code+" "+f.Path)
	}
	return strings.Join(parts, "|")
}

func TestUnstageBeforeFirstCommit(t *testing.T) {
	g := New(launcher, Options{})
	dir := tempDir(t)
	if _, err := g.Init(ctx, dir); err != nil {
		t.Fatal(err)
	}
	write(t, dir, map[string]string{"a.txt": "a"})
	if err := g.Stage(ctx, dir, []string{"a.txt"}); err != nil {
		t.Fatal(err)
	}
	if err := g.Unstage(ctx, dir, []string{"a.txt"}); err != nil {
		t.Fatal(err)
	}
	if codes := statusCodes(t, g, dir); codes != "?? a.txt" {
		t.Fatalf("codes %s", codes)
	}
}

func TestCommitRunsHooks(t *testing.T) {
	g := New(launcher, Options{})
	dir := newRepo(t, map[string]string{"a.txt": "a"})
	_, err := g.Commit(ctx, dir, "  \n ")
	wantCode(t, err, CodeEmptyMessage)

	hook := filepath.Join(dir, ".git/hooks/pre-commit")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho 'lint: trailing whitespace in a.txt' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, dir, map[string]string{"a.txt": "b"})
	sh(t, dir, "add", "a.txt")
	_, err = g.Commit(ctx, dir, "change")
	wantCode(t, err, CodeFailed)
	if !strings.Contains(err.Error(), "lint: trailing whitespace") {
		t.Fatalf("hook output missing: %v", err)
	}
	if err := os.WriteFile(hook, []byte("#!/bin/sh\ntouch hook-ran\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := g.Commit(ctx, dir, "-starts with a dash\n\nbody line")
	if err != nil {
		t.Fatal(err)
	}
	if head := strings.TrimSpace(sh(t, dir, "rev-parse", "HEAD")); res.Hash != head {
		t.Fatalf("hash %s, HEAD %s", res.Hash, head)
	}
	if msg := sh(t, dir, "log", "-1", "--format=%B"); !strings.HasPrefix(msg, "-starts with a dash\n\nbody line") {
		t.Fatalf("message %q", msg)
	}
	if !exists(filepath.Join(dir, "hook-ran")) {
		t.Fatal("pre-commit hook did not run")
	}
	_, err = g.Commit(ctx, dir, "nothing staged")
	wantCode(t, err, CodeFailed)
}

// In sandbox mode git (and so every hook the agent could have written)
// runs as the tool identity, never as the server. Needs root, as the
// project's machines and CI run.
func TestSandboxedGitRunsHooksAsToolUser(t *testing.T) {
	const uid = 4242
	dir := newRepo(t, map[string]string{"a.txt": "a"})
	sh(t, dir, "config", "user.name", "Tool")
	sh(t, dir, "config", "user.email", "tool@example.com")
	hook := "#!/bin/sh\nid -u > hook-uid\n"
	if err := os.WriteFile(filepath.Join(dir, ".git/hooks/pre-commit"), []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	home := tempDir(t)
	for _, p := range []string{dir, home} {
		if err := os.Chmod(filepath.Dir(p), 0o755); err != nil { // t.TempDir's parent is 0700
			t.Fatal(err)
		}
		if err := filepath.Walk(p, func(q string, _ os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(q, uid, uid)
		}); err != nil {
			t.Fatalf("chown (the test needs root): %v", err)
		}
	}
	l, err := proc.New(proc.Config{ServerEnv: os.Environ(), Sandbox: &proc.Identity{UID: uid, GID: uid, Home: home}})
	if err != nil {
		t.Fatal(err)
	}
	g := New(l, Options{})
	write(t, dir, map[string]string{"a.txt": "b"})
	if err := g.Stage(ctx, dir, []string{"a.txt"}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Commit(ctx, dir, "as the tool user"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "hook-uid")); err != nil || strings.TrimSpace(string(b)) != "4242" {
		t.Fatalf("hook ran as uid %q (%v)", b, err)
	}
}
