package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// Error is the one error shape every API route sends:
// {"error":"<stable_code>","message":"<text>"} plus optional extra fields
// (e.g. lockedUntil). Handlers return it; huma writes it.
type Error struct {
	Status  int
	Code    string
	Message string
	Extra   map[string]any
}

// Errorf makes an API error with a stable code and a formatted message.
func Errorf(status int, code, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Status: status, Code: code, Message: msg}
}

// NewError makes an API error with a stable code and no message.
func NewError(status int, code string) *Error { return &Error{Status: status, Code: code} }

// With returns a copy of e with one more field in the JSON body.
func (e *Error) With(key string, v any) *Error {
	c := *e
	c.Extra = make(map[string]any, len(e.Extra)+1)
	for k, v := range e.Extra {
		c.Extra[k] = v
	}
	c.Extra[key] = v
	return &c
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// GetStatus implements huma.StatusError.
func (e *Error) GetStatus() int { return e.Status }

// ContentType makes huma send plain JSON rather than problem+json.
func (e *Error) ContentType(string) string { return "application/json" }

// MarshalJSON writes {error, message?, ...extra}.
func (e *Error) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, 2+len(e.Extra))
	for k, v := range e.Extra {
		m[k] = v
	}
	m["error"] = e.Code
	if e.Message != "" {
		m["message"] = e.Message
	}
	return json.Marshal(m)
}

// WriteError writes err as JSON, for handlers outside huma (raw handlers,
// middleware). Non-API errors become 500 internal_error without details.
func WriteError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = NewError(http.StatusInternalServerError, "internal_error")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	b, _ := e.MarshalJSON()
	_, _ = w.Write(b)
}

// Fail is WriteError for raw handlers: an error that is not an API error
// is answered 500 internal_error and its cause goes into the request's
// access log line, never to the client.
func Fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		if ri := infoFrom(r.Context()); ri != nil {
			ri.err = err
		}
	}
	WriteError(w, err)
}

// codeForStatus names huma's own errors (validation, body too large, ...).
func codeForStatus(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return "invalid_body"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusNotAcceptable:
		return "not_acceptable"
	case http.StatusRequestEntityTooLarge:
		return "body_too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusRequestTimeout:
		return "request_timeout"
	}
	if status >= 500 {
		return "internal_error"
	}
	return strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
}

// humaError replaces huma's problem+json errors with ours. Validation
// failures are 400 (the reference's status), not huma's 422, with every
// detail in the message ("body.name: expected length >= 1").
func humaError(status int, msg string, errs ...error) huma.StatusError {
	if status == http.StatusUnprocessableEntity {
		status = http.StatusBadRequest
	}
	var parts []string
	for _, err := range errs {
		if err == nil {
			continue
		}
		var d huma.ErrorDetailer
		if errors.As(err, &d) {
			det := d.ErrorDetail()
			if det.Location != "" {
				parts = append(parts, det.Location+": "+det.Message)
				continue
			}
			parts = append(parts, det.Message)
			continue
		}
		if status < 500 {
			parts = append(parts, err.Error())
		}
	}
	message := msg
	if len(parts) > 0 {
		message = strings.Join(parts, "; ")
	}
	if status >= 500 {
		message = "" // never leak internal error text
	}
	return &Error{Status: status, Code: codeForStatus(status), Message: message}
}

func init() {
	// huma exposes its error constructor as a package variable; installing
	// ours once here makes every huma-generated error use our shape.
	huma.NewError = humaError
	// With a context at hand, remember the cause of a 500 so the access log
	// records it; the client only ever sees internal_error.
	huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		if status >= 500 && ctx != nil {
			if ri := infoFrom(ctx.Context()); ri != nil {
				ri.err = errors.Join(errs...)
			}
		}
		return humaError(status, msg, errs...)
	}
}

// Schema describes the error body in the OpenAPI document.
func (e *Error) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{
		Type:     huma.TypeObject,
		Required: []string{"error"},
		Properties: map[string]*huma.Schema{
			"error":   {Type: huma.TypeString, Description: "stable error code, e.g. session_not_found"},
			"message": {Type: huma.TypeString, Description: "human-readable detail"},
		},
		AdditionalProperties: true,
	}
}
