package gitx

import (
	"bytes"
	"context"
	"errors"
)

// Hunk modes.
const (
	HunkStage   = "stage"
	HunkUnstage = "unstage"
)

// Failure codes of ApplyHunks, reported in HunkResult.Error (the contract
// answers 200 {ok:false, error}).
const (
	HunkBinaryOrNoHunks    = "binary_or_no_hunks"
	HunkNoDiff             = "no_diff"
	HunkIndexOutOfRange    = "hunk_index_out_of_range"
	HunkApplyFailed        = "git_apply_failed"
	HunkNoHunksSelected    = "no_hunks_selected"
	HunkSpawnFailed        = "git_spawn_failed"
	hunkMaxIndex           = 10000
	hunkMaxSelectedIndices = 1000
)

// HunkResult is POST /git/apply-hunks. TotalHunks is the number of hunks
// in the file's diff whenever it could be read (the reference sent 0 on
// every failure).
type HunkResult struct {
	OK         bool   `json:"ok"`
	Error      string `json:"error,omitempty"`
	Message    string `json:"message,omitempty"`
	TotalHunks int    `json:"totalHunks"`
}

// ApplyHunks stages (or unstages) the chosen hunks of one file: it reads
// the file's current diff (work tree vs index to stage, index vs HEAD to
// unstage), keeps only the chosen hunks and feeds that patch to
// `git apply --cached --recount` (with --reverse to unstage). Problems
// with the request or the patch come back as HunkResult.Error; an error
// return means the repository could not be read at all.
func (g *Git) ApplyHunks(ctx context.Context, dir, path, mode string, indices []int) (HunkResult, error) {
	if mode != HunkStage && mode != HunkUnstage {
		return HunkResult{}, &Error{Code: CodeFailed, Op: "git apply", Message: `mode must be "stage" or "unstage"`}
	}
	if len(indices) == 0 {
		return HunkResult{Error: HunkNoHunksSelected}, nil
	}
	if len(indices) > hunkMaxSelectedIndices {
		return HunkResult{Error: HunkIndexOutOfRange}, nil
	}
	top, ok, err := g.toplevel(ctx, dir)
	if err != nil {
		return spawnFailure(err)
	}
	if !ok {
		return HunkResult{}, &Error{Code: CodeFailed, Op: "git apply", Message: "not a git repository"}
	}
	specs, err := pathspecs(dir, top, []string{path})
	if err != nil {
		return HunkResult{}, err
	}
	args := append([]string{}, diffArgs...)
	if mode == HunkUnstage {
		args = append(args, "--cached")
	}
	res, err := g.git(ctx, call{dir: dir, args: append(append(args, "--"), specs...)})
	if err != nil {
		return spawnFailure(err)
	}
	if len(bytes.TrimSpace(res.stdout)) == 0 {
		return HunkResult{Error: HunkNoDiff}, nil
	}
	p := parsePatch(string(res.stdout))
	total := len(p.hunks)
	if p.binary || total == 0 {
		return HunkResult{Error: HunkBinaryOrNoHunks, TotalHunks: total}, nil
	}
	for _, i := range indices {
		if i < 0 || i >= total || i > hunkMaxIndex {
			return HunkResult{Error: HunkIndexOutOfRange, TotalHunks: total}, nil
		}
	}
	apply := []string{"apply", "--cached", "--recount", "--whitespace=nowarn"}
	if mode == HunkUnstage {
		apply = append(apply, "--reverse")
	}
	res, err = g.run(ctx, call{dir: top, args: append(apply, "-"), stdin: bytes.NewReader(p.build(indices))})
	if err != nil {
		return spawnFailure(err)
	}
	if res.exit != 0 {
		return HunkResult{Error: HunkApplyFailed, Message: Sanitize(string(res.stderr)), TotalHunks: total}, nil
	}
	return HunkResult{OK: true, TotalHunks: total}, nil
}

// spawnFailure reports git that could not run as the contract's
// git_spawn_failed result and passes other errors on.
func spawnFailure(err error) (HunkResult, error) {
	var e *Error
	if errors.As(err, &e) && (e.Code == CodeSpawnFailed || e.Code == CodeNotInstalled) {
		return HunkResult{Error: HunkSpawnFailed}, nil
	}
	return HunkResult{}, err
}
