package compaction

import (
	"errors"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// Errors Prepare returns when there is nothing it can do (pi's wording,
// shown to users).
var (
	//lint:ignore ST1005 pi's wording
	ErrAlreadyCompacted = errors.New("Already compacted")
	//lint:ignore ST1005 pi's wording
	ErrNothingToCompact = errors.New("Nothing to compact (session too small)")
)

// Preparation is what a compaction will summarize and keep.
type Preparation struct {
	// FirstKeptEntryID is the first entry the new context keeps.
	FirstKeptEntryID string
	// MessagesToSummarize are the whole turns before the cut.
	MessagesToSummarize []ai.Message
	// TurnPrefixMessages are the start of a turn the cut splits.
	TurnPrefixMessages []ai.Message
	IsSplitTurn        bool
	// TokensBefore estimates the context being replaced.
	TokensBefore int
	// PreviousSummary is the summary of the compaction before this one, if any.
	PreviousSummary    string
	HasPreviousSummary bool
	Files              FileOps
	Settings           Settings
}

// cutPoint is where a compaction cuts a path.
type cutPoint struct {
	firstKept   int // index of the first kept entry
	turnStart   int // index of the user message starting a split turn, or -1
	isSplitTurn bool
}

// isCutPoint reports whether the context may start at e: any message but a
// tool result (which must follow its call), a custom message or a branch
// summary.
func isCutPoint(e *Entry) bool {
	switch e.Kind {
	case KindMessage:
		if e.Message == nil {
			return false
		}
		switch e.Message.Role {
		case ai.RoleUser, ai.RoleAssistant, ai.RoleBashExecution, ai.RoleCustom,
			ai.RoleBranchSummary, ai.RoleCompactionSummary:
			return true
		}
	case KindCustomMessage, KindBranchSummary:
		return true
	}
	return false
}

// isTurnStart reports whether e begins a turn (something the user sent).
func isTurnStart(e *Entry) bool {
	switch e.Kind {
	case KindBranchSummary, KindCustomMessage:
		return true
	case KindMessage:
		return e.Message != nil && (e.Message.Role == ai.RoleUser || e.Message.Role == ai.RoleBashExecution)
	}
	return false
}

// turnStartIndex finds the turn start at or before index, not before start.
func turnStartIndex(path []Entry, index, start int) int {
	for i := index; i >= start; i-- {
		if isTurnStart(&path[i]) {
			return i
		}
	}
	return -1
}

// findCutPoint keeps about keepRecentTokens of the newest messages in
// path[start:end]: walking back from the end it sums message estimates, and
// once the budget is reached cuts at the next valid cut point at or after
// that message, pulling in the non-message entries just before it.
func findCutPoint(path []Entry, start, end, keepRecentTokens int) cutPoint {
	var cuts []int
	for i := start; i < end; i++ {
		if isCutPoint(&path[i]) {
			cuts = append(cuts, i)
		}
	}
	if len(cuts) == 0 {
		return cutPoint{firstKept: start, turnStart: -1}
	}
	cut := cuts[0]
	acc := 0
	for i := end - 1; i >= start; i-- {
		if path[i].Kind != KindMessage || path[i].Message == nil {
			continue
		}
		acc += EstimateTokens(path[i].Message)
		if acc >= keepRecentTokens {
			for _, c := range cuts {
				if c >= i {
					cut = c
					break
				}
			}
			break
		}
	}
	at := &path[cut]
	for cut > start {
		prev := path[cut-1].Kind
		if prev == KindCompaction || prev == KindMessage {
			break
		}
		cut--
	}
	// Whether the turn is split depends on the message cut at, not on a
	// settings entry pulled in before it (pi looks at the latter and then
	// summarizes a whole turn as a "split" prefix).
	if at.Kind == KindMessage && at.Message != nil && at.Message.Role == ai.RoleUser {
		return cutPoint{firstKept: cut, turnStart: -1}
	}
	ts := turnStartIndex(path, cut, start)
	return cutPoint{firstKept: cut, turnStart: ts, isSplitTurn: ts != -1}
}

// Prepare decides what a compaction of path (the current branch, root first)
// summarizes and keeps. The window starts where the previous compaction's
// kept context began, so kept messages are summarized in the next pass.
func Prepare(path []Entry, s Settings) (*Preparation, error) {
	if len(path) > 0 && path[len(path)-1].Kind == KindCompaction {
		return nil, ErrAlreadyCompacted
	}
	prev := lastCompaction(path)
	p := &Preparation{Settings: s, Files: NewFileOps()}
	start := 0
	if prev >= 0 {
		pc := &path[prev]
		p.PreviousSummary, p.HasPreviousSummary = pc.Summary, true
		start = prev + 1
		for i := range path {
			if path[i].ID == pc.FirstKeptEntryID {
				start = i
				break
			}
		}
		if !pc.FromHook {
			p.Files.AddDetails(pc.Details)
		}
	}
	p.TokensBefore = EstimateContext(ContextMessages(path)).Tokens

	cut := findCutPoint(path, start, len(path), s.KeepRecentTokens)
	if cut.firstKept >= len(path) || path[cut.firstKept].ID == "" {
		return nil, ErrNothingToCompact
	}
	p.FirstKeptEntryID = path[cut.firstKept].ID
	p.IsSplitTurn = cut.isSplitTurn

	historyEnd := cut.firstKept
	if cut.isSplitTurn {
		historyEnd = cut.turnStart
		p.TurnPrefixMessages = summarizable(path[cut.turnStart:cut.firstKept])
	}
	p.MessagesToSummarize = summarizable(path[start:historyEnd])
	// pi would summarize an empty window; that only burns a call and grows
	// the context, so it counts as nothing to compact here.
	if len(p.MessagesToSummarize) == 0 && len(p.TurnPrefixMessages) == 0 {
		return nil, ErrNothingToCompact
	}
	for i := range p.MessagesToSummarize {
		p.Files.AddMessage(&p.MessagesToSummarize[i])
	}
	for i := range p.TurnPrefixMessages {
		p.Files.AddMessage(&p.TurnPrefixMessages[i])
	}
	return p, nil
}

// summarizable returns the messages of entries, skipping compactions.
func summarizable(entries []Entry) []ai.Message {
	var out []ai.Message
	for i := range entries {
		if entries[i].Kind == KindCompaction {
			continue
		}
		if m, ok := entries[i].message(); ok {
			out = append(out, m)
		}
	}
	return out
}
