package openai

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/wire"
)

// Responses is the openai-responses adapter.
type Responses struct {
	cfg ai.AdapterConfig
}

// NewResponses returns the adapter.
func NewResponses(cfg ai.AdapterConfig) *Responses {
	return &Responses{cfg: cfg.WithDefaults()}
}

// Stream implements ai.Provider.
func (p *Responses) Stream(ctx context.Context, m *ai.Model, c *ai.Context, opts *ai.StreamOptions, emit func(*ai.StreamEvent)) *ai.Message {
	s, opts, err := ai.BeginStream(m, opts, emit, p.cfg.Now())
	if err != nil {
		return s.Fail(ctx, err)
	}
	cp := resolveCompat(m)
	retention := p.cfg.CacheRetention(opts)
	level := ai.ReasoningLevel(m, opts.Reasoning)
	body, err := wire.JSON(buildResponsesRequest(m, c, opts, &cp, retention, level))
	if err != nil {
		return s.Fail(ctx, fmt.Errorf("encode request: %w", err))
	}
	header := openAIHeaders(m, opts)
	if opts.SessionID != "" && retention != ai.CacheNone {
		if cp.sendSessionIDHeader {
			header.Set("session_id", opts.SessionID)
		}
		header.Set("x-client-request-id", opts.SessionID)
	}
	st := responsesStream{s: s, model: m, current: -1}
	return post(ctx, p.cfg, s, m, opts, "/responses", header, body, st.read)
}

// responsesEvent is one Responses stream event; Item stays raw so a
// reasoning item can be stored byte for byte.
type responsesEvent struct {
	Type     string          `json:"type"`
	Item     json.RawMessage `json:"item"`
	Part     *contentPart    `json:"part"`
	Delta    string          `json:"delta"`
	Args     *string         `json:"arguments"`
	Code     json.RawMessage `json:"code"`
	Message  string          `json:"message"`
	Response *struct {
		ID                string          `json:"id"`
		Status            string          `json:"status"`
		ServiceTier       string          `json:"service_tier"`
		Usage             *responsesUsage `json:"usage"`
		Error             *apiErrorObject `json:"error"`
		IncompleteDetails *struct {
			Reason string `json:"reason"`
		} `json:"incomplete_details"`
	} `json:"response"`
}

type apiErrorObject struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type contentPart struct {
	Type string `json:"type"`
}

type responsesUsage struct {
	InputTokens        int `json:"input_tokens"`
	OutputTokens       int `json:"output_tokens"`
	TotalTokens        int `json:"total_tokens"`
	InputTokensDetails *struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"input_tokens_details"`
}

// item is the part of an output item the mapping needs.
type item struct {
	Type      string `json:"type"`
	ID        string `json:"id"`
	CallID    string `json:"call_id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
	Phase     string `json:"phase"`
	Summary   []struct {
		Text string `json:"text"`
	} `json:"summary"`
	Content []struct {
		Type    string `json:"type"`
		Text    string `json:"text"`
		Refusal string `json:"refusal"`
	} `json:"content"`
}

// responsesStream maps events onto the message. One output item streams at
// a time; current is its content index (-1 between items).
type responsesStream struct {
	s        *ai.AssistantStream
	model    *ai.Model
	current  int
	kind     string // type of the current item
	parts    int    // reasoning summary parts seen in the current item
	lastPart string // type of the last content part of the current message
	reason   ai.StopReason
	ev       responsesEvent
}

func (st *responsesStream) read(ctx context.Context, events *wire.SSEReader) (ai.StopReason, error) {
	st.reason = ai.StopReasonStop
	for ctx.Err() == nil && events.Next() { // stop at an abort, even with events buffered
		data := events.Event().Data
		if len(data) == 0 || string(data) == "[DONE]" {
			continue
		}
		st.ev = responsesEvent{}
		if err := json.Unmarshal(data, &st.ev); err != nil {
			return "", fmt.Errorf("decode event: %w", err)
		}
		if err := st.apply(&st.ev); err != nil {
			return "", err
		}
	}
	if err := events.Err(); err != nil {
		return "", wire.StreamError(ctx, err)
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	return st.reason, nil
}

func (st *responsesStream) apply(e *responsesEvent) error {
	switch e.Type {
	case "response.created":
		if e.Response != nil {
			st.s.Message().ResponseID = e.Response.ID
		}
	case "response.output_item.added":
		return st.itemAdded(e.Item)
	case "response.reasoning_summary_part.added":
		if st.kind == "reasoning" {
			st.parts++
		}
	case "response.reasoning_summary_text.delta":
		if st.kind == "reasoning" && st.current >= 0 && st.parts > 0 {
			st.s.AppendText(st.current, e.Delta)
		}
	case "response.reasoning_summary_part.done":
		if st.kind == "reasoning" && st.current >= 0 && st.parts > 0 {
			st.s.AppendText(st.current, "\n\n")
		}
	case "response.reasoning_text.delta":
		if st.kind == "reasoning" && st.current >= 0 {
			st.s.AppendText(st.current, e.Delta)
		}
	case "response.content_part.added":
		if st.kind == "message" && e.Part != nil && (e.Part.Type == "output_text" || e.Part.Type == "refusal") {
			st.lastPart = e.Part.Type
		}
	case "response.output_text.delta", "response.refusal.delta":
		want := "output_text"
		if e.Type == "response.refusal.delta" {
			want = "refusal"
		}
		if st.kind == "message" && st.current >= 0 && st.lastPart == want {
			st.s.AppendText(st.current, e.Delta)
		}
	case "response.function_call_arguments.delta":
		if st.kind == "function_call" && st.current >= 0 {
			st.s.AppendToolArgs(st.current, e.Delta)
		}
	case "response.function_call_arguments.done":
		if st.kind == "function_call" && st.current >= 0 && e.Args != nil {
			// The final text wins; what the deltas missed is sent as one more
			// delta when it extends them.
			rest, extends := strings.CutPrefix(*e.Args, st.s.ToolArgsText(st.current))
			switch {
			case !extends:
				st.s.ReplaceToolArgs(st.current, *e.Args)
			case rest != "":
				st.s.AppendToolArgs(st.current, rest)
			}
		}
	case "response.output_item.done":
		return st.itemDone(e.Item)
	case "response.completed", "response.incomplete":
		st.completed(e)
	case "error":
		code := strings.Trim(string(e.Code), `"`)
		if len(e.Code) == 0 {
			code = "undefined"
		}
		return ai.Failure(fmt.Sprintf("Error Code %s: %s", code, e.Message))
	case "response.failed":
		return ai.Failure(failedMessage(e))
	}
	return nil
}

func (st *responsesStream) itemAdded(raw json.RawMessage) error {
	var it item
	if err := json.Unmarshal(raw, &it); err != nil {
		return fmt.Errorf("decode item: %w", err)
	}
	switch it.Type {
	case "reasoning":
		st.current = st.s.BeginThinking("")
	case "message":
		st.current = st.s.BeginText()
	case "function_call":
		st.current = st.s.BeginToolCall(it.CallID+"|"+it.ID, it.Name)
		if it.Arguments != "" {
			st.s.ReplaceToolArgs(st.current, it.Arguments)
		}
	default:
		return nil
	}
	st.kind, st.parts, st.lastPart = it.Type, 0, ""
	return nil
}

func (st *responsesStream) itemDone(raw json.RawMessage) error {
	var it item
	if err := json.Unmarshal(raw, &it); err != nil {
		return fmt.Errorf("decode item: %w", err)
	}
	i := st.current
	if i < 0 || it.Type != st.kind {
		return nil
	}
	b := st.s.Block(i)
	switch it.Type {
	case "reasoning":
		text := joinTexts(len(it.Summary), func(k int) string { return it.Summary[k].Text })
		if text == "" {
			text = joinTexts(len(it.Content), func(k int) string { return it.Content[k].Text })
		}
		if text != "" {
			st.s.SetText(i, text)
		}
		// The whole item, as sent, is the signature: it goes back verbatim.
		b.ThinkingSignature = string(compactJSON(raw))
	case "message":
		var text strings.Builder
		for _, c := range it.Content {
			if c.Type == "output_text" {
				text.WriteString(c.Text)
			} else {
				text.WriteString(c.Refusal)
			}
		}
		st.s.SetText(i, text.String())
		sig, err := wire.JSON(textSignature{V: 1, ID: it.ID, Phase: it.Phase})
		if err != nil {
			return err
		}
		b.TextSignature = string(sig)
	case "function_call":
		if st.s.ToolArgsText(i) == "" {
			args := it.Arguments
			if args == "" {
				args = "{}"
			}
			st.s.ReplaceToolArgs(i, args)
		}
	}
	st.s.End(i)
	st.current, st.kind = -1, ""
	return nil
}

func joinTexts(n int, text func(int) string) string {
	parts := make([]string, n)
	for k := range n {
		parts[k] = text(k)
	}
	return strings.Join(parts, "\n\n")
}

// completed reads usage (cached input counted as cache reads), prices it
// with the service tier's multiplier, and maps the status.
func (st *responsesStream) completed(e *responsesEvent) {
	r := e.Response
	if r == nil {
		return
	}
	msg := st.s.Message()
	if r.ID != "" {
		msg.ResponseID = r.ID
	}
	u := msg.Usage
	if r.Usage != nil {
		cached := 0
		if r.Usage.InputTokensDetails != nil {
			cached = r.Usage.InputTokensDetails.CachedTokens
		}
		u = ai.Usage{
			Input:       r.Usage.InputTokens - cached,
			Output:      r.Usage.OutputTokens,
			CacheRead:   cached,
			TotalTokens: r.Usage.TotalTokens,
		}
	}
	st.s.SetUsage(u)
	applyServiceTier(&msg.Usage.Cost, st.model.ID, r.ServiceTier)
	switch r.Status {
	case "incomplete":
		st.reason = ai.StopReasonLength
	case "failed", "cancelled":
		st.reason = ai.StopReasonError
	default: // completed, in_progress, queued, absent
		st.reason = ai.StopReasonStop
	}
	if st.reason == ai.StopReasonStop {
		for _, c := range msg.Content {
			if c.Type == ai.ContentToolCall {
				st.reason = ai.StopReasonToolUse
				break
			}
		}
	}
}

// applyServiceTier scales cost for flex (half price) and priority (double;
// gpt-5.5 ×2.5) processing.
func applyServiceTier(c *ai.Cost, modelID, tier string) {
	mult := 1.0
	switch tier {
	case "flex":
		mult = 0.5
	case "priority":
		mult = 2
		if modelID == "gpt-5.5" {
			mult = 2.5
		}
	}
	if mult == 1 {
		return
	}
	c.Input *= mult
	c.Output *= mult
	c.CacheRead *= mult
	c.CacheWrite *= mult
	c.Total = c.Input + c.Output + c.CacheRead + c.CacheWrite
}

func failedMessage(e *responsesEvent) string {
	r := e.Response
	switch {
	case r != nil && r.Error != nil:
		code, msg := r.Error.Code, r.Error.Message
		if code == "" {
			code = "unknown"
		}
		if msg == "" {
			msg = "no message"
		}
		return code + ": " + msg
	case r != nil && r.IncompleteDetails != nil && r.IncompleteDetails.Reason != "":
		return "incomplete: " + r.IncompleteDetails.Reason
	}
	return "Unknown error (no error details in response)"
}
