package gitx

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// withRemote makes a bare repository, a clone "a" that pushed main to it,
// and returns both.
func withRemote(t *testing.T) (bare, a string) {
	t.Helper()
	bare = tempDir(t)
	sh(t, bare, "init", "-q", "--bare", "--initial-branch=main")
	a = newRepo(t, map[string]string{"readme.md": "hello\n"})
	sh(t, a, "remote", "add", "origin", bare)
	sh(t, a, "push", "-q", "-u", "origin", "main")
	return bare, a
}

func TestLogWithParentsAndRefs(t *testing.T) {
	g := New(launcher, Options{})
	_, dir := withRemote(t)
	sh(t, dir, "checkout", "-q", "-b", "feature")
	write(t, dir, map[string]string{"f.txt": "f"})
	sh(t, dir, "add", "f.txt")
	sh(t, dir, "commit", "-q", "-m", "feature work")
	sh(t, dir, "checkout", "-q", "main")
	write(t, dir, map[string]string{"m.txt": "m"})
	sh(t, dir, "add", "m.txt")
	sh(t, dir, "commit", "-q", "-m", "main work")
	sh(t, dir, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
	sh(t, dir, "tag", "v1.0")

	log, err := g.Log(ctx, dir, 0)
	if err != nil || !log.IsGitRepo || len(log.Commits) != 4 {
		t.Fatalf("log %+v %v", log, err)
	}
	merge := log.Commits[0]
	if merge.Message != "merge feature" || len(merge.Parents) != 2 || merge.Author != "Test" || !strings.Contains(merge.Date, "T") {
		t.Fatalf("merge commit %+v", merge)
	}
	if !reflect.DeepEqual(merge.Refs, []string{"HEAD -> main", "tag: v1.0"}) {
		t.Fatalf("refs %v", merge.Refs)
	}
	root := log.Commits[len(log.Commits)-1]
	if root.Message != "initial" || len(root.Parents) != 0 || root.Parents == nil || !reflect.DeepEqual(root.Refs, []string{"origin/main"}) {
		t.Fatalf("root commit %+v", root)
	}
	if one, _ := g.Log(ctx, dir, -3); len(one.Commits) != 1 {
		t.Fatalf("limit clamp: %d commits", len(one.Commits))
	}
}

func TestBranches(t *testing.T) {
	g := New(launcher, Options{})
	bare, dir := withRemote(t)
	other := tempDir(t)
	sh(t, other, "clone", "-q", bare, ".")
	sh(t, other, "checkout", "-q", "-b", "topic")
	write(t, other, map[string]string{"t.txt": "t"})
	sh(t, other, "add", "t.txt")
	sh(t, other, "commit", "-q", "-m", "topic")
	sh(t, other, "push", "-q", "origin", "topic")
	sh(t, dir, "fetch", "-q", "origin")

	if err := g.CreateBranch(ctx, dir, "feature/x", "", false); err != nil {
		t.Fatal(err)
	}
	if err := g.CreateBranch(ctx, dir, "from-topic", "origin/topic", true); err != nil {
		t.Fatal(err)
	}
	br, err := g.Branches(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Branch{
		{Name: "feature/x"}, {Name: "from-topic", Current: true}, {Name: "main"},
		{Name: "origin/main", Remote: true}, {Name: "origin/topic", Remote: true},
	}
	if br.Current != "from-topic" || !reflect.DeepEqual(br.Branches, want) {
		t.Fatalf("branches %+v", br)
	}
	if err := g.Checkout(ctx, dir, "main"); err != nil {
		t.Fatal(err)
	}
	// A remote branch checks out as a new local tracking branch.
	if err := g.Checkout(ctx, dir, "origin/topic"); err != nil {
		t.Fatal(err)
	}
	if cur := strings.TrimSpace(sh(t, dir, "rev-parse", "--abbrev-ref", "HEAD")); cur != "topic" {
		t.Fatalf("checked out %s", cur)
	}
	if up := strings.TrimSpace(sh(t, dir, "rev-parse", "--abbrev-ref", "topic@{upstream}")); up != "origin/topic" {
		t.Fatalf("upstream %s", up)
	}
	// ... and again: the local branch now exists and is reused.
	sh(t, dir, "checkout", "-q", "main")
	if err := g.Checkout(ctx, dir, "origin/topic"); err != nil {
		t.Fatal(err)
	}
	// A dirty tree that checkout would overwrite is refused with git's message.
	sh(t, dir, "checkout", "-q", "main")
	write(t, dir, map[string]string{"readme.md": "dirty\n"})
	sh(t, dir, "checkout", "-q", "-b", "diverged")
	sh(t, dir, "commit", "-q", "-am", "diverge")
	write(t, dir, map[string]string{"readme.md": "dirtier\n"})
	err = g.Checkout(ctx, dir, "main")
	wantCode(t, err, CodeFailed)
	if !strings.Contains(err.Error(), "would be overwritten") {
		t.Fatalf("message %v", err)
	}
	sh(t, dir, "checkout", "-q", "-f", "main")

	wantCode(t, g.DeleteBranch(ctx, dir, "diverged", false), CodeFailed) // not merged
	if err := g.DeleteBranch(ctx, dir, "diverged", true); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "-D", "a..b", "a b", "x.lock", "@{-1}", "HEAD", "ends/", "a\x00b"} {
		wantCode(t, g.CreateBranch(ctx, dir, bad, "", false), CodeInvalidBranchName)
		wantCode(t, g.DeleteBranch(ctx, dir, bad, true), CodeInvalidBranchName)
	}
	wantCode(t, g.CreateBranch(ctx, dir, "ok", "--orphan", false), CodeInvalidBranchName)
	wantCode(t, g.Checkout(ctx, dir, "--orphan"), CodeInvalidBranchName)
	wantCode(t, g.Checkout(ctx, dir, "no-such-branch"), CodeFailed)
}

func TestRemotes(t *testing.T) {
	g := New(launcher, Options{})
	bare, dir := withRemote(t)
	if err := g.AddRemote(ctx, dir, "mirror", "https://git.example.com/team/repo.git", true); err != nil {
		t.Fatal(err)
	}
	if err := g.AddRemote(ctx, dir, "creds", "https://me:hunter2@git.example.com/x.git", false); err != nil {
		t.Fatal(err)
	}
	rs, err := g.Remotes(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Remote{
		{Name: "creds", FetchURL: "https://***@git.example.com/x.git", PushURL: "https://***@git.example.com/x.git"},
		{Name: "mirror", FetchURL: "https://git.example.com/team/repo.git", PushURL: "https://git.example.com/team/repo.git", InsecureTLS: true},
		{Name: "origin", FetchURL: bare, PushURL: bare},
	}
	if !reflect.DeepEqual(rs.Remotes, want) {
		t.Fatalf("remotes\n got %+v\nwant %+v", rs.Remotes, want)
	}
	if v := strings.TrimSpace(sh(t, dir, "config", "--local", "http.https://git.example.com/team/repo.git.sslVerify")); v != "false" {
		t.Fatalf("sslVerify config %q", v)
	}
	if out, _ := gitOut(t, dir, "config", "--global", "--list"); strings.Contains(out, "sslverify") {
		t.Fatal("TLS exception leaked into global config")
	}
	if err := g.SetRemoteInsecureTLS(ctx, dir, "mirror", false); err != nil {
		t.Fatal(err)
	}
	if err := g.SetRemoteInsecureTLS(ctx, dir, "origin", true); err != nil {
		t.Fatal(err)
	}
	rs, _ = g.Remotes(ctx, dir)
	if rs.Remotes[1].InsecureTLS || !rs.Remotes[2].InsecureTLS {
		t.Fatalf("after toggling %+v", rs.Remotes)
	}
	if err := g.RemoveRemote(ctx, dir, "origin"); err != nil {
		t.Fatal(err)
	}
	if out, _ := gitOut(t, dir, "config", "--local", "--list"); strings.Contains(out, "sslverify") {
		t.Fatalf("TLS exception left after remove:\n%s", out)
	}
	wantCode(t, g.RemoveRemote(ctx, dir, "origin"), CodeFailed)
	wantCode(t, g.AddRemote(ctx, dir, "bad name", "https://x/y", false), CodeInvalidBranchName)
	wantCode(t, g.AddRemote(ctx, dir, "-x", "https://x/y", false), CodeInvalidBranchName)
	wantCode(t, g.AddRemote(ctx, dir, "ok", "--upload-pack=evil", false), CodeInvalidBranchName)
	wantCode(t, g.AddRemote(ctx, dir, "mirror", "https://x/y", false), CodeFailed)
}

// gitOut runs git and returns output and error without failing the test.
func gitOut(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	res, err := New(launcher, Options{}).run(ctx, call{dir: dir, args: args})
	return string(res.stdout), err
}

func TestFetchPullPush(t *testing.T) {
	g := New(launcher, Options{})
	bare, a := withRemote(t)
	b := tempDir(t)
	sh(t, b, "clone", "-q", bare, ".")

	write(t, a, map[string]string{"from-a.txt": "a\n"})
	sh(t, a, "add", "from-a.txt")
	sh(t, a, "commit", "-q", "-m", "from a")
	out, err := g.Push(ctx, a, PushOptions{})
	if err != nil || !strings.Contains(out.Output, "main -> main") {
		t.Fatalf("push %+v %v", out, err)
	}
	if _, err := g.Fetch(ctx, b, FetchOptions{Remote: "origin", Prune: true}); err != nil {
		t.Fatal(err)
	}
	st, _ := g.Status(ctx, b)
	if st.Behind != 1 || st.Upstream != "origin/main" {
		t.Fatalf("status after fetch %+v", st)
	}
	rebase := false
	if _, err := g.Pull(ctx, b, PullOptions{Rebase: &rebase}); err != nil {
		t.Fatal(err)
	}
	if !exists(filepath.Join(b, "from-a.txt")) {
		t.Fatal("pull did not bring the file")
	}

	// A new branch without upstream: a clear message, then set-upstream works.
	sh(t, b, "checkout", "-q", "-b", "topic")
	write(t, b, map[string]string{"topic.txt": "t\n"})
	sh(t, b, "add", "topic.txt")
	sh(t, b, "commit", "-q", "-m", "topic")
	_, err = g.Push(ctx, b, PushOptions{})
	wantCode(t, err, CodeFailed)
	if !strings.Contains(err.Error(), NoUpstreamMessage) {
		t.Fatalf("no-upstream message: %v", err)
	}
	if _, err := g.Push(ctx, b, PushOptions{SetUpstream: true}); err != nil {
		t.Fatal(err)
	}
	if up := strings.TrimSpace(sh(t, b, "rev-parse", "--abbrev-ref", "topic@{upstream}")); up != "origin/topic" {
		t.Fatalf("upstream %s", up)
	}
	sh(t, bare, "rev-parse", "--verify", "refs/heads/topic")

	// A conflicting pull reports git's message and leaves the conflict.
	sh(t, b, "checkout", "-q", "main")
	write(t, a, map[string]string{"readme.md": "from a\n"})
	sh(t, a, "commit", "-q", "-am", "a edits readme")
	sh(t, a, "push", "-q")
	write(t, b, map[string]string{"readme.md": "from b\n"})
	sh(t, b, "commit", "-q", "-am", "b edits readme")
	_, err = g.Pull(ctx, b, PullOptions{Rebase: &rebase})
	wantCode(t, err, CodeFailed)
	if !strings.Contains(err.Error(), "CONFLICT") {
		t.Fatalf("pull conflict message: %v", err)
	}
	st, _ = g.Status(ctx, b)
	if len(st.Files) != 1 || st.Files[0].Kind != KindConflicted {
		t.Fatalf("status after conflict %+v", st.Files)
	}
	_, err = g.Fetch(ctx, b, FetchOptions{Remote: "no-such-remote"})
	wantCode(t, err, CodeFailed)
}

func TestWorktrees(t *testing.T) {
	g := New(launcher, Options{})
	dir := newRepo(t, map[string]string{"a": "a"})
	wt := filepath.Join(tempDir(t), "wt")
	sh(t, dir, "worktree", "add", "-q", "-b", "wt-branch", wt)

	list, err := g.Worktrees(ctx, dir)
	if err != nil || len(list.Worktrees) != 2 {
		t.Fatalf("worktrees %+v %v", list, err)
	}
	main, other := list.Worktrees[0], list.Worktrees[1]
	if main.Path != dir || !main.Current || main.Branch != "main" || len(main.Head) != 40 {
		t.Fatalf("main worktree %+v", main)
	}
	if other.Path != wt || other.Current || other.Branch != "wt-branch" {
		t.Fatalf("second worktree %+v", other)
	}
	got, err := g.Worktree(ctx, dir, wt)
	if err != nil || got != wt {
		t.Fatalf("resolve %q %v", got, err)
	}
	if got, _ := g.Worktree(ctx, dir, ""); got != dir {
		t.Fatalf("empty worktree path gave %q", got)
	}
	for _, bad := range []string{"relative/wt", tempDir(t), "/"} {
		_, err := g.Worktree(ctx, dir, bad)
		wantCode(t, err, CodeInvalidWorktreePath)
	}
	if err := os.WriteFile(filepath.Join(wt, "x.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, _ := g.Status(ctx, wt)
	if st.Branch != "wt-branch" || len(st.Files) != 1 {
		t.Fatalf("status in worktree %+v", st)
	}
}
