// Package anthropic is the anthropic-messages adapter: POST
// {baseUrl}/v1/messages streamed as server-sent events, with pi's prompt
// caching markers, thinking modes and Claude Code OAuth handling.
package anthropic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/wire"
)

const (
	apiVersion             = "2023-06-01"
	betaFineGrainedTools   = "fine-grained-tool-streaming-2025-05-14"
	betaInterleavedThought = "interleaved-thinking-2025-05-14"
	claudeCodeVersion      = "2.1.75"
	claudeCodeIdentity     = "You are Claude Code, Anthropic's official CLI for Claude."
)

// Provider is the anthropic-messages adapter.
type Provider struct {
	cfg ai.AdapterConfig
}

// New returns the adapter.
func New(cfg ai.AdapterConfig) *Provider { return &Provider{cfg: cfg.WithDefaults()} }

// Stream implements ai.Provider.
func (p *Provider) Stream(ctx context.Context, m *ai.Model, c *ai.Context, opts *ai.StreamOptions, emit func(*ai.StreamEvent)) *ai.Message {
	s, opts, err := ai.BeginStream(m, opts, emit, p.cfg.Now())
	if err != nil {
		return s.Fail(ctx, err)
	}
	cp := resolveCompat(m)
	retention := p.cfg.CacheRetention(opts)
	var cc *cacheControl
	if retention != ai.CacheNone {
		cc = &cacheControl{Type: "ephemeral"}
		if retention == ai.CacheLong && cp.longCacheRetention {
			cc.TTL = "1h"
		}
	}
	oauth := strings.Contains(opts.APIKey, "sk-ant-oat")
	level := ""
	if opts.Reasoning != "" && opts.Reasoning != ai.ThinkingOff {
		level = opts.Reasoning // pi does not clamp here: the map and budgets decide
	}
	body, err := wire.JSON(buildRequest(m, c, opts, &cp, cc, oauth, level))
	if err != nil {
		return s.Fail(ctx, fmt.Errorf("encode request: %w", err))
	}
	sessionID := ""
	if retention != ai.CacheNone {
		sessionID = opts.SessionID
	}
	resp, err := wire.Do(ctx, p.cfg.Client(opts), &wire.Request{
		URL:    strings.TrimRight(m.BaseURL, "/") + "/v1/messages",
		Header: headers(m, c, opts, &cp, oauth, sessionID),
		Body:   body,
	})
	if err != nil {
		return s.Fail(ctx, apiError(err))
	}
	defer resp.Body.Close()
	s.Start()
	st := stream{s: s, tools: c.Tools, oauth: oauth, blocks: map[int]int{}}
	reason, err := st.read(ctx, wire.NewSSEReader(resp.Body))
	if err != nil {
		return s.Fail(ctx, err)
	}
	return s.Finish(ctx, reason)
}

// headers authenticates with x-api-key, or as Claude Code for OAuth
// tokens, and names the betas the request needs.
func headers(m *ai.Model, c *ai.Context, opts *ai.StreamOptions, cp *compat, oauth bool, sessionID string) http.Header {
	var betas []string
	if len(c.Tools) > 0 && !cp.eagerToolInputStreaming {
		betas = append(betas, betaFineGrainedTools)
	}
	if !adaptive(m.ID) {
		// Adaptive models interleave thinking without the (deprecated) beta.
		betas = append(betas, betaInterleavedThought)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	h.Set("Anthropic-Version", apiVersion)
	switch {
	case oauth:
		h.Set("Authorization", "Bearer "+opts.APIKey)
		h.Set("Anthropic-Beta", strings.Join(append([]string{"claude-code-20250219", "oauth-2025-04-20"}, betas...), ","))
		h.Set("User-Agent", "claude-cli/"+claudeCodeVersion)
		h.Set("X-App", "cli")
	case m.Provider == "github-copilot":
		h.Set("Authorization", "Bearer "+opts.APIKey)
	default:
		h.Set("X-Api-Key", opts.APIKey)
		if sessionID != "" && cp.sessionAffinityHeaders {
			h.Set("X-Session-Affinity", sessionID)
		}
	}
	if len(betas) > 0 && !oauth {
		h.Set("Anthropic-Beta", strings.Join(betas, ","))
	}
	wire.MergeHeaders(h, m.Headers, opts.Headers)
	return h
}

// apiError words an HTTP failure as Anthropic's SDK does: the status and
// the error body as compact JSON (or its text).
func apiError(err error) error {
	var he *wire.HTTPError
	if !errors.As(err, &he) {
		return err
	}
	if len(he.Body) == 0 {
		return ai.Failure(he.Error())
	}
	var top struct {
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(he.Body, &top) != nil {
		return ai.Failure(he.Error()) // not JSON: the text as is
	}
	var s string
	if len(top.Message) > 0 && json.Unmarshal(top.Message, &s) == nil && s != "" {
		return ai.Failure(fmt.Sprintf("%d %s", he.Status, s))
	}
	var buf bytes.Buffer
	if json.Compact(&buf, he.Body) != nil {
		return ai.Failure(he.Error())
	}
	return ai.Failure(fmt.Sprintf("%d %s", he.Status, buf.Bytes()))
}

// event is one Anthropic stream event.
type event struct {
	Type    string `json:"type"`
	Index   int    `json:"index"`
	Message *struct {
		ID    string `json:"id"`
		Usage usage  `json:"usage"`
	} `json:"message"`
	ContentBlock *struct {
		Type  string          `json:"type"`
		ID    string          `json:"id"`
		Name  string          `json:"name"`
		Input json.RawMessage `json:"input"`
		Data  string          `json:"data"`
	} `json:"content_block"`
	Delta *struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		Thinking    string `json:"thinking"`
		PartialJSON string `json:"partial_json"`
		Signature   string `json:"signature"`
		StopReason  string `json:"stop_reason"`
	} `json:"delta"`
	Usage *usage `json:"usage"`
}

type usage struct {
	InputTokens              *int `json:"input_tokens"`
	OutputTokens             *int `json:"output_tokens"`
	CacheReadInputTokens     *int `json:"cache_read_input_tokens"`
	CacheCreationInputTokens *int `json:"cache_creation_input_tokens"`
}

// stream maps events onto the message; blocks maps Anthropic's block index
// to the content index.
type stream struct {
	s       *ai.AssistantStream
	tools   []ai.ToolSpec
	oauth   bool
	blocks  map[int]int
	started bool
	stopped bool
	reason  ai.StopReason
	ev      event
}

func (st *stream) read(ctx context.Context, events *wire.SSEReader) (ai.StopReason, error) {
	st.reason = ai.StopReasonStop
	for ctx.Err() == nil && events.Next() { // stop at an abort, even with events buffered
		e := events.Event()
		if e.Name == "error" {
			return "", ai.Failure(string(e.Data))
		}
		switch e.Name {
		case "message_start", "message_delta", "message_stop", "content_block_start", "content_block_delta", "content_block_stop":
		default:
			continue // ping and unknown events
		}
		st.ev = event{}
		if err := json.Unmarshal(e.Data, &st.ev); err != nil {
			return "", ai.Failure(fmt.Sprintf("Could not parse Anthropic SSE event %s: %v; data=%s", e.Name, err, e.Data))
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
	if st.started && !st.stopped {
		return "", ai.Failure("Anthropic stream ended before message_stop")
	}
	return st.reason, nil
}

func (st *stream) apply(e *event) error {
	switch e.Type {
	case "message_start":
		st.started = true
		if e.Message != nil {
			st.s.Message().ResponseID = e.Message.ID
			u := ai.Usage{}
			st.addUsage(&u, &e.Message.Usage)
			st.setUsage(u)
		}
	case "content_block_start":
		st.startBlock(e)
	case "content_block_delta":
		st.delta(e)
	case "content_block_stop":
		if i, ok := st.blocks[e.Index]; ok {
			delete(st.blocks, e.Index)
			st.s.End(i)
		}
	case "message_delta":
		if e.Delta != nil && e.Delta.StopReason != "" {
			reason, err := stopReason(e.Delta.StopReason)
			if err != nil {
				return err
			}
			st.reason = reason
		}
		if e.Usage != nil {
			u := st.s.Message().Usage
			st.addUsage(&u, e.Usage)
			st.setUsage(u)
		}
	case "message_stop":
		st.stopped = true
	}
	return nil
}

// addUsage overwrites the counts the event carries (proxies may omit some).
func (st *stream) addUsage(u *ai.Usage, in *usage) {
	if in.InputTokens != nil {
		u.Input = *in.InputTokens
	}
	if in.OutputTokens != nil {
		u.Output = *in.OutputTokens
	}
	if in.CacheReadInputTokens != nil {
		u.CacheRead = *in.CacheReadInputTokens
	}
	if in.CacheCreationInputTokens != nil {
		u.CacheWrite = *in.CacheCreationInputTokens
	}
}

func (st *stream) setUsage(u ai.Usage) {
	u.TotalTokens = u.Input + u.Output + u.CacheRead + u.CacheWrite
	st.s.SetUsage(u)
}

func (st *stream) startBlock(e *event) {
	b := e.ContentBlock
	if b == nil {
		return
	}
	switch b.Type {
	case "text":
		st.blocks[e.Index] = st.s.BeginText()
	case "thinking":
		st.blocks[e.Index] = st.s.BeginThinking("")
	case "redacted_thinking":
		st.blocks[e.Index] = st.s.BeginRedactedThinking(b.Data)
	case "tool_use":
		name := b.Name
		if st.oauth {
			name = fromClaudeCodeName(name, st.tools)
		}
		i := st.s.BeginToolCall(b.ID, name)
		if len(b.Input) > 0 && string(b.Input) != "null" {
			st.s.Block(i).Arguments = b.Input
		}
		st.blocks[e.Index] = i
	}
}

func (st *stream) delta(e *event) {
	i, ok := st.blocks[e.Index]
	if !ok || e.Delta == nil {
		return
	}
	b := st.s.Block(i)
	switch e.Delta.Type {
	case "text_delta":
		if b.Type == ai.ContentText {
			st.s.AppendText(i, e.Delta.Text)
		}
	case "thinking_delta":
		if b.Type == ai.ContentThinking {
			st.s.AppendText(i, e.Delta.Thinking)
		}
	case "input_json_delta":
		if b.Type == ai.ContentToolCall {
			st.s.AppendToolArgs(i, e.Delta.PartialJSON)
		}
	case "signature_delta":
		if b.Type == ai.ContentThinking {
			b.ThinkingSignature += e.Delta.Signature
		}
	}
}

func stopReason(r string) (ai.StopReason, error) {
	switch r {
	case "end_turn", "pause_turn", "stop_sequence":
		return ai.StopReasonStop, nil
	case "max_tokens":
		return ai.StopReasonLength, nil
	case "tool_use":
		return ai.StopReasonToolUse, nil
	case "refusal", "sensitive":
		return ai.StopReasonError, nil
	}
	return "", ai.Failure("Unhandled stop reason: " + r)
}
