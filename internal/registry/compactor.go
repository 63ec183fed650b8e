package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/agent/compaction"
	"github.com/pi-forge/pi-forge/internal/session"
)

// compactor is the agent's Compactor for a live session: it summarises the
// file's active path, appends the compaction entry and hands back the
// context rebuilt from the file.
type compactor struct{ s *Session }

func (c compactor) Compact(ctx context.Context, req agent.CompactRequest) (*agent.CompactOutcome, error) {
	f := c.s.file
	path := compactionEntries(f.ActivePath())
	res, err := compaction.Compact(ctx, path, req.Settings, req.LLM, req.CustomInstructions)
	if err != nil {
		return nil, err
	}
	var details json.RawMessage
	if res.Details != nil {
		if details, err = json.Marshal(res.Details); err != nil {
			return nil, fmt.Errorf("registry: compaction details: %w", err)
		}
	}
	if _, err := f.AppendCompaction(session.Compaction{Summary: res.Summary, FirstKeptEntryID: res.FirstKeptEntryID,
		TokensBefore: res.TokensBefore, Details: details}); err != nil {
		return nil, fmt.Errorf("registry: recording the compaction: %w", err)
	}
	return &agent.CompactOutcome{Result: *res, Messages: f.BuildContext().Messages}, nil
}

// compactionEntries reduces session entries to what compaction reads.
func compactionEntries(path []*session.Entry) []compaction.Entry {
	out := make([]compaction.Entry, len(path))
	for i, e := range path {
		ce := compaction.Entry{ID: e.ID, Kind: e.Type, Timestamp: millis(e.Timestamp), Message: e.Message,
			Summary: e.Summary, Details: e.Details, FirstKeptEntryID: e.FirstKeptEntryID,
			TokensBefore: e.TokensBefore, FromID: e.FromID}
		if e.FromHook != nil {
			ce.FromHook = *e.FromHook
		}
		out[i] = ce
	}
	return out
}

func millis(iso string) int64 {
	t, err := time.Parse(time.RFC3339Nano, iso)
	if err != nil {
		return 0
	}
	return t.UnixMilli()
}
