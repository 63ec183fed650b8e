package compaction

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/pi-forge/pi-forge/internal/agent/convert"
	"github.com/pi-forge/pi-forge/internal/ai"
)

// LLM is the model a summary is written with (the session's own model).
type LLM struct {
	Provider ai.Provider
	Model    *ai.Model
	APIKey   string
	Headers  map[string]string
	// ThinkingLevel is passed as the reasoning level when the model reasons;
	// "" or "off" means none.
	ThinkingLevel string
}

// Result is a finished compaction, as the compaction entry and the
// compaction_end event carry it.
type Result struct {
	Summary          string `json:"summary"`
	FirstKeptEntryID string `json:"firstKeptEntryId"`
	TokensBefore     int    `json:"tokensBefore"`
	Details          any    `json:"details,omitempty"`
}

// Compact prepares and summarizes path in one step.
func Compact(ctx context.Context, path []Entry, s Settings, llm LLM, customInstructions string) (*Result, error) {
	p, err := Prepare(path, s)
	if err != nil {
		return nil, err
	}
	return Summarize(ctx, p, llm, customInstructions)
}

// Summarize writes the summary for a preparation: one call for the history
// (an update of the previous summary when there is one), plus, for a split
// turn, a second call in parallel for the turn's beginning. The file lists
// are appended and stored as details.
func Summarize(ctx context.Context, p *Preparation, llm LLM, customInstructions string) (*Result, error) {
	var summary string
	if p.IsSplitTurn && len(p.TurnPrefixMessages) > 0 {
		var err error
		summary, err = summarizeSplit(ctx, p, llm, customInstructions)
		if err != nil {
			return nil, err
		}
	} else {
		var err error
		summary, err = historySummary(ctx, p, llm, customInstructions)
		if err != nil {
			return nil, err
		}
	}
	files := p.Files.Lists()
	return &Result{
		Summary:          summary + FormatFileLists(files),
		FirstKeptEntryID: p.FirstKeptEntryID,
		TokensBefore:     p.TokensBefore,
		Details:          files,
	}, nil
}

func summarizeSplit(ctx context.Context, p *Preparation, llm LLM, customInstructions string) (string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	history, prefix := noPriorHistory, ""
	var mu sync.Mutex
	var firstErr error // the failure that cancelled the other call
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	var wg sync.WaitGroup
	if len(p.MessagesToSummarize) > 0 {
		wg.Go(func() {
			var err error
			if history, err = historySummary(ctx, p, llm, customInstructions); err != nil {
				fail(err)
			}
		})
	}
	wg.Go(func() {
		var err error
		if prefix, err = turnPrefixSummary(ctx, p, llm); err != nil {
			fail(err)
		}
	})
	wg.Wait()
	if firstErr != nil {
		return "", firstErr
	}
	return history + splitTurnSeparator + prefix, nil
}

func historySummary(ctx context.Context, p *Preparation, llm LLM, customInstructions string) (string, error) {
	instructions := summaryPrompt
	if p.HasPreviousSummary {
		instructions = updatePrompt
	}
	if customInstructions != "" {
		instructions += additionalFocus + customInstructions
	}
	var b strings.Builder
	writeConversation(&b, p.MessagesToSummarize)
	if p.HasPreviousSummary {
		b.WriteString("<previous-summary>\n")
		b.WriteString(p.PreviousSummary)
		b.WriteString("\n</previous-summary>\n\n")
	}
	b.WriteString(instructions)
	text, err := llm.complete(ctx, b.String(), budget(0.8, p.Settings.ReserveTokens, llm.Model), true)
	if err != nil {
		//lint:ignore ST1005 pi's wording, shown to users
		return "", fmt.Errorf("Summarization failed: %w", err)
	}
	return text, nil
}

func turnPrefixSummary(ctx context.Context, p *Preparation, llm LLM) (string, error) {
	var b strings.Builder
	writeConversation(&b, p.TurnPrefixMessages)
	b.WriteString(turnPrefixPrompt)
	text, err := llm.complete(ctx, b.String(), budget(0.5, p.Settings.ReserveTokens, llm.Model), true)
	if err != nil {
		//lint:ignore ST1005 pi's wording, shown to users
		return "", fmt.Errorf("Turn prefix summarization failed: %w", err)
	}
	return text, nil
}

// writeConversation wraps the serialized transcript in <conversation> tags.
func writeConversation(b *strings.Builder, msgs []ai.Message) {
	b.WriteString("<conversation>\n")
	b.WriteString(SerializeConversation(convert.ToLLM(msgs, convert.Options{})))
	b.WriteString("\n</conversation>\n\n")
}

// budget is floor(share*reserve), capped by the model's output limit.
func budget(share float64, reserve int, m *ai.Model) int {
	n := int(share * float64(reserve))
	if m != nil && m.MaxTokens > 0 && m.MaxTokens < n {
		n = m.MaxTokens
	}
	return n
}

// complete runs one summarization request and returns its text.
func (l LLM) complete(ctx context.Context, prompt string, maxTokens int, reasoning bool) (string, error) {
	if l.Provider == nil || l.Model == nil {
		return "", errors.New("no model")
	}
	opts := &ai.StreamOptions{APIKey: l.APIKey, MaxTokens: maxTokens, Headers: l.Headers}
	if reasoning && l.Model.Reasoning && l.ThinkingLevel != "" && l.ThinkingLevel != ai.ThinkingOff {
		opts.Reasoning = l.ThinkingLevel
	}
	c := &ai.Context{
		SystemPrompt: systemPrompt,
		Messages:     []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent(prompt)}}},
	}
	msg := l.Provider.Stream(ctx, l.Model, c, opts, func(*ai.StreamEvent) {})
	if err := ctx.Err(); err != nil {
		return "", err
	}
	switch {
	case msg == nil:
		return "", errUnknown
	case msg.StopReason == ai.StopReasonAborted:
		return "", context.Canceled
	case msg.StopReason == ai.StopReasonError:
		if msg.ErrorMessage == "" {
			return "", errUnknown
		}
		return "", errors.New(msg.ErrorMessage)
	}
	return joinText(msg.Content, "\n"), nil
}

// errUnknown is pi's text for a failure without a message.
//
//lint:ignore ST1005 pi's wording, shown to users
var errUnknown = errors.New("Unknown error")
