package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/pi-forge/pi-forge/internal/agent/compaction"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/session"
)

// NavigateOptions are POST /navigate's options.
type NavigateOptions struct {
	Summarize          bool
	CustomInstructions string
	Label              string
}

// NavigateResult is POST /navigate's answer.
type NavigateResult struct {
	// Cancelled: the branch summary was aborted and nothing moved.
	Cancelled bool
	// Aborted: a run was in progress and was aborted first.
	Aborted bool
	// EditorText is the target message's text when the target was a user
	// message (the leaf moved to its parent so it can be edited and sent).
	EditorText    string
	HasEditorText bool
}

// Navigate moves the session's leaf to entryID in place (pi's /tree),
// optionally summarising the branch being left and labelling the spot, and
// reloads the agent's context from the new position. A run in progress is
// aborted first.
func (s *Session) Navigate(ctx context.Context, entryID string, o NavigateOptions) (NavigateResult, error) {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	target, ok := s.file.Entry(entryID)
	if !ok {
		return NavigateResult{}, fmt.Errorf("%w: %s", ErrEntryNotFound, entryID)
	}
	var res NavigateResult
	s.mu.Lock()
	res.Aborted = s.streaming
	s.mu.Unlock()
	s.agent.Abort() // also waits for a run that is just ending
	var nav session.NavigateOptions
	nav.Label = strings.TrimSpace(o.Label)
	if o.Summarize && entryID != s.file.LeafID() {
		bs, err := s.summarizeBranch(ctx, target, o.CustomInstructions)
		if errors.Is(err, context.Canceled) && ctx.Err() == nil {
			res.Cancelled = true
			return res, nil
		}
		if err != nil {
			return NavigateResult{}, err
		}
		nav.Summary = bs
	}
	moved, err := s.file.Navigate(entryID, nav)
	if err != nil {
		if errors.Is(err, session.ErrEntryNotFound) {
			return NavigateResult{}, fmt.Errorf("%w: %s", ErrEntryNotFound, entryID)
		}
		return NavigateResult{}, fmt.Errorf("registry: navigate %s: %w", s.id, err)
	}
	res.EditorText, res.HasEditorText = moved.EditorText, moved.HasEditorText
	if err := s.agent.SetMessages(s.file.BuildContext().Messages); err != nil {
		return NavigateResult{}, fmt.Errorf("registry: navigate %s: %w", s.id, err)
	}
	if s.ws.OnBranchChange != nil {
		s.ws.OnBranchChange()
	}
	return res, nil
}

// summarizeBranch writes the summary of the entries being abandoned for
// target. The abort route cancels it (context.Canceled).
func (s *Session) summarizeBranch(ctx context.Context, target *session.Entry, instructions string) (session.BranchSummary, error) {
	if err := s.CheckModel(ctx); err != nil {
		return session.BranchSummary{}, err
	}
	newLeaf := target.ID
	if target.Type == session.TypeCustomMessage || target.Role() == ai.RoleUser {
		newLeaf = target.ParentID
	}
	var targetPath []*session.Entry
	if newLeaf != "" {
		targetPath = s.file.PathTo(newLeaf)
	}
	entries, _ := compaction.BranchEntries(compactionEntries(s.file.ActivePath()), compactionEntries(targetPath))
	if len(entries) == 0 {
		return session.BranchSummary{}, nil
	}
	m := s.agent.State().Model
	key, err := s.reg.apiKey(ctx, m)
	if err != nil {
		return session.BranchSummary{}, err
	}
	parent := ctx
	ctx, cancel := context.WithCancel(parent)
	s.mu.Lock()
	s.navCancel = cancel
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.navCancel = nil
		s.mu.Unlock()
		cancel()
	}()
	settings := s.reg.settings(ctx, s.cwd)
	llm := compaction.LLM{Provider: authProvider{inner: s.reg.opts.Provider, cfg: s.reg.opts.Config}, Model: m, APIKey: key,
		ThinkingLevel: s.agent.State().ThinkingLevel}
	sum, err := compaction.SummarizeBranch(ctx, entries, llm, compaction.BranchOptions{
		CustomInstructions: instructions, ReserveTokens: settings.BranchSummary().ReserveTokens})
	if err != nil {
		if perr := parent.Err(); perr != nil {
			return session.BranchSummary{}, fmt.Errorf("registry: branch summary: %w", perr)
		}
		if ctx.Err() != nil {
			return session.BranchSummary{}, context.Canceled // the abort route
		}
		return session.BranchSummary{}, err
	}
	if sum.Empty {
		return session.BranchSummary{}, nil
	}
	details, _ := json.Marshal(sum.Files)
	return session.BranchSummary{Summary: sum.Summary, Details: details}, nil
}

// Fork copies the path from the root to entryID of a live session into a
// new session in the same project and makes it live with the source's
// current model and thinking level. The source is untouched.
func (r *Registry) Fork(ctx context.Context, sourceID, entryID string) (*Session, error) {
	src, err := r.Get(sourceID)
	if err != nil {
		return nil, err
	}
	src.opMu.Lock()
	defer src.opMu.Unlock()
	fr, err := r.opts.Store.Fork(src.file, entryID, session.ForkAt)
	if errors.Is(err, session.ErrEntryNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrEntryNotFound, entryID)
	}
	if err != nil {
		return nil, fmt.Errorf("registry: fork %s: %w", sourceID, err)
	}
	st := src.agent.State()
	ns, err := r.start(ctx, startSpec{file: fr.Session, projectID: src.projectID, cwd: src.cwd, resumed: true,
		loc: session.Location{ProjectID: src.projectID, Path: fr.Session.Path()}, model: st.Model, thinking: st.ThinkingLevel})
	if err != nil {
		_ = fr.Session.Close()
		return nil, err
	}
	if err := ns.Rename(forkName(src.Name(), filepath.Base(src.file.Path()))); err != nil {
		ns.log.Warn("registry: naming the fork failed", "error", err)
	}
	src.listChanged("fork", ns.id)
	return ns, nil
}

// forkName tells a fork apart from its source: "<name> (fork)".
func forkName(source, fallback string) string {
	if IsGenericName(source) {
		source = strings.TrimSuffix(fallback, ".jsonl")
		if i := strings.LastIndexByte(source, '_'); i >= 0 {
			source = "Session " + source[i+1:min(len(source), i+9)]
		}
	}
	return source + " (fork)"
}
