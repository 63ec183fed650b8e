package promptinput

import "fmt"

// Error codes of POST /sessions/{id}/prompt (api-contract §1.5). All are
// 400s.
const (
	CodeInvalidBody        = "invalid_body"
	CodeMissingText        = "missing_text"
	CodeAttachmentTooLarge = "attachment_too_large"
	CodeTooManyImages      = "too_many_images"
	CodeTooManyTextFiles   = "too_many_text_files"
	CodeTooManyFiles       = "too_many_files"
	CodeTooManyParts       = "too_many_parts"
	CodeUnsupportedType    = "unsupported_attachment_type"
	CodeConversionFailed   = "conversion_failed"
)

// Error is a request the prompt route must refuse with 400 {error: Code,
// message: Message}.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
