package compaction

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// branchMaxTokens caps a branch summary's length.
const branchMaxTokens = 2048

// BranchOptions tune a branch summary.
type BranchOptions struct {
	// CustomInstructions add a focus, or replace the prompt when
	// ReplaceInstructions is set.
	CustomInstructions  string
	ReplaceInstructions bool
	// ReserveTokens is kept free of the context window (settings
	// branchSummary.reserveTokens); 0 means 16384.
	ReserveTokens int
}

// BranchSummary is the text and file lists of a branch_summary entry.
type BranchSummary struct {
	Summary string
	Files   FileDetails
	// Empty is set when the branch had nothing to summarize; Summary then
	// says so and Files is empty.
	Empty bool
}

// BranchEntries returns the entries of the branch being left: those on
// oldPath (root to the old leaf) after the deepest entry it shares with
// targetPath (root to the target), oldest first, and that shared entry's id
// ("" when the paths share nothing).
func BranchEntries(oldPath, targetPath []Entry) ([]Entry, string) {
	if len(oldPath) == 0 {
		return nil, ""
	}
	onOld := make(map[string]int, len(oldPath))
	for i := range oldPath {
		onOld[oldPath[i].ID] = i
	}
	from, common := 0, ""
	for i := len(targetPath) - 1; i >= 0; i-- {
		if j, ok := onOld[targetPath[i].ID]; ok {
			from, common = j+1, targetPath[i].ID
			break
		}
	}
	return oldPath[from:], common
}

// PrepareBranchEntries picks the messages a branch summary covers: newest
// first until tokenBudget (0 = no limit) is used, tool results left out (the
// calls say enough). Summaries that do not fit may still squeeze in while
// less than 90% of the budget is used. File operations come from every
// entry, including earlier branch summaries' details.
func PrepareBranchEntries(entries []Entry, tokenBudget int) ([]ai.Message, FileOps, int) {
	files := NewFileOps()
	for i := range entries {
		e := &entries[i]
		if e.Kind == KindBranchSummary && !e.FromHook {
			files.AddDetails(e.Details)
		}
	}
	var rev []ai.Message
	total := 0
	for i := len(entries) - 1; i >= 0; i-- {
		e := &entries[i]
		m, ok := e.message()
		if !ok || m.Role == ai.RoleToolResult {
			continue
		}
		files.AddMessage(&m)
		tokens := EstimateTokens(&m)
		if tokenBudget > 0 && total+tokens > tokenBudget {
			isSummary := e.Kind == KindCompaction || e.Kind == KindBranchSummary
			if isSummary && float64(total) < float64(tokenBudget)*0.9 {
				rev = append(rev, m)
				total += tokens
			}
			break
		}
		rev = append(rev, m)
		total += tokens
	}
	msgs := make([]ai.Message, len(rev))
	for i, m := range rev {
		msgs[len(rev)-1-i] = m
	}
	return msgs, files, total
}

// SummarizeBranch writes the summary of a branch being left. A cancelled ctx
// returns an error wrapping context.Canceled.
func SummarizeBranch(ctx context.Context, entries []Entry, llm LLM, opts BranchOptions) (*BranchSummary, error) {
	if llm.Model == nil {
		return nil, errors.New("compaction: branch summary: no model")
	}
	reserve := opts.ReserveTokens
	if reserve == 0 {
		reserve = 16384
	}
	window := llm.Model.ContextWindow
	if window == 0 {
		window = 128000
	}
	msgs, files, _ := PrepareBranchEntries(entries, window-reserve)
	if len(msgs) == 0 {
		return &BranchSummary{Summary: noContentToSummarize, Empty: true}, nil
	}
	instructions := branchPrompt
	switch {
	case opts.ReplaceInstructions && opts.CustomInstructions != "":
		instructions = opts.CustomInstructions
	case opts.CustomInstructions != "":
		instructions += additionalFocus + opts.CustomInstructions
	}
	var b strings.Builder
	writeConversation(&b, msgs)
	b.WriteString(instructions)
	text, err := llm.complete(ctx, b.String(), branchMaxTokens, false)
	if err != nil {
		return nil, fmt.Errorf("compaction: branch summary: %w", err)
	}
	lists := files.Lists()
	return &BranchSummary{Summary: branchPreamble + text + FormatFileLists(lists), Files: lists}, nil
}
