package api_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/apitest"
)

// gitIsolate keeps every git the test and the server run away from the
// machine's configuration and gives commits an identity. Call it before
// apitest.Start: the server passes its environment on to git.
func gitIsolate(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	for k, v := range map[string]string{
		"GIT_CONFIG_GLOBAL":   filepath.Join(home, ".gitconfig"),
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME":     "Test",
		"GIT_AUTHOR_EMAIL":    "test@example.com",
		"GIT_COMMITTER_NAME":  "Test",
		"GIT_COMMITTER_EMAIL": "test@example.com",
	} {
		t.Setenv(k, v)
	}
}

// gitsh runs git directly to arrange fixtures.
func gitsh(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// gitProject starts a server whose project "proj" is a repository on main
// with one commit of files.
func gitProject(t *testing.T, env map[string]string, files map[string]string) (*apitest.Env, string, string) {
	t.Helper()
	gitIsolate(t)
	e, p, dir := wsProject(t, env, files)
	gitsh(t, dir, "init", "-q", "--initial-branch=main")
	gitsh(t, dir, "add", "-A")
	gitsh(t, dir, "commit", "-q", "--allow-empty", "-m", "initial")
	return e, p.ID, dir
}

// gitFailed asserts the 200 {success:false, error:code} answer of a git
// failure and returns its message.
func gitFailed(t *testing.T, r *apitest.Response, code string) string {
	t.Helper()
	m := r.Map(t)
	if r.StatusCode != 200 || m["success"] != false || m["error"] != code {
		t.Fatalf("%s %s: %d %s, want 200 success:false %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, r.Body, code)
	}
	msg, _ := m["message"].(string)
	return msg
}

func gitOK(t *testing.T, e *apitest.Env, method, path string, body any) map[string]any {
	t.Helper()
	r := e.Do(method, path, body)
	m := r.Map(t)
	if r.StatusCode != 200 || m["success"] == false || (m["ok"] != nil && m["ok"] != true) {
		t.Fatalf("%s %s: %d %s", method, path, r.StatusCode, r.Body)
	}
	return m
}

func TestGitOutsideARepositoryAndInit(t *testing.T) {
	gitIsolate(t)
	e, p, dir := wsProject(t, nil, map[string]string{"a.txt": "a"})
	for _, route := range []string{"status", "diff", "diff/staged", "log", "branches", "remotes", "worktrees"} {
		m := e.Expect(200, "GET", "/api/v1/git/"+route+q("projectId", p.ID), nil).Map(t)
		if m["isGitRepo"] != false {
			t.Fatalf("%s: %v", route, m)
		}
		for _, k := range []string{"files", "commits", "branches", "remotes", "worktrees"} {
			if v, ok := m[k]; ok && (v == nil || len(v.([]any)) != 0) {
				t.Fatalf("%s: %s should be [] %v", route, k, m)
			}
		}
	}
	out := e.Expect(200, "POST", "/api/v1/git/init", map[string]string{"projectId": p.ID}).Map(t)
	if out["alreadyInitialised"] != false || out["isGitRepo"] != true {
		t.Fatalf("init %v", out)
	}
	if out := e.Expect(200, "POST", "/api/v1/git/init", map[string]string{"projectId": p.ID}).Map(t); out["alreadyInitialised"] != true {
		t.Fatalf("second init %v", out)
	}
	if b := strings.TrimSpace(gitsh(t, dir, "symbolic-ref", "--short", "HEAD")); b != "main" {
		t.Fatalf("initial branch %q", b)
	}
	// The fresh repository takes its first stage and commit.
	gitOK(t, e, "POST", "/api/v1/git/stage", map[string]any{"projectId": p.ID, "paths": []string{"a.txt"}})
	if m := gitOK(t, e, "POST", "/api/v1/git/commit", map[string]any{"projectId": p.ID, "message": "first"}); len(m["hash"].(string)) != 40 {
		t.Fatalf("commit %v", m)
	}
	for _, path := range []string{"/api/v1/git/status" + q("projectId", "nope"), "/api/v1/git/log" + q("projectId", "nope")} {
		expectError(t, e.Do("GET", path, nil), 404, "project_not_found")
	}
	expectError(t, e.Do("POST", "/api/v1/git/init", map[string]string{"projectId": "nope"}), 404, "project_not_found")
}

func TestGitStageHunksCommitRevert(t *testing.T) {
	var b strings.Builder
	for i := range 60 {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	base := b.String()
	e, id, dir := gitProject(t, nil, map[string]string{"f.txt": base, "keep.txt": "keep\n"})
	ls := strings.SplitAfter(base, "\n")
	ls[0], ls[30], ls[58] = "TOP\n", "MIDDLE\n", "BOTTOM\n"
	writeFiles(t, dir, map[string]string{"f.txt": strings.Join(ls, ""), "new.txt": "new\n", "keep.txt": "changed\n"})

	var st struct {
		IsGitRepo bool
		Branch    string
		Files     []struct {
			Path, Kind, Code string
			Staged, Unstaged bool
		}
	}
	e.Expect(200, "GET", "/api/v1/git/status"+q("projectId", id), nil).JSON(t, &st)
	kinds := map[string]string{}
	for _, f := range st.Files {
		kinds[f.Path] = f.Kind + " " + f.Code
	}
	if st.Branch != "main" || kinds["f.txt"] != "modified  M" || kinds["new.txt"] != "untracked ??" {
		t.Fatalf("status %+v", st)
	}
	diff := e.Expect(200, "GET", "/api/v1/git/diff"+q("projectId", id), nil).Map(t)["diff"].(string)
	if !strings.Contains(diff, "+TOP") || !strings.Contains(diff, "+changed") {
		t.Fatalf("diff %s", diff)
	}
	fileDiff := e.Expect(200, "GET", "/api/v1/git/diff/file"+q("projectId", id, "path", "f.txt"), nil).Map(t)["diff"].(string)
	if strings.Contains(fileDiff, "changed") || strings.Count(fileDiff, "\n@@ -") != 3 {
		t.Fatalf("file diff %s", fileDiff)
	}

	// Stage the middle hunk only.
	m := gitOK(t, e, "POST", "/api/v1/git/apply-hunks", map[string]any{"projectId": id, "path": "f.txt", "mode": "stage", "hunkIndices": []int{1}})
	if m["totalHunks"] != float64(3) {
		t.Fatalf("apply-hunks %v", m)
	}
	staged := e.Expect(200, "GET", "/api/v1/git/diff/staged"+q("projectId", id), nil).Map(t)["diff"].(string)
	if !strings.Contains(staged, "+MIDDLE") || strings.Contains(staged, "TOP") || strings.Contains(staged, "BOTTOM") {
		t.Fatalf("staged %s", staged)
	}
	stagedFile := e.Expect(200, "GET", "/api/v1/git/diff/file"+q("projectId", id, "path", filepath.Join(dir, "f.txt"), "staged", "1"), nil).Map(t)["diff"].(string)
	if stagedFile != staged {
		t.Fatalf("staged file diff differs:\n%s\n%s", stagedFile, staged)
	}
	r := e.Do("POST", "/api/v1/git/apply-hunks", map[string]any{"projectId": id, "path": "f.txt", "mode": "stage", "hunkIndices": []int{7}})
	if m := r.Map(t); r.StatusCode != 200 || m["ok"] != false || m["error"] != "hunk_index_out_of_range" {
		t.Fatalf("out of range %d %s", r.StatusCode, r.Body)
	}
	expectError(t, e.Do("POST", "/api/v1/git/apply-hunks", map[string]any{"projectId": id, "path": "f.txt", "mode": "sideways", "hunkIndices": []int{0}}), 400, "invalid_body")
	expectError(t, e.Do("POST", "/api/v1/git/apply-hunks", map[string]any{"projectId": id, "path": "f.txt", "mode": "stage", "hunkIndices": []int{}}), 400, "invalid_body")

	// Stage and unstage whole files; paths outside are refused.
	gitOK(t, e, "POST", "/api/v1/git/stage", map[string]any{"projectId": id, "paths": []string{"new.txt", "keep.txt"}})
	gitOK(t, e, "POST", "/api/v1/git/unstage", map[string]any{"projectId": id, "paths": []string{"keep.txt"}})
	expectError(t, e.Do("POST", "/api/v1/git/stage", map[string]any{"projectId": id, "paths": []string{"../../etc/passwd"}}), 403, "path_not_allowed")
	expectError(t, e.Do("POST", "/api/v1/git/stage", map[string]any{"projectId": id, "paths": []string{}}), 400, "invalid_body")
	expectError(t, e.Do("POST", "/api/v1/git/stage", map[string]any{"projectId": id, "paths": []string{strings.Repeat("a", 5000)}}), 400, "invalid_body")

	expectError(t, e.Do("POST", "/api/v1/git/commit", map[string]any{"projectId": id, "message": "  "}), 400, "empty_message")
	hash := gitOK(t, e, "POST", "/api/v1/git/commit", map[string]any{"projectId": id, "message": "middle and new"})["hash"].(string)
	var log struct {
		Commits []struct {
			Hash, Message string
			Parents, Refs []string
		}
	}
	e.Expect(200, "GET", "/api/v1/git/log"+q("projectId", id, "limit", "1"), nil).JSON(t, &log)
	if len(log.Commits) != 1 || log.Commits[0].Hash != hash || log.Commits[0].Message != "middle and new" || len(log.Commits[0].Parents) != 1 {
		t.Fatalf("log %+v", log)
	}
	committed := gitsh(t, dir, "show", "--stat", "HEAD")
	if !strings.Contains(committed, "new.txt") || strings.Contains(committed, "keep.txt") {
		t.Fatalf("commit content %s", committed)
	}

	// Revert discards; reverting an untracked file is git's refusal.
	gitOK(t, e, "POST", "/api/v1/git/revert", map[string]any{"projectId": id, "paths": []string{"keep.txt"}})
	if readFile(t, filepath.Join(dir, "keep.txt")) != "keep\n" {
		t.Fatal("revert did not restore")
	}
	writeFiles(t, dir, map[string]string{"untracked.txt": "u"})
	gitFailed(t, e.Do("POST", "/api/v1/git/revert", map[string]any{"projectId": id, "paths": []string{"untracked.txt"}}), "git_failed")
}

func TestGitBranchesAndRemotes(t *testing.T) {
	e, id, dir := gitProject(t, nil, map[string]string{"a.txt": "a\n"})
	gitOK(t, e, "POST", "/api/v1/git/branch/create", map[string]any{"projectId": id, "name": "feature/x", "checkout": true})
	var br struct {
		Current  string
		Branches []struct {
			Name            string
			Current, Remote bool
		}
	}
	e.Expect(200, "GET", "/api/v1/git/branches"+q("projectId", id), nil).JSON(t, &br)
	if br.Current != "feature/x" || len(br.Branches) != 2 {
		t.Fatalf("branches %+v", br)
	}
	writeFiles(t, dir, map[string]string{"a.txt": "feature\n"})
	gitsh(t, dir, "commit", "-q", "-am", "feature work")
	gitOK(t, e, "POST", "/api/v1/git/checkout", map[string]any{"projectId": id, "branch": "main"})
	if readFile(t, filepath.Join(dir, "a.txt")) != "a\n" {
		t.Fatal("checkout did not switch")
	}
	expectError(t, e.Do("POST", "/api/v1/git/branch/create", map[string]any{"projectId": id, "name": "bad..name"}), 400, "invalid_branch_name")
	expectError(t, e.Do("POST", "/api/v1/git/checkout", map[string]any{"projectId": id, "branch": "-f"}), 400, "invalid_branch_name")
	gitFailed(t, e.Do("POST", "/api/v1/git/checkout", map[string]any{"projectId": id, "branch": "no-such-branch"}), "git_failed")

	// Unmerged: -d refuses (git's message), force deletes. The name has a
	// slash, sent escaped in the path.
	msg := gitFailed(t, e.Do("DELETE", "/api/v1/git/branch/"+url.PathEscape("feature/x")+q("projectId", id), nil), "git_failed")
	if !strings.Contains(msg, "not fully merged") {
		t.Fatalf("unmerged delete message %q", msg)
	}
	gitOK(t, e, "DELETE", "/api/v1/git/branch/"+url.PathEscape("feature/x")+q("projectId", id, "force", "1"), nil)
	if out := gitsh(t, dir, "branch", "--list", "feature/x"); out != "" {
		t.Fatalf("branch still there: %q", out)
	}

	bare := filepath.Join(t.TempDir(), "remote.git")
	gitsh(t, t.TempDir(), "init", "-q", "--bare", bare)
	gitOK(t, e, "POST", "/api/v1/git/remote/add", map[string]any{"projectId": id, "name": "origin", "url": bare, "insecureTls": true})
	var rem struct {
		Remotes []struct {
			Name, FetchURL, PushURL string
			InsecureTLS             bool
		}
	}
	e.Expect(200, "GET", "/api/v1/git/remotes"+q("projectId", id), nil).JSON(t, &rem)
	if len(rem.Remotes) != 1 || rem.Remotes[0].FetchURL != bare || !rem.Remotes[0].InsecureTLS {
		t.Fatalf("remotes %+v", rem)
	}
	gitOK(t, e, "POST", "/api/v1/git/remote/tls", map[string]any{"projectId": id, "name": "origin", "insecureTls": false})
	e.Expect(200, "GET", "/api/v1/git/remotes"+q("projectId", id), nil).JSON(t, &rem)
	if rem.Remotes[0].InsecureTLS {
		t.Fatal("tls exception still set")
	}
	expectError(t, e.Do("POST", "/api/v1/git/remote/add", map[string]any{"projectId": id, "name": "-bad", "url": bare}), 400, "invalid_branch_name")
	gitOK(t, e, "DELETE", "/api/v1/git/remote/origin"+q("projectId", id), nil)
	if out := gitsh(t, dir, "remote"); out != "" {
		t.Fatalf("remote still there: %q", out)
	}
	gitFailed(t, e.Do("DELETE", "/api/v1/git/remote/origin"+q("projectId", id), nil), "git_failed")
}

func TestGitPushPullFetch(t *testing.T) {
	e, id, dir := gitProject(t, map[string]string{"RATE_LIMIT_PUSH_MAX": "100"}, map[string]string{"readme.md": "hello\n"})
	bare := filepath.Join(t.TempDir(), "remote.git")
	gitsh(t, t.TempDir(), "init", "-q", "--bare", "--initial-branch=main", bare)
	gitsh(t, dir, "remote", "add", "origin", bare)

	// No upstream yet: git's refusal, explained; then set-upstream works.
	msg := gitFailed(t, e.Do("POST", "/api/v1/git/push", map[string]any{"projectId": id}), "git_failed")
	if !strings.Contains(msg, "upstream") {
		t.Fatalf("no-upstream message %q", msg)
	}
	out := gitOK(t, e, "POST", "/api/v1/git/push", map[string]any{"projectId": id, "setUpstream": true})
	if !strings.Contains(out["output"].(string), "origin/main") {
		t.Fatalf("push output %v", out)
	}
	gitsh(t, bare, "rev-parse", "--verify", "refs/heads/main")

	// Someone else pushes; fetch shows it behind, pull brings it.
	other := t.TempDir()
	gitsh(t, other, "clone", "-q", bare, ".")
	writeFiles(t, other, map[string]string{"theirs.txt": "theirs\n"})
	gitsh(t, other, "add", "theirs.txt")
	gitsh(t, other, "commit", "-q", "-m", "theirs")
	gitsh(t, other, "push", "-q")
	gitOK(t, e, "POST", "/api/v1/git/fetch", map[string]any{"projectId": id, "remote": "origin", "prune": true})
	st := e.Expect(200, "GET", "/api/v1/git/status"+q("projectId", id), nil).Map(t)
	if st["behind"] != float64(1) || st["upstream"] != "origin/main" {
		t.Fatalf("status after fetch %v", st)
	}
	gitOK(t, e, "POST", "/api/v1/git/pull", map[string]any{"projectId": id, "rebase": false})
	if readFile(t, filepath.Join(dir, "theirs.txt")) != "theirs\n" {
		t.Fatal("pull did not bring the file")
	}
	gitFailed(t, e.Do("POST", "/api/v1/git/fetch", map[string]any{"projectId": id, "remote": "nowhere"}), "git_failed")
}

func TestGitPushRateLimit(t *testing.T) {
	e, id, _ := gitProject(t, map[string]string{"RATE_LIMIT_PUSH_MAX": "2"}, map[string]string{"a": "a"})
	for range 2 {
		gitFailed(t, e.Do("POST", "/api/v1/git/push", map[string]any{"projectId": id}), "git_failed") // no remote
	}
	if r := e.Do("POST", "/api/v1/git/push", map[string]any{"projectId": id}); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("3rd push %d %s", r.StatusCode, r.Body)
	}
	// Other git routes have no limit.
	for range 5 {
		e.Expect(200, "GET", "/api/v1/git/status"+q("projectId", id), nil)
	}
}

// A remote that wants credentials gives git_auth_required, with neither
// the URL nor the password in anything the client sees.
func TestGitAuthRequired(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // git hangs up after the handshake when it gives up
	srv.StartTLS()
	t.Cleanup(srv.Close)
	e, id, _ := gitProject(t, nil, map[string]string{"a": "a"})
	u, _ := url.Parse(srv.URL + "/secret-org/private.git")
	u.User = url.UserPassword("someone", "hunter2-pass")
	gitOK(t, e, "POST", "/api/v1/git/remote/add", map[string]any{"projectId": id, "name": "origin", "url": u.String(), "insecureTls": true})
	rem := e.Expect(200, "GET", "/api/v1/git/remotes"+q("projectId", id), nil)
	if strings.Contains(string(rem.Body), "hunter2-pass") {
		t.Fatalf("password in remotes: %s", rem.Body)
	}
	for _, route := range []string{"fetch", "pull", "push"} {
		r := e.Do("POST", "/api/v1/git/"+route, map[string]any{"projectId": id, "remote": "origin", "branch": "main"})
		msg := gitFailed(t, r, "git_auth_required")
		if strings.Contains(string(r.Body), "hunter2-pass") || strings.Contains(string(r.Body), "secret-org") || msg == "" {
			t.Fatalf("%s leaks: %s", route, r.Body)
		}
	}
}

func TestGitWorktreePath(t *testing.T) {
	e, id, dir := gitProject(t, nil, map[string]string{"a": "a"})
	wt := filepath.Join(filepath.Dir(dir), "wt")
	gitsh(t, dir, "worktree", "add", "-q", "-b", "wt-branch", wt)
	var list struct {
		Worktrees []struct {
			Path, Branch string
			Current      bool
		}
	}
	e.Expect(200, "GET", "/api/v1/git/worktrees"+q("projectId", id), nil).JSON(t, &list)
	if len(list.Worktrees) != 2 || list.Worktrees[1].Path != wt || list.Worktrees[1].Branch != "wt-branch" || !list.Worktrees[0].Current {
		t.Fatalf("worktrees %+v", list)
	}
	writeFiles(t, wt, map[string]string{"only-in-wt.txt": "x"})
	st := e.Expect(200, "GET", "/api/v1/git/status"+q("projectId", id, "worktreePath", wt), nil).Map(t)
	if st["branch"] != "wt-branch" || len(st["files"].([]any)) != 1 {
		t.Fatalf("worktree status %v", st)
	}
	gitOK(t, e, "POST", "/api/v1/git/stage", map[string]any{"projectId": id, "worktreePath": wt, "paths": []string{"only-in-wt.txt"}})
	if out := gitsh(t, wt, "diff", "--cached", "--name-only"); strings.TrimSpace(out) != "only-in-wt.txt" {
		t.Fatalf("staged in worktree: %q", out)
	}
	other := t.TempDir()
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{other, "relative", filepath.Join(dir, "..")} {
		expectError(t, e.Do("GET", "/api/v1/git/status"+q("projectId", id, "worktreePath", bad), nil), 400, "invalid_worktree_path")
		expectError(t, e.Do("POST", "/api/v1/git/commit", map[string]any{"projectId": id, "worktreePath": bad, "message": "x"}), 400, "invalid_worktree_path")
	}
}
