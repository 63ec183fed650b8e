package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/gitx"
	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/server"
)

// Git is what the git routes need.
type Git struct {
	Projects  *projects.Store
	Git       *gitx.Git
	PushLimit server.RateLimit
}

// GitOK is the answer of git routes that only change state.
type GitOK struct {
	OK bool `json:"ok"`
}

// gitFailureDoc explains the failure shape every git route shares.
const gitFailureDoc = "When git itself fails the answer is still 200: " +
	`{"success":false,"error":"git_failed"|"git_auth_required","message":"<sanitised git output>"}. ` +
	"Bad input stays 4xx (invalid_branch_name, invalid_worktree_path, path_not_allowed, project_not_found). See docs/api.md."

// GitQuery addresses the repository of a GET or DELETE.
type GitQuery struct {
	ProjectID    string `query:"projectId" required:"true" minLength:"1"`
	WorktreePath string `query:"worktreePath" doc:"a work tree listed by /git/worktrees; default: the project"`
}

// GitTarget addresses the repository of a POST.
type GitTarget struct {
	ProjectID    string `json:"projectId" minLength:"1"`
	WorktreePath string `json:"worktreePath,omitempty" doc:"a work tree listed by /git/worktrees; default: the project"`
}

// GitPathsBody is POST /git/stage, /git/unstage and /git/revert.
type GitPathsBody struct {
	GitTarget
	Paths []string `json:"paths" minItems:"1" maxItems:"1000" doc:"repo-relative or absolute paths, each at most 4096 bytes"`
}

// GitHunksBody is POST /git/apply-hunks.
type GitHunksBody struct {
	GitTarget
	Path        string `json:"path" minLength:"1" maxLength:"4096"`
	Mode        string `json:"mode" enum:"stage,unstage"`
	HunkIndices []int  `json:"hunkIndices" minItems:"1" maxItems:"1000" doc:"0-based hunk numbers, each 0..10000"`
}

// GitCommitBody is POST /git/commit.
type GitCommitBody struct {
	GitTarget
	Message string `json:"message" maxLength:"100000"`
}

// GitCheckoutBody is POST /git/checkout.
type GitCheckoutBody struct {
	GitTarget
	Branch string `json:"branch" minLength:"1" maxLength:"250"`
}

// GitCreateBranchBody is POST /git/branch/create.
type GitCreateBranchBody struct {
	GitTarget
	Name       string `json:"name" minLength:"1" maxLength:"250"`
	StartPoint string `json:"startPoint,omitempty" maxLength:"250"`
	Checkout   bool   `json:"checkout,omitempty"`
}

// GitAddRemoteBody is POST /git/remote/add.
type GitAddRemoteBody struct {
	GitTarget
	Name        string `json:"name" minLength:"1" maxLength:"250"`
	URL         string `json:"url" minLength:"1" maxLength:"1024"`
	InsecureTLS bool   `json:"insecureTls,omitempty" doc:"skip TLS verification for this remote's URL only"`
}

// GitRemoteTLSBody is POST /git/remote/tls.
type GitRemoteTLSBody struct {
	GitTarget
	Name        string `json:"name" minLength:"1" maxLength:"250"`
	InsecureTLS bool   `json:"insecureTls"`
}

// GitFetchBody is POST /git/fetch.
type GitFetchBody struct {
	GitTarget
	Remote string `json:"remote,omitempty" maxLength:"250"`
	Prune  bool   `json:"prune,omitempty"`
}

// GitPullBody is POST /git/pull.
type GitPullBody struct {
	GitTarget
	Remote string `json:"remote,omitempty" maxLength:"250"`
	Branch string `json:"branch,omitempty" maxLength:"250"`
	Rebase *bool  `json:"rebase,omitempty" doc:"true: --rebase, false: merge, absent: git's configuration"`
}

// GitPushBody is POST /git/push.
type GitPushBody struct {
	GitTarget
	Remote      string `json:"remote,omitempty" maxLength:"250"`
	Branch      string `json:"branch,omitempty" maxLength:"250"`
	SetUpstream bool   `json:"setUpstream,omitempty"`
}

// RegisterGit mounts the git panel's routes (api-contract §1.9).
func RegisterGit(api huma.API, d Git) {
	registerGitViews(api, d)
	registerGitChanges(api, d)
	registerGitRefs(api, d)
	registerGitSync(api, d)
}

func gitOp(method, path, id, summary string) huma.Operation {
	op := server.Op(method, path, id, summary, "Git")
	op.MaxBodyBytes = 1 << 20
	op.Description = gitFailureDoc
	return op
}

// registerGitViews mounts the read-only views: a folder that is not a
// repository answers isGitRepo:false with empty data.
func registerGitViews(api huma.API, d Git) {
	huma.Register(api, gitOp(http.MethodPost, "/git/init", "gitInit", "Make the project a repository (first branch main)"),
		func(ctx context.Context, in *struct {
			Body struct {
				ProjectID string `json:"projectId" minLength:"1"`
			}
		}) (*struct{ Body gitx.InitResult }, error) {
			dir, err := projectPath(d.Projects, in.Body.ProjectID)
			if err != nil {
				return nil, err
			}
			return gitBody(d.Git.Init(ctx, dir))
		})
	gitView(api, d, "/git/status", "gitStatus", "Changed, staged and untracked files", d.Git.Status)
	gitView(api, d, "/git/diff", "gitDiff", "Work tree against the index", d.Git.Diff)
	gitView(api, d, "/git/diff/staged", "gitDiffStaged", "Index against HEAD", d.Git.StagedDiff)
	gitView(api, d, "/git/branches", "gitBranches", "Local and remote-tracking branches", d.Git.Branches)
	gitView(api, d, "/git/remotes", "gitRemotes", "Remotes with their URLs", d.Git.Remotes)
	huma.Register(api, gitOp(http.MethodGet, "/git/worktrees", "gitWorktrees", "The repository's work trees"),
		func(ctx context.Context, in *struct {
			ProjectID string `query:"projectId" required:"true" minLength:"1"`
		}) (*struct{ Body gitx.Worktrees }, error) {
			dir, err := projectPath(d.Projects, in.ProjectID)
			if err != nil {
				return nil, err
			}
			return gitBody(d.Git.Worktrees(ctx, dir))
		})
	huma.Register(api, gitOp(http.MethodGet, "/git/diff/file", "gitDiffFile", "One file's diff"),
		func(ctx context.Context, in *struct {
			GitQuery
			Path   string `query:"path" required:"true" minLength:"1" maxLength:"4096" doc:"repo-relative, or absolute inside the repository"`
			Staged bool   `query:"staged" doc:"index against HEAD instead of work tree against index"`
		}) (*struct{ Body gitx.Diff }, error) {
			dir, err := d.dir(ctx, in.ProjectID, in.WorktreePath)
			if err != nil {
				return nil, err
			}
			return gitBody(d.Git.FileDiff(ctx, dir, in.Path, in.Staged))
		})
	huma.Register(api, gitOp(http.MethodGet, "/git/log", "gitLog", "Commits of every branch, tag and remote, in topological order"),
		func(ctx context.Context, in *struct {
			GitQuery
			Limit int `query:"limit" minimum:"1" maximum:"1000" default:"30"`
		}) (*struct{ Body gitx.Log }, error) {
			dir, err := d.dir(ctx, in.ProjectID, in.WorktreePath)
			if err != nil {
				return nil, err
			}
			return gitBody(d.Git.Log(ctx, dir, in.Limit))
		})
}

// gitView registers a GET that only needs the repository directory.
func gitView[T any](api huma.API, d Git, path, id, summary string, f func(context.Context, string) (T, error)) {
	huma.Register(api, gitOp(http.MethodGet, path, id, summary),
		func(ctx context.Context, in *GitQuery) (*struct{ Body T }, error) {
			dir, err := d.dir(ctx, in.ProjectID, in.WorktreePath)
			if err != nil {
				return nil, err
			}
			return gitBody(f(ctx, dir))
		})
}

func registerGitChanges(api huma.API, d Git) {
	paths := func(path, id, summary string, f func(context.Context, string, []string) error) {
		huma.Register(api, gitOp(http.MethodPost, path, id, summary),
			func(ctx context.Context, in *struct{ Body GitPathsBody }) (*struct{ Body GitOK }, error) {
				for _, p := range in.Body.Paths {
					if len(p) == 0 || len(p) > 4096 {
						return nil, server.Errorf(http.StatusBadRequest, "invalid_body", "body.paths: each path must be 1..4096 bytes")
					}
				}
				return d.change(ctx, in.Body.GitTarget, func(dir string) error { return f(ctx, dir, in.Body.Paths) })
			})
	}
	paths("/git/stage", "gitStage", "Stage paths", d.Git.Stage)
	paths("/git/unstage", "gitUnstage", "Unstage paths", d.Git.Unstage)
	paths("/git/revert", "gitRevert", "Discard the paths' changes (index and work tree back to HEAD)", d.Git.Revert)
	hunks := gitOp(http.MethodPost, "/git/apply-hunks", "gitApplyHunks", "Stage or unstage chosen hunks of one file")
	hunks.Description = `Problems with the hunks come back as 200 {ok:false, error: binary_or_no_hunks|no_diff|hunk_index_out_of_range|git_apply_failed|no_hunks_selected|git_spawn_failed, totalHunks}. ` + gitFailureDoc
	huma.Register(api, hunks, func(ctx context.Context, in *struct{ Body GitHunksBody }) (*struct{ Body gitx.HunkResult }, error) {
		for _, i := range in.Body.HunkIndices {
			if i < 0 || i > 10000 {
				return nil, server.Errorf(http.StatusBadRequest, "invalid_body", "body.hunkIndices: each index must be 0..10000")
			}
		}
		dir, err := d.dir(ctx, in.Body.ProjectID, in.Body.WorktreePath)
		if err != nil {
			return nil, err
		}
		return gitBody(d.Git.ApplyHunks(ctx, dir, in.Body.Path, in.Body.Mode, in.Body.HunkIndices))
	})
	huma.Register(api, gitOp(http.MethodPost, "/git/commit", "gitCommit", "Commit the index (hooks run)"),
		func(ctx context.Context, in *struct{ Body GitCommitBody }) (*struct{ Body gitx.CommitResult }, error) {
			dir, err := d.dir(ctx, in.Body.ProjectID, in.Body.WorktreePath)
			if err != nil {
				return nil, err
			}
			return gitBody(d.Git.Commit(ctx, dir, in.Body.Message))
		})
}

func registerGitRefs(api huma.API, d Git) {
	huma.Register(api, gitOp(http.MethodPost, "/git/checkout", "gitCheckout", "Switch branches (origin/x creates a tracking branch)"),
		func(ctx context.Context, in *struct{ Body GitCheckoutBody }) (*struct{ Body GitOK }, error) {
			return d.change(ctx, in.Body.GitTarget, func(dir string) error { return d.Git.Checkout(ctx, dir, in.Body.Branch) })
		})
	huma.Register(api, gitOp(http.MethodPost, "/git/branch/create", "gitCreateBranch", "Create a branch"),
		func(ctx context.Context, in *struct{ Body GitCreateBranchBody }) (*struct{ Body GitOK }, error) {
			b := in.Body
			return d.change(ctx, b.GitTarget, func(dir string) error {
				return d.Git.CreateBranch(ctx, dir, b.Name, b.StartPoint, b.Checkout)
			})
		})
	huma.Register(api, gitOp(http.MethodDelete, "/git/branch/{name}", "gitDeleteBranch", "Delete a local branch"),
		func(ctx context.Context, in *struct {
			GitQuery
			Name  string `path:"name" maxLength:"250"`
			Force bool   `query:"force" doc:"delete even when not merged (-D)"`
		}) (*struct{ Body GitOK }, error) {
			t := GitTarget{ProjectID: in.ProjectID, WorktreePath: in.WorktreePath}
			return d.change(ctx, t, func(dir string) error { return d.Git.DeleteBranch(ctx, dir, in.Name, in.Force) })
		})
	huma.Register(api, gitOp(http.MethodPost, "/git/remote/add", "gitAddRemote", "Add a remote"),
		func(ctx context.Context, in *struct{ Body GitAddRemoteBody }) (*struct{ Body GitOK }, error) {
			b := in.Body
			return d.change(ctx, b.GitTarget, func(dir string) error { return d.Git.AddRemote(ctx, dir, b.Name, b.URL, b.InsecureTLS) })
		})
	huma.Register(api, gitOp(http.MethodPost, "/git/remote/tls", "gitRemoteTLS", "Turn TLS verification off or on for a remote"),
		func(ctx context.Context, in *struct{ Body GitRemoteTLSBody }) (*struct{ Body GitOK }, error) {
			b := in.Body
			return d.change(ctx, b.GitTarget, func(dir string) error {
				return d.Git.SetRemoteInsecureTLS(ctx, dir, b.Name, b.InsecureTLS)
			})
		})
	huma.Register(api, gitOp(http.MethodDelete, "/git/remote/{name}", "gitRemoveRemote", "Remove a remote"),
		func(ctx context.Context, in *struct {
			GitQuery
			Name string `path:"name" maxLength:"250"`
		}) (*struct{ Body GitOK }, error) {
			t := GitTarget{ProjectID: in.ProjectID, WorktreePath: in.WorktreePath}
			return d.change(ctx, t, func(dir string) error { return d.Git.RemoveRemote(ctx, dir, in.Name) })
		})
}

func registerGitSync(api huma.API, d Git) {
	huma.Register(api, gitOp(http.MethodPost, "/git/fetch", "gitFetch", "Fetch a remote"),
		func(ctx context.Context, in *struct{ Body GitFetchBody }) (*struct{ Body gitx.Output }, error) {
			dir, err := d.dir(ctx, in.Body.ProjectID, in.Body.WorktreePath)
			if err != nil {
				return nil, err
			}
			return gitBody(d.Git.Fetch(ctx, dir, gitx.FetchOptions{Remote: in.Body.Remote, Prune: in.Body.Prune}))
		})
	huma.Register(api, gitOp(http.MethodPost, "/git/pull", "gitPull", "Fetch and integrate (conflicts stay in the tree)"),
		func(ctx context.Context, in *struct{ Body GitPullBody }) (*struct{ Body gitx.Output }, error) {
			b := in.Body
			dir, err := d.dir(ctx, b.ProjectID, b.WorktreePath)
			if err != nil {
				return nil, err
			}
			return gitBody(d.Git.Pull(ctx, dir, gitx.PullOptions{Remote: b.Remote, Branch: b.Branch, Rebase: b.Rebase}))
		})
	push := server.RateLimited(gitOp(http.MethodPost, "/git/push", "gitPush", "Push the current branch"), d.PushLimit)
	huma.Register(api, push, func(ctx context.Context, in *struct{ Body GitPushBody }) (*struct{ Body gitx.Output }, error) {
		b := in.Body
		dir, err := d.dir(ctx, b.ProjectID, b.WorktreePath)
		if err != nil {
			return nil, err
		}
		return gitBody(d.Git.Push(ctx, dir, gitx.PushOptions{Remote: b.Remote, Branch: b.Branch, SetUpstream: b.SetUpstream}))
	})
}

// dir is the directory git runs in: the project, or one of its registered
// work trees.
func (d Git) dir(ctx context.Context, projectID, worktreePath string) (string, error) {
	root, err := projectPath(d.Projects, projectID)
	if err != nil {
		return "", err
	}
	dir, err := d.Git.Worktree(ctx, root, worktreePath)
	if err != nil {
		return "", gitFailure(err)
	}
	return dir, nil
}

// change runs a state-changing git command and answers {ok:true}.
func (d Git) change(ctx context.Context, t GitTarget, f func(dir string) error) (*struct{ Body GitOK }, error) {
	dir, err := d.dir(ctx, t.ProjectID, t.WorktreePath)
	if err != nil {
		return nil, err
	}
	if err := f(dir); err != nil {
		return nil, gitFailure(err)
	}
	return &struct{ Body GitOK }{Body: GitOK{OK: true}}, nil
}

func gitBody[T any](v T, err error) (*struct{ Body T }, error) {
	if err != nil {
		return nil, gitFailure(err)
	}
	return &struct{ Body T }{Body: v}, nil
}

// gitFailure maps a gitx error. Failures of git itself (it ran and said
// no, or the remote wanted credentials) are 200 {success:false, error,
// message}, as issue 7 asks, so a client tells "git refused" from "the
// request was wrong"; everything else keeps its 4xx/5xx.
func gitFailure(err error) error {
	var ge *gitx.Error
	if errors.As(err, &ge) && (ge.Code == gitx.CodeFailed || ge.Code == gitx.CodeAuthRequired) {
		return server.Errorf(http.StatusOK, string(ge.Code), "%s", ge.Message).With("success", false)
	}
	return apiFailure(err)
}
