package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"syscall"
)

// Code is a stable error code from the files API contract
// (api-contract §1.7). Handlers send it as {"error": code}.
type Code string

// The codes workspace operations can fail with.
const (
	CodePathNotAllowed    Code = "path_not_allowed"    // 403: traversal, symlink escape, NUL byte, the root itself
	CodePermissionDenied  Code = "permission_denied"   // 403: EACCES / EPERM / read-only filesystem
	CodeNotFound          Code = "not_found"           // 404
	CodeNotAFile          Code = "not_a_file"          // 400
	CodeNotADirectory     Code = "not_a_directory"     // 400
	CodeInvalidName       Code = "invalid_name"        // 400: bad single-segment name, dir moved into itself
	CodeTargetExists      Code = "target_exists"       // 409
	CodeDirectoryNotEmpty Code = "directory_not_empty" // 409
	CodeFileTooLarge      Code = "file_too_large"      // 413
	CodeAggregateTooLarge Code = "aggregate_too_large" // 413: upload request over its total budget
	CodeTooManyFiles      Code = "too_many_files"      // 413: upload request over its file count
	CodeTooManyFields     Code = "too_many_fields"     // 413: upload request over its field count
	CodeChecksumMismatch  Code = "checksum_mismatch"   // 422
	CodeExpectedMultipart Code = "expected_multipart"  // 415
	CodeMissingField      Code = "missing_field"       // 400
	CodeMissingFilename   Code = "missing_filename"    // 400
	CodeNoFiles           Code = "no_files"            // 400
	CodeInvalidBody       Code = "invalid_body"        // 400: malformed multipart or field
	// Clone target checks (api-contract §1.3).
	CodeInvalidDirectoryName Code = "invalid_directory_name" // 400
	CodeTargetNotADirectory  Code = "target_not_a_directory" // 400
	CodeTargetNotEmpty       Code = "target_not_empty"       // 409
	CodeInternal             Code = "internal_error"         // 500
)

var statusByCode = map[Code]int{
	CodePathNotAllowed:       http.StatusForbidden,
	CodePermissionDenied:     http.StatusForbidden,
	CodeNotFound:             http.StatusNotFound,
	CodeNotAFile:             http.StatusBadRequest,
	CodeNotADirectory:        http.StatusBadRequest,
	CodeInvalidName:          http.StatusBadRequest,
	CodeTargetExists:         http.StatusConflict,
	CodeDirectoryNotEmpty:    http.StatusConflict,
	CodeFileTooLarge:         http.StatusRequestEntityTooLarge,
	CodeAggregateTooLarge:    http.StatusRequestEntityTooLarge,
	CodeTooManyFiles:         http.StatusRequestEntityTooLarge,
	CodeTooManyFields:        http.StatusRequestEntityTooLarge,
	CodeChecksumMismatch:     http.StatusUnprocessableEntity,
	CodeExpectedMultipart:    http.StatusUnsupportedMediaType,
	CodeMissingField:         http.StatusBadRequest,
	CodeMissingFilename:      http.StatusBadRequest,
	CodeNoFiles:              http.StatusBadRequest,
	CodeInvalidBody:          http.StatusBadRequest,
	CodeInvalidDirectoryName: http.StatusBadRequest,
	CodeTargetNotADirectory:  http.StatusBadRequest,
	CodeTargetNotEmpty:       http.StatusConflict,
	CodeInternal:             http.StatusInternalServerError,
}

// Status is the HTTP status the contract pairs with the code.
func (c Code) Status() int {
	if s, ok := statusByCode[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Error is every failure a workspace operation returns. Message is safe to
// show to the client; Err (the underlying cause) and Path are for logs.
type Error struct {
	Code    Code
	Op      string // "read", "write", "upload", ...
	Path    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	s := e.Op + " " + e.Path + ": " + string(e.Code)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Status is the HTTP status for the error's code.
func (e *Error) Status() int { return e.Code.Status() }

// APIError is what a handler sends: status, stable code, client-safe
// message. The api layer matches it with
// errors.As(err, &interface{ APIError() (int, string, string) }).
func (e *Error) APIError() (status int, code, message string) {
	return e.Status(), string(e.Code), e.Message
}

// CodeOf returns the code of a workspace error anywhere in err's chain, or
// internal_error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

func newError(code Code, op, path, msg string) *Error {
	return &Error{Code: code, Op: op, Path: path, Message: msg}
}

// fsError classifies an error from the os package. Errors that are already
// *Error pass through unchanged, so helpers can return either.
func fsError(op, path string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	code, msg := classify(err)
	return &Error{Code: code, Op: op, Path: path, Message: msg, Err: err}
}

func classify(err error) (Code, string) {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return CodeNotFound, "file or directory not found"
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return CodePermissionDenied, "filesystem permission denied"
	case errors.Is(err, syscall.EISDIR):
		return CodeNotAFile, "target is a directory, not a file"
	case errors.Is(err, syscall.ENOTDIR):
		return CodeNotADirectory, "a parent of the target is a file, not a directory"
	case errors.Is(err, syscall.ENOTEMPTY):
		return CodeDirectoryNotEmpty, "directory is not empty"
	case errors.Is(err, fs.ErrExist):
		return CodeTargetExists, "destination already exists"
	case errors.Is(err, syscall.ENAMETOOLONG):
		return CodeInvalidName, "name too long"
	case errors.Is(err, syscall.ELOOP):
		return CodePathNotAllowed, "too many levels of symbolic links"
	}
	return CodeInternal, ""
}

func wrapf(op, path string, format string, args ...any) error {
	return &Error{Code: CodeInternal, Op: op, Path: path, Err: fmt.Errorf(format, args...)}
}

func isNotDir(err error) bool   { return errors.Is(err, syscall.ENOTDIR) }
func isNotEmpty(err error) bool { return errors.Is(err, syscall.ENOTEMPTY) }
