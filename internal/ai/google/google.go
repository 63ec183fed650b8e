// Package google is the google-generative-ai adapter: POST
// {baseUrl}/models/{id}:streamGenerateContent?alt=sse with the REST body the
// genai SDK would send for pi's parameters.
//
// It is a small client of our own rather than google.golang.org/genai: that
// SDK adds about 13 MB and gRPC to the binary for one REST+SSE endpoint.
package google

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/wire"
)

// Provider is the google-generative-ai adapter.
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
	body, err := wire.JSON(buildRequest(m, c, opts))
	if err != nil {
		return s.Fail(ctx, fmt.Errorf("encode request: %w", err))
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Goog-Api-Key", opts.APIKey)
	wire.MergeHeaders(h, m.Headers, opts.Headers)
	resp, err := wire.Do(ctx, p.cfg.Client(opts), &wire.Request{
		URL:    strings.TrimRight(m.BaseURL, "/") + "/models/" + url.PathEscape(m.ID) + ":streamGenerateContent?alt=sse",
		Header: h,
		Body:   body,
	})
	if err != nil {
		return s.Fail(ctx, apiError(err))
	}
	defer resp.Body.Close()
	s.Start()
	st := stream{s: s, now: p.cfg.Now().UnixMilli(), current: -1}
	reason, err := st.read(ctx, wire.NewSSEReader(resp.Body))
	if err != nil {
		return s.Fail(ctx, err)
	}
	return s.Finish(ctx, reason)
}

// apiError words an HTTP failure as the genai SDK does: the error body as
// compact JSON, or one built from the status when the body is not JSON.
func apiError(err error) error {
	var he *wire.HTTPError
	if !errors.As(err, &he) {
		return err
	}
	var buf bytes.Buffer
	if strings.Contains(he.ContentType, "application/json") && json.Compact(&buf, he.Body) == nil {
		return ai.Failure(buf.String())
	}
	var e struct {
		Error struct {
			Message string `json:"message"`
			Code    int    `json:"code"`
			Status  string `json:"status"`
		} `json:"error"`
	}
	e.Error.Message, e.Error.Code, e.Error.Status = string(he.Body), he.Status, he.StatusText
	b, _ := wire.JSON(e)
	return ai.Failure(string(b))
}

type chunk struct {
	ResponseID string `json:"responseId"`
	Candidates []struct {
		Content *struct {
			Parts []respPart `json:"parts"`
		} `json:"content"`
		FinishReason string `json:"finishReason"`
	} `json:"candidates"`
	UsageMetadata *struct {
		PromptTokenCount        int `json:"promptTokenCount"`
		CandidatesTokenCount    int `json:"candidatesTokenCount"`
		ThoughtsTokenCount      int `json:"thoughtsTokenCount"`
		TotalTokenCount         int `json:"totalTokenCount"`
		CachedContentTokenCount int `json:"cachedContentTokenCount"`
	} `json:"usageMetadata"`
	Error json.RawMessage `json:"error"`
}

type respPart struct {
	Text             *string `json:"text"`
	Thought          bool    `json:"thought"`
	ThoughtSignature string  `json:"thoughtSignature"`
	FunctionCall     *struct {
		Name string          `json:"name"`
		Args json.RawMessage `json:"args"`
		ID   string          `json:"id"`
	} `json:"functionCall"`
}

// stream maps chunks onto the message: consecutive text parts of one kind
// (thought or not) form a block; a function call arrives whole.
type stream struct {
	s        *ai.AssistantStream
	now      int64
	calls    int
	current  int // open text or thinking block, -1 when none
	thinking bool
	reason   ai.StopReason
	ch       chunk
}

func (st *stream) read(ctx context.Context, events *wire.SSEReader) (ai.StopReason, error) {
	st.reason = ai.StopReasonStop
	for ctx.Err() == nil && events.Next() { // stop at an abort, even with events buffered
		data := bytes.TrimSpace(events.Event().Data)
		if len(data) == 0 {
			continue
		}
		st.ch = chunk{}
		if err := json.Unmarshal(data, &st.ch); err != nil {
			return "", ai.Failure(fmt.Sprintf("exception parsing stream chunk %s. %v", data, err))
		}
		if len(st.ch.Error) > 0 && string(st.ch.Error) != "null" {
			// genai ignores an error object sent in the stream, which would
			// end the turn as a success; it is the provider's failure.
			var e struct {
				Status string `json:"status"`
			}
			_ = json.Unmarshal(st.ch.Error, &e)
			return "", ai.Failure(fmt.Sprintf("got status: %s. %s", e.Status, data))
		}
		st.apply(&st.ch)
	}
	if err := events.Err(); err != nil {
		return "", wire.StreamError(ctx, err)
	}
	st.closeCurrent()
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	return st.reason, nil
}

func (st *stream) apply(ch *chunk) {
	msg := st.s.Message()
	if msg.ResponseID == "" {
		msg.ResponseID = ch.ResponseID
	}
	if len(ch.Candidates) > 0 {
		cand := &ch.Candidates[0]
		if cand.Content != nil {
			for i := range cand.Content.Parts {
				st.part(&cand.Content.Parts[i])
			}
		}
		if cand.FinishReason != "" {
			st.reason = finishReason(cand.FinishReason)
			for _, c := range msg.Content {
				if c.Type == ai.ContentToolCall {
					st.reason = ai.StopReasonToolUse
					break
				}
			}
		}
	}
	if u := ch.UsageMetadata; u != nil {
		st.s.SetUsage(ai.Usage{
			Input:       u.PromptTokenCount - u.CachedContentTokenCount,
			Output:      u.CandidatesTokenCount + u.ThoughtsTokenCount,
			CacheRead:   u.CachedContentTokenCount,
			TotalTokens: u.TotalTokenCount,
		})
	}
}

func (st *stream) part(p *respPart) {
	if p.Text != nil {
		if st.current < 0 || st.thinking != p.Thought {
			st.closeCurrent()
			st.thinking = p.Thought
			if p.Thought {
				st.current = st.s.BeginThinking("")
			} else {
				st.current = st.s.BeginText()
			}
		}
		b := st.s.Block(st.current)
		// A signature may come on any delta; later deltas without one keep it.
		if p.ThoughtSignature != "" {
			if p.Thought {
				b.ThinkingSignature = p.ThoughtSignature
			} else {
				b.TextSignature = p.ThoughtSignature
			}
		}
		st.s.AppendText(st.current, *p.Text)
	}
	if fc := p.FunctionCall; fc != nil {
		st.closeCurrent()
		id := fc.ID
		if id == "" || st.hasCallID(id) {
			st.calls++
			id = fc.Name + "_" + strconv.FormatInt(st.now, 10) + "_" + strconv.Itoa(st.calls)
		}
		args := []byte("{}")
		var buf bytes.Buffer
		if len(fc.Args) > 0 && string(fc.Args) != "null" && json.Compact(&buf, fc.Args) == nil {
			args = buf.Bytes() // as JSON.stringify would write it
		}
		i := st.s.BeginToolCall(id, fc.Name)
		st.s.Block(i).ThoughtSignature = p.ThoughtSignature
		st.s.AppendToolArgs(i, string(args))
		st.s.End(i)
	}
}

func (st *stream) hasCallID(id string) bool {
	msg := st.s.Message()
	for _, c := range msg.Content {
		if c.Type == ai.ContentToolCall && c.ID == id {
			return true
		}
	}
	return false
}

func (st *stream) closeCurrent() {
	if st.current >= 0 {
		st.s.End(st.current)
		st.current = -1
	}
}

func finishReason(r string) ai.StopReason {
	switch r {
	case "STOP":
		return ai.StopReasonStop
	case "MAX_TOKENS":
		return ai.StopReasonLength
	}
	return ai.StopReasonError
}
