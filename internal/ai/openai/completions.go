// Package openai holds the adapters for OpenAI's two wire APIs:
// openai-completions (POST {baseUrl}/chat/completions, spoken by OpenAI and
// every OpenAI-compatible server, with pi's compat flags) and
// openai-responses (POST {baseUrl}/responses).
package openai

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

// Completions is the openai-completions adapter.
type Completions struct {
	cfg ai.AdapterConfig
}

// NewCompletions returns the adapter.
func NewCompletions(cfg ai.AdapterConfig) *Completions {
	return &Completions{cfg: cfg.WithDefaults()}
}

// Stream implements ai.Provider.
func (p *Completions) Stream(ctx context.Context, m *ai.Model, c *ai.Context, opts *ai.StreamOptions, emit func(*ai.StreamEvent)) *ai.Message {
	s, opts, err := ai.BeginStream(m, opts, emit, p.cfg.Now())
	if err != nil {
		return s.Fail(ctx, err)
	}
	cp := resolveCompat(m)
	retention := p.cfg.CacheRetention(opts)
	level := ai.ReasoningLevel(m, opts.Reasoning)
	body, err := wire.JSON(buildChatRequest(m, c, opts, &cp, retention, level))
	if err != nil {
		return s.Fail(ctx, fmt.Errorf("encode request: %w", err))
	}
	header := openAIHeaders(m, opts)
	if opts.SessionID != "" && retention != ai.CacheNone && cp.sendSessionAffinityHeaders {
		header.Set("session_id", opts.SessionID)
		header.Set("x-client-request-id", opts.SessionID)
		header.Set("x-session-affinity", opts.SessionID)
	}
	st := chatStream{s: s, model: m, byIndex: map[int]int{}, byID: map[string]int{}}
	return post(ctx, p.cfg, s, m, opts, "/chat/completions", header, body, st.read)
}

// post sends one OpenAI request to {baseUrl}{path} and reads its event
// stream with read; both OpenAI APIs end a call this way.
func post(ctx context.Context, cfg ai.AdapterConfig, s *ai.AssistantStream, m *ai.Model, opts *ai.StreamOptions, path string,
	header http.Header, body []byte, read func(context.Context, *wire.SSEReader) (ai.StopReason, error)) *ai.Message {
	wire.MergeHeaders(header, opts.Headers)
	resp, err := wire.Do(ctx, cfg.Client(opts), &wire.Request{
		URL:    strings.TrimRight(m.BaseURL, "/") + path,
		Header: header,
		Body:   body,
	})
	if err != nil {
		return s.Fail(ctx, openAIError(err))
	}
	defer resp.Body.Close()
	s.Start()
	reason, err := read(ctx, wire.NewSSEReader(resp.Body))
	if err != nil {
		return s.Fail(ctx, err)
	}
	return s.Finish(ctx, reason)
}

// openAIHeaders are the headers both OpenAI APIs send, before the caller's.
func openAIHeaders(m *ai.Model, opts *ai.StreamOptions) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "text/event-stream")
	h.Set("Authorization", "Bearer "+opts.APIKey)
	wire.MergeHeaders(h, m.Headers)
	return h
}

// openAIError words an HTTP failure as the OpenAI SDK does: the status and
// the error object's message (OpenRouter's metadata.raw appended).
func openAIError(err error) error {
	var he *wire.HTTPError
	if !errors.As(err, &he) {
		return err
	}
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(he.Body, &body) != nil {
		return ai.Failure(he.Error())
	}
	if len(body.Error) == 0 || string(body.Error) == "null" {
		return ai.Failure(fmt.Sprintf("%d status code (no body)", he.Status))
	}
	return ai.Failure(fmt.Sprintf("%d %s", he.Status, errorObjectMessage(body.Error)))
}

// errorObjectMessage returns error.message, or the whole object as JSON,
// followed by OpenRouter's metadata.raw when present.
func errorObjectMessage(raw json.RawMessage) string {
	var e struct {
		Message  json.RawMessage `json:"message"`
		Metadata struct {
			Raw string `json:"raw"`
		} `json:"metadata"`
	}
	msg := string(raw)
	if json.Unmarshal(raw, &e) == nil && len(e.Message) > 0 && string(e.Message) != "null" {
		var s string
		if json.Unmarshal(e.Message, &s) == nil {
			msg = s
		} else {
			msg = string(e.Message)
		}
	}
	if e.Metadata.Raw != "" {
		msg += "\n" + e.Metadata.Raw
	}
	return msg
}

// chatChunk is one chat.completion.chunk. Reasoning fields are raw because
// servers differ in their type.
type chatChunk struct {
	ID      string          `json:"id"`
	Model   string          `json:"model"`
	Usage   *chatUsage      `json:"usage"`
	Error   json.RawMessage `json:"error"`
	Choices []struct {
		Delta        *chatDelta `json:"delta"`
		FinishReason *string    `json:"finish_reason"`
		Usage        *chatUsage `json:"usage"`
	} `json:"choices"`
}

type chatDelta struct {
	Content          *string           `json:"content"`
	ReasoningContent json.RawMessage   `json:"reasoning_content"`
	Reasoning        json.RawMessage   `json:"reasoning"`
	ReasoningText    json.RawMessage   `json:"reasoning_text"`
	ToolCalls        []chatDeltaCall   `json:"tool_calls"`
	ReasoningDetails []json.RawMessage `json:"reasoning_details"`
}

type chatDeltaCall struct {
	Index    *int   `json:"index"`
	ID       string `json:"id"`
	Function *struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type chatUsage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	PromptCacheHit      int `json:"prompt_cache_hit_tokens"`
	PromptTokensDetails *struct {
		CachedTokens     *int `json:"cached_tokens"`
		CacheWriteTokens int  `json:"cache_write_tokens"`
	} `json:"prompt_tokens_details"`
}

// chatStream maps chunks onto the assistant message. Text and thinking each
// have one block per response (pi-ai's behaviour); tool calls are found by
// their stream index or id.
type chatStream struct {
	s        *ai.AssistantStream
	model    *ai.Model
	text     int // content index + 1, 0 = none yet
	thinking int
	byIndex  map[int]int
	byID     map[string]int
	finished bool
	reason   ai.StopReason
	chunk    chatChunk
}

func (st *chatStream) read(ctx context.Context, events *wire.SSEReader) (ai.StopReason, error) {
	for ctx.Err() == nil && events.Next() { // stop at an abort, even with events buffered
		data := events.Event().Data
		if string(data) == "[DONE]" {
			break
		}
		if len(data) == 0 {
			continue
		}
		st.chunk = chatChunk{}
		if err := json.Unmarshal(data, &st.chunk); err != nil {
			return "", fmt.Errorf("decode chunk: %w", err)
		}
		if err := st.apply(&st.chunk); err != nil {
			return "", err
		}
	}
	if err := events.Err(); err != nil {
		return "", wire.StreamError(ctx, err)
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	st.s.EndAll()
	if st.reason == ai.StopReasonError {
		return st.reason, nil
	}
	if !st.finished {
		return "", ai.Failure("Stream ended without finish_reason")
	}
	return st.reason, nil
}

func (st *chatStream) apply(ch *chatChunk) error {
	msg := st.s.Message()
	if len(ch.Error) > 0 && string(ch.Error) != "null" {
		return ai.Failure(errorObjectMessage(ch.Error))
	}
	if msg.ResponseID == "" {
		msg.ResponseID = ch.ID
	}
	if ch.Model != "" && ch.Model != st.model.ID && msg.ResponseModel == "" {
		msg.ResponseModel = ch.Model
	}
	if ch.Usage != nil {
		st.s.SetUsage(chatUsageOf(ch.Usage))
	}
	if len(ch.Choices) == 0 {
		return nil
	}
	choice := &ch.Choices[0]
	if ch.Usage == nil && choice.Usage != nil {
		st.s.SetUsage(chatUsageOf(choice.Usage))
	}
	if choice.FinishReason != nil && *choice.FinishReason != "" {
		st.finished = true
		st.reason, msg.ErrorMessage = chatStopReason(*choice.FinishReason)
	}
	if d := choice.Delta; d != nil {
		st.applyDelta(d)
	}
	return nil
}

func (st *chatStream) applyDelta(d *chatDelta) {
	if d.Content != nil && *d.Content != "" {
		if st.text == 0 {
			st.text = st.s.BeginText() + 1
		}
		st.s.AppendText(st.text-1, *d.Content)
	}
	// The first non-empty of the reasoning fields servers use (llama.cpp,
	// vLLM, OpenRouter, ...) is the thinking; its name is the signature.
	for _, f := range [...]struct {
		name string
		raw  json.RawMessage
	}{{"reasoning_content", d.ReasoningContent}, {"reasoning", d.Reasoning}, {"reasoning_text", d.ReasoningText}} {
		text, ok := rawString(f.raw)
		if !ok || text == "" {
			continue
		}
		if st.thinking == 0 {
			st.thinking = st.s.BeginThinking(f.name) + 1
		}
		st.s.AppendText(st.thinking-1, text)
		break
	}
	for i := range d.ToolCalls {
		st.applyToolCall(&d.ToolCalls[i])
	}
	for _, raw := range d.ReasoningDetails {
		var detail struct {
			Type string `json:"type"`
			ID   string `json:"id"`
			Data string `json:"data"`
		}
		if json.Unmarshal(raw, &detail) != nil || detail.Type != "reasoning.encrypted" || detail.ID == "" || detail.Data == "" {
			continue
		}
		for i := range st.s.Len() {
			if b := st.s.Block(i); b.Type == ai.ContentToolCall && b.ID == detail.ID {
				b.ThoughtSignature = string(compactJSON(raw))
				break
			}
		}
	}
}

func (st *chatStream) applyToolCall(tc *chatDeltaCall) {
	idx, ok := -1, false
	if tc.Index != nil {
		idx, ok = st.byIndex[*tc.Index]
	}
	if !ok && tc.ID != "" {
		idx, ok = st.byID[tc.ID]
	}
	name := ""
	if tc.Function != nil {
		name = tc.Function.Name
	}
	if !ok {
		idx = st.s.BeginToolCall(tc.ID, name)
	}
	if tc.Index != nil {
		st.byIndex[*tc.Index] = idx
	}
	b := st.s.Block(idx)
	if tc.ID != "" {
		st.byID[tc.ID] = idx
		if b.ID == "" {
			b.ID = tc.ID
		}
	}
	if b.Name == "" && name != "" {
		b.Name = name
	}
	args := ""
	if tc.Function != nil {
		args = tc.Function.Arguments
	}
	st.s.AppendToolArgs(idx, args)
}

// rawString decodes a JSON string; other JSON values are not strings.
func rawString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// compactJSON is raw without insignificant whitespace, as JSON.stringify
// would write it.
func compactJSON(raw json.RawMessage) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw
	}
	return buf.Bytes()
}

// chatUsageOf reads usage as pi does: cached prompt tokens are cache reads,
// cache_write_tokens (OpenRouter) cache writes, the rest input; completion
// tokens already include reasoning tokens.
func chatUsageOf(u *chatUsage) ai.Usage {
	cacheRead := u.PromptCacheHit
	cacheWrite := 0
	if d := u.PromptTokensDetails; d != nil {
		if d.CachedTokens != nil {
			cacheRead = *d.CachedTokens
		}
		cacheWrite = d.CacheWriteTokens
	}
	input := max(0, u.PromptTokens-cacheRead-cacheWrite)
	return ai.Usage{
		Input:       input,
		Output:      u.CompletionTokens,
		CacheRead:   cacheRead,
		CacheWrite:  cacheWrite,
		TotalTokens: input + u.CompletionTokens + cacheRead + cacheWrite,
	}
}

func chatStopReason(r string) (ai.StopReason, string) {
	switch r {
	case "stop", "end":
		return ai.StopReasonStop, ""
	case "length":
		return ai.StopReasonLength, ""
	case "tool_calls", "function_call":
		return ai.StopReasonToolUse, ""
	}
	return ai.StopReasonError, "Provider finish_reason: " + r
}
