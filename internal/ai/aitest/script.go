// Package aitest runs scripted fake LLM servers that speak the four wire
// formats pi uses (anthropic-messages, openai-completions, openai-responses,
// google-generative-ai) over real HTTP, so adapters and the agent loop are
// tested without a live model, and records every request body it receives.
package aitest

import (
	"encoding/json"
	"fmt"
	"os"
)

// Script is the sequence of responses a server gives, one per request in
// arrival order, whatever the wire format.
type Script struct {
	Responses []Response `json:"responses"`
	// Fallback answers every request after Responses are used up. Without
	// one, such a request gets a 500 error naming the exhausted script.
	Fallback *Canned `json:"fallback,omitempty"`
}

// Canned is a reply made up on the spot, for demos without a script.
type Canned struct {
	// Mode is "echo" (repeat the last user text) or "lorem" (Words words of
	// lorem ipsum).
	Mode  string `json:"mode"`
	Words int    `json:"words,omitempty"`
	// DelayMS and ChunkSize pace the canned stream like Response's fields.
	DelayMS   int `json:"delayMs,omitempty"`
	ChunkSize int `json:"chunkSize,omitempty"`
}

// Response is one scripted answer.
type Response struct {
	// Blocks stream in order: text, thinking and tool calls (several tool
	// calls make a parallel call).
	Blocks []Block `json:"blocks,omitempty"`
	// StopReason is "stop", "length" or "toolUse"; empty means toolUse when
	// a tool call is present, else stop.
	StopReason string `json:"stopReason,omitempty"`
	// Usage defaults to a rough count from the sizes of request and reply.
	Usage *Usage `json:"usage,omitempty"`

	// Error answers with an HTTP error in the wire format instead of a stream.
	Error *Error `json:"error,omitempty"`
	// StreamError ends the stream with an in-band error event after the blocks.
	StreamError *Error `json:"streamError,omitempty"`
	// DisconnectAfter drops the connection, without ending the response,
	// after this many events (0 = never).
	DisconnectAfter int `json:"disconnectAfter,omitempty"`
	// DelayMS waits this long before each event, honouring client aborts.
	DelayMS int `json:"delayMs,omitempty"`
	// ChunkSize splits text into deltas of this many characters and tool
	// arguments into fragments of this many; 0 streams text word by word and
	// arguments in 16-character fragments.
	ChunkSize int `json:"chunkSize,omitempty"`
}

// Block types.
const (
	BlockText     = "text"
	BlockThinking = "thinking"
	BlockToolCall = "toolCall"
)

// Block is one content block of a scripted response.
type Block struct {
	Type string `json:"type"`
	Text string `json:"text,omitempty"`
	// Signature is the opaque reasoning token: Anthropic's thinking
	// signature, the Responses reasoning item's encrypted_content, Gemini's
	// thoughtSignature (on thinking, text or tool call parts). For
	// openai-completions it names the delta field ("reasoning_content"
	// by default, or "reasoning", "reasoning_text").
	Signature string `json:"signature,omitempty"`
	// Redacted sends an Anthropic redacted_thinking block with Signature as
	// its data.
	Redacted bool `json:"redacted,omitempty"`

	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// Arguments is a JSON object, or a JSON string holding raw (possibly
	// malformed) arguments text.
	Arguments json.RawMessage `json:"arguments,omitempty"`
}

// Usage is the token count a response reports.
type Usage struct {
	Input      int `json:"input"`
	Output     int `json:"output"`
	CacheRead  int `json:"cacheRead,omitempty"`
	CacheWrite int `json:"cacheWrite,omitempty"`
}

// Error kinds with a ready-made status and message in each wire format.
const (
	ErrRateLimit       = "rate_limit"
	ErrOverloaded      = "overloaded"
	ErrServer          = "server"
	ErrContextOverflow = "context_overflow"
	ErrAuth            = "auth"
)

// Error is a provider error. Status and Message override the kind's
// defaults; a kind-less error needs both.
type Error struct {
	Kind    string `json:"kind,omitempty"`
	Status  int    `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
}

// Text returns a response with one text block.
func Text(s string) Response { return Response{Blocks: []Block{{Type: BlockText, Text: s}}} }

// ToolCall returns a tool call block.
func ToolCall(id, name, args string) Block {
	return Block{Type: BlockToolCall, ID: id, Name: name, Arguments: json.RawMessage(args)}
}

// LoadScript reads a script from a JSON file.
func LoadScript(path string) (Script, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Script{}, fmt.Errorf("load script: %w", err)
	}
	return ParseScript(data)
}

// ParseScript decodes and checks a JSON script.
func ParseScript(data []byte) (Script, error) {
	var s Script
	if err := json.Unmarshal(data, &s); err != nil {
		return Script{}, fmt.Errorf("parse script: %w", err)
	}
	for i, r := range s.Responses {
		if err := r.validate(); err != nil {
			return Script{}, fmt.Errorf("parse script: response %d: %w", i, err)
		}
	}
	if f := s.Fallback; f != nil && f.Mode != "echo" && f.Mode != "lorem" {
		return Script{}, fmt.Errorf("parse script: fallback mode %q is not echo or lorem", f.Mode)
	}
	return s, nil
}

func (r *Response) validate() error {
	for i, b := range r.Blocks {
		switch b.Type {
		case BlockText, BlockThinking:
		case BlockToolCall:
			if b.Name == "" {
				return fmt.Errorf("block %d: toolCall needs a name", i)
			}
			if len(b.Arguments) > 0 && !validArguments(b.Arguments) {
				return fmt.Errorf("block %d: arguments must be an object, or a string of raw text", i)
			}
		default:
			return fmt.Errorf("block %d: unknown type %q", i, b.Type)
		}
	}
	switch r.StopReason {
	case "", "stop", "length", "toolUse":
	default:
		return fmt.Errorf("unknown stopReason %q", r.StopReason)
	}
	for _, e := range []*Error{r.Error, r.StreamError} {
		if e == nil {
			continue
		}
		switch e.Kind {
		case ErrRateLimit, ErrOverloaded, ErrServer, ErrContextOverflow, ErrAuth:
		case "":
			if e.Status == 0 || e.Message == "" {
				return fmt.Errorf("an error without kind needs status and message")
			}
		default:
			return fmt.Errorf("unknown error kind %q", e.Kind)
		}
	}
	return nil
}

// stopReason resolves the default.
func (r *Response) stopReason() string {
	if r.StopReason != "" {
		return r.StopReason
	}
	for _, b := range r.Blocks {
		if b.Type == BlockToolCall {
			return "toolUse"
		}
	}
	return "stop"
}

// usage resolves the default from the request and reply sizes, about four
// characters a token.
func (r *Response) usage(requestBytes int) Usage {
	if r.Usage != nil {
		return *r.Usage
	}
	out := 0
	for _, b := range r.Blocks {
		out += len(b.Text) + len(b.Arguments)
	}
	return Usage{Input: requestBytes/4 + 1, Output: out/4 + 1}
}

// args returns the arguments text to stream. A JSON string is sent as its
// raw content, so a script can send malformed arguments on purpose.
func (b *Block) args() string {
	if len(b.Arguments) == 0 {
		return "{}"
	}
	var raw string
	if json.Unmarshal(b.Arguments, &raw) == nil {
		return raw
	}
	return string(b.Arguments)
}

func validArguments(a json.RawMessage) bool {
	var v any
	if json.Unmarshal(a, &v) != nil {
		return false
	}
	switch v.(type) {
	case map[string]any, string:
		return true
	}
	return false
}
