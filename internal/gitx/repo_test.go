package gitx

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestNonRepositoryIsEmptyNotAnError(t *testing.T) {
	g := New(launcher, Options{})
	dir := tempDir(t)
	st, err := g.Status(ctx, dir)
	if err != nil || st.IsGitRepo || st.Files == nil || len(st.Files) != 0 {
		t.Fatalf("status %+v %v", st, err)
	}
	if b, _ := json.Marshal(st); string(b) != `{"isGitRepo":false,"files":[]}` {
		t.Fatalf("status json %s", b)
	}
	if d, err := g.Diff(ctx, dir); err != nil || d.IsGitRepo {
		t.Fatalf("diff %+v %v", d, err)
	}
	if d, err := g.StagedDiff(ctx, dir); err != nil || d.IsGitRepo {
		t.Fatalf("staged diff %+v %v", d, err)
	}
	if l, err := g.Log(ctx, dir, 0); err != nil || l.IsGitRepo || l.Commits == nil {
		t.Fatalf("log %+v %v", l, err)
	}
	if b, err := g.Branches(ctx, dir); err != nil || b.IsGitRepo || b.Branches == nil {
		t.Fatalf("branches %+v %v", b, err)
	}
	if r, err := g.Remotes(ctx, dir); err != nil || r.IsGitRepo || r.Remotes == nil {
		t.Fatalf("remotes %+v %v", r, err)
	}
	if w, err := g.Worktrees(ctx, dir); err != nil || w.IsGitRepo || w.Worktrees == nil {
		t.Fatalf("worktrees %+v %v", w, err)
	}
}

func TestGitNotInstalled(t *testing.T) {
	g := New(launcher, Options{Binary: "git-does-not-exist-here"})
	_, err := g.Status(ctx, tempDir(t))
	wantCode(t, err, CodeNotInstalled)
	if CodeNotInstalled.Status() != 500 {
		t.Fatal("git_not_installed must be a 500")
	}
}

func TestInit(t *testing.T) {
	g := New(launcher, Options{})
	dir := tempDir(t)
	res, err := g.Init(ctx, dir)
	if err != nil || res.AlreadyInitialised || !res.IsGitRepo {
		t.Fatalf("init %+v %v", res, err)
	}
	if head := strings.TrimSpace(sh(t, dir, "symbolic-ref", "HEAD")); head != "refs/heads/main" {
		t.Fatalf("HEAD is %s", head)
	}
	res, err = g.Init(ctx, dir)
	if err != nil || !res.AlreadyInitialised {
		t.Fatalf("second init %+v %v", res, err)
	}
	st, _ := g.Status(ctx, dir)
	if !st.IsGitRepo || st.Branch != "main" {
		t.Fatalf("status after init %+v", st)
	}
	br, _ := g.Branches(ctx, dir)
	if br.Current != "main" || len(br.Branches) != 1 {
		t.Fatalf("branches of an unborn repo %+v", br)
	}
	if l, err := g.Log(ctx, dir, 0); err != nil || !l.IsGitRepo || len(l.Commits) != 0 {
		t.Fatalf("log of an unborn repo %+v %v", l, err)
	}
}

func TestStatus(t *testing.T) {
	g := New(launcher, Options{})
	dir := newRepo(t, map[string]string{"mod.txt": "a\n", "del.txt": "d\n", "old name.txt": "r\n", "both.txt": "1\n"})
	write(t, dir, map[string]string{"mod.txt": "b\n", "new/deep/ütf 8.txt": "u\n", "added.txt": "x\n", "both.txt": "2\n"})
	sh(t, dir, "add", "added.txt", "both.txt")
	write(t, dir, map[string]string{"both.txt": "3\n"})
	if err := os.Remove(filepath.Join(dir, "del.txt")); err != nil {
		t.Fatal(err)
	}
	sh(t, dir, "mv", "old name.txt", "new name.txt")

	st, err := g.Status(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !st.IsGitRepo || st.Branch != "main" {
		t.Fatalf("status %+v", st)
	}
	want := map[string]StatusFile{
		"added.txt":          {Path: "added.txt", Staged: true, Kind: KindAdded, Code: "A "},
		"both.txt":           {Path: "both.txt", Staged: true, Unstaged: true, Kind: KindModified, Code: "MM"},
		"del.txt":            {Path: "del.txt", Unstaged: true, Kind: KindDeleted, Code: " D"},
		"mod.txt":            {Path: "mod.txt", Unstaged: true, Kind: KindModified, Code: " M"},
		"new name.txt":       {Path: "new name.txt", Staged: true, Kind: KindRenamed, Code: "R ", OriginalPath: "old name.txt"},
		"new/deep/ütf 8.txt": {Path: "new/deep/ütf 8.txt", Kind: KindUntracked, Code: "??"},
	}
	got := map[string]StatusFile{}
	for _, f := range st.Files {
		got[f.Path] = f
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("files\n got %+v\nwant %+v", got, want)
	}
}

func TestStatusBranchHeader(t *testing.T) {
	cases := map[string]Status{
		"## main...origin/main [ahead 2, behind 1]\x00": {Branch: "main", Upstream: "origin/main", Ahead: 2, Behind: 1},
		"## feature/x\x00":                 {Branch: "feature/x"},
		"## No commits yet on trunk\x00":   {Branch: "trunk"},
		"## HEAD (no branch)\x00":          {Branch: "HEAD"},
		"## main...origin/main [gone]\x00": {Branch: "main", Upstream: "origin/main"},
	}
	for in, want := range cases {
		got := parseStatus(in)
		want.IsGitRepo, want.Files = true, []StatusFile{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %+v, want %+v", in, got, want)
		}
	}
	if kindOf('U', 'U') != KindConflicted || kindOf('A', 'A') != KindConflicted || kindOf('!', '!') != KindIgnored || kindOf('C', ' ') != KindCopied {
		t.Fatal("kinds")
	}
}

func TestDiffs(t *testing.T) {
	g := New(launcher, Options{})
	dir := newRepo(t, map[string]string{"a.txt": "one\n", "b.txt": "bee\n"})
	write(t, dir, map[string]string{"a.txt": "two\n", "b.txt": "BEE\n"})
	sh(t, dir, "add", "b.txt")

	d, err := g.Diff(ctx, dir)
	if err != nil || !d.IsGitRepo || !strings.Contains(d.Diff, "+two") || strings.Contains(d.Diff, "BEE") {
		t.Fatalf("work tree diff %+v %v", d, err)
	}
	d, err = g.StagedDiff(ctx, dir)
	if err != nil || !strings.Contains(d.Diff, "+BEE") || strings.Contains(d.Diff, "two") {
		t.Fatalf("staged diff %+v %v", d, err)
	}
	d, err = g.FileDiff(ctx, dir, "a.txt", false)
	if err != nil || !strings.Contains(d.Diff, "diff --git a/a.txt b/a.txt") {
		t.Fatalf("file diff %+v %v", d, err)
	}
	d, err = g.FileDiff(ctx, dir, filepath.Join(dir, "b.txt"), true)
	if err != nil || !strings.Contains(d.Diff, "+BEE") {
		t.Fatalf("staged file diff by absolute path %+v %v", d, err)
	}
	if d, err := g.HeadDiff(ctx, dir, "b.txt"); err != nil || !strings.Contains(d, "-bee\n+BEE") {
		t.Fatalf("diff against HEAD (staged change): %q %v", d, err)
	}
	write(t, dir, map[string]string{"untracked.txt": "u"})
	if d, err := g.HeadDiff(ctx, dir, "untracked.txt"); err != nil || d != "" {
		t.Fatalf("untracked file diff %q %v", d, err)
	}
	fresh := tempDir(t)
	sh(t, fresh, "init", "-q")
	write(t, fresh, map[string]string{"x": "x"})
	if d, err := g.HeadDiff(ctx, fresh, "x"); err != nil || d != "" {
		t.Fatalf("diff before the first commit %q %v", d, err)
	}
	for _, bad := range []string{"../outside.txt", "/etc/passwd", "a.txt\x00"} {
		_, err = g.FileDiff(ctx, dir, bad, false)
		wantCode(t, err, CodePathNotAllowed)
	}
}

func TestOutputIsCapped(t *testing.T) {
	dir := newRepo(t, map[string]string{"big.txt": ""})
	write(t, dir, map[string]string{"big.txt": lines(5000, "changed")})
	_, err := New(launcher, Options{MaxOutput: 4096}).Diff(ctx, dir)
	wantCode(t, err, CodeFailed)
	if !strings.Contains(err.Error(), "more than") {
		t.Fatalf("error %v", err)
	}
}

// Cancelling the context kills git and what it started (here a hook that
// would sleep for a minute).
func TestCancelKillsGitAndItsChildren(t *testing.T) {
	dir := newRepo(t, map[string]string{"a.txt": "a"})
	marker := filepath.Join(dir, "hook-started")
	hook := "#!/bin/sh\ntouch " + marker + "\nexec sleep 60\n"
	if err := os.WriteFile(filepath.Join(dir, ".git/hooks/pre-commit"), []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, dir, map[string]string{"a.txt": "b"})
	sh(t, dir, "add", "a.txt")
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := New(launcher, Options{}).Commit(cctx, dir, "msg")
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !exists(marker) {
		if time.Now().After(deadline) {
			t.Fatal("hook never started")
		}
		time.Sleep(10 * time.Millisecond) // no event to wait on: the hook is another process
	}
	cancel()
	select {
	case err := <-done:
		wantCode(t, err, CodeFailed)
	case <-time.After(10 * time.Second):
		t.Fatal("commit did not return after cancel")
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func TestSanitizeAndAuthClassification(t *testing.T) {
	in := "fatal: unable to access 'https://user:s3cret@example.com/r.git/': The requested URL returned error: 500\n\nhint: token abcd1234 used\n"
	got := Sanitize(in, "abcd1234")
	want := "unable to access 'https://***@example.com/r.git/': The requested URL returned error: 500\nhint: token *** used"
	if got != want {
		t.Fatalf("sanitize\n got %q\nwant %q", got, want)
	}
	for _, msg := range []string{
		"fatal: could not read Username for 'https://github.com': terminal prompts disabled",
		"remote: Invalid username or password.\nfatal: Authentication failed for 'https://x/'",
		"git@github.com: Permission denied (publickey).",
		"fatal: repository 'https://github.com/x/private.git/' not found",
		"fatal: unable to access 'https://h/': The requested URL returned error: 403",
	} {
		e := failure("git push", result{stderr: []byte(msg), exit: 128}, nil)
		if e.Code != CodeAuthRequired || e.Message != AuthRequiredMessage {
			t.Errorf("%q: got %s", msg, e.Code)
		}
	}
	if RedactURL("https://u:p@h/x") != "https://***@h/x" || RedactURL("https://h/x") != "https://h/x" {
		t.Fatal("RedactURL")
	}
}
