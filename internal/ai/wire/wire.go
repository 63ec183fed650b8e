// Package wire is the HTTP transport the LLM adapters share: one JSON POST
// whose response is a server-sent event stream, with failures turned into
// errors that carry the provider's status and body.
//
// The adapters speak HTTP themselves instead of through the official Go
// SDKs: measured on this module, anthropic-sdk-go/v2 adds about 9 MB and
// openai-go/v3 about 27 MB to a static binary (and 4-8 MB of resident
// memory at start-up) for two POST endpoints, while pi's requests need raw
// JSON bodies the SDK types cannot express, pi parses Anthropic's SSE itself,
// and byte-exact round-trips need the raw event JSON. What the SDKs would add
// beyond that (retries) is deliberately off: the agent loop retries visibly.
package wire

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 1 << 20

// Request is one streaming call.
type Request struct {
	URL    string
	Header http.Header
	Body   []byte
}

// HTTPError is a non-2xx response.
type HTTPError struct {
	Status      int
	StatusText  string
	ContentType string
	Body        []byte
}

func (e *HTTPError) Error() string {
	if len(e.Body) == 0 {
		return fmt.Sprintf("%d status code (no body)", e.Status)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Body)
}

// ConnError is a transport failure: the connection could not be made or
// broke while the response streamed. Its message starts with
// "Connection error" so retry logic recognises it.
type ConnError struct{ Err error }

func (e *ConnError) Error() string { return "Connection error: " + e.Err.Error() }
func (e *ConnError) Unwrap() error { return e.Err }

// Do sends the request and returns the response of a 2xx status, whose body
// the caller must close. Other statuses become *HTTPError, transport
// failures *ConnError, and a cancelled ctx returns ctx's error.
func Do(ctx context.Context, client *http.Client, r *Request) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &ConnError{Err: unwrapURLError(err)}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return nil, &HTTPError{
		Status:      resp.StatusCode,
		StatusText:  http.StatusText(resp.StatusCode),
		ContentType: resp.Header.Get("Content-Type"),
		Body:        bytes.TrimSpace(body),
	}
}

// StreamError classifies an error from reading a response body: ctx's error
// when the caller cancelled, else a *ConnError.
func StreamError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var conn *ConnError
	if errors.As(err, &conn) {
		return err
	}
	return &ConnError{Err: err}
}

func unwrapURLError(err error) error {
	var u interface{ Unwrap() error }
	if errors.As(err, &u) {
		if inner := u.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

// MergeHeaders sets each map's entries in order, later maps winning; an
// empty value removes the header.
func MergeHeaders(h http.Header, maps ...map[string]string) {
	for _, m := range maps {
		for k, v := range m {
			if v == "" {
				h.Del(k)
				continue
			}
			h.Set(k, v)
		}
	}
}

// JSON encodes a request body the way JavaScript's JSON.stringify does in
// the respects that matter here: '<', '>' and '&' stay literal, so opaque
// provider data embedded as raw JSON goes back byte for byte.
func JSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}
