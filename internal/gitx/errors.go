package gitx

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Code is a stable error code from the git API contract
// (api-contract §1.9, §1.3).
type Code string

// The codes gitx fails with.
const (
	CodeFailed              Code = "git_failed"            // 400: git said no; Message is its sanitised stderr
	CodeAuthRequired        Code = "git_auth_required"     // 400: the remote wants credentials we do not have
	CodeInvalidBranchName   Code = "invalid_branch_name"   // 400: also bad remote names and URLs, as the reference
	CodeInvalidWorktreePath Code = "invalid_worktree_path" // 400
	CodeEmptyMessage        Code = "empty_message"         // 400
	CodePathNotAllowed      Code = "path_not_allowed"      // 403: a file path outside the project
	CodeNotInstalled        Code = "git_not_installed"     // 500
	CodeSpawnFailed         Code = "git_spawn_failed"      // 500
	CodeInvalidURL          Code = "invalid_url"           // 400 (clone)
	CodeUnsupportedProtocol Code = "unsupported_protocol"  // 400 (clone)
)

// Status is the HTTP status the contract pairs with the code.
func (c Code) Status() int {
	switch c {
	case CodePathNotAllowed:
		return http.StatusForbidden
	case CodeNotInstalled, CodeSpawnFailed:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// Error is every failure gitx returns. Message is sanitised (no
// credentials, no tokens) and safe to show to the client.
type Error struct {
	Code    Code
	Op      string
	Message string
	Err     error
}

func (e *Error) Error() string {
	s := e.Op + ": " + string(e.Code)
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

// CodeOf returns the code of a gitx error in err's chain, or "".
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// AuthRequiredMessage is what a credential failure tells the user.
const AuthRequiredMessage = "Git authentication required. Configure credentials for this remote " +
	"(for example with a credential helper in the terminal), then retry. pi-forge does not " +
	"store git passwords or tokens."

var authFailure = regexp.MustCompile(`(?i)authentication failed|could not read (username|password)|terminal prompts disabled|` +
	`permission denied \(publickey|authentication required|authorization failed|invalid username or password|` +
	`http basic: access denied|repository not found|repository '[^']*' not found|returned error: 40[13]|host key verification failed`)

// failure turns a non-zero git exit into an *Error.
func failure(op string, res result, secrets []string) *Error {
	// Most commands explain themselves on stderr; merges (pull) print
	// their CONFLICT lines on stdout, so both are kept.
	text := strings.TrimSpace(string(res.stderr))
	if out := strings.TrimSpace(string(res.stdout)); out != "" {
		text += "\n" + out
	}
	if authFailure.MatchString(text) {
		return &Error{Code: CodeAuthRequired, Op: op, Message: AuthRequiredMessage}
	}
	msg := Sanitize(text, secrets...)
	if msg == "" {
		msg = "git exited with status " + strconv.Itoa(res.exit)
	}
	return &Error{Code: CodeFailed, Op: op, Message: msg}
}

var (
	// scheme://user[:pass]@ in any URL.
	urlCredentials = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/\s@]*@`)
	leadingLevel   = regexp.MustCompile(`(?i)^(fatal|error):\s*`)
)

// maxMessage bounds a sanitised message.
const (
	maxMessageBytes = 4000
	maxMessageLines = 40
)

// Sanitize makes git output safe to show: credentials in URLs and the
// given secrets are redacted, a leading "fatal:"/"error:" is dropped,
// blank lines are removed and the text is bounded.
func Sanitize(s string, secrets ...string) string {
	s = redact(s, secrets...)
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r", "\n"), "\n") {
		l = strings.TrimRight(l, " \t")
		if strings.TrimSpace(l) == "" {
			continue
		}
		if len(lines) == 0 {
			l = leadingLevel.ReplaceAllString(l, "")
		}
		lines = append(lines, l)
		if len(lines) == maxMessageLines {
			break
		}
	}
	out := strings.Join(lines, "\n")
	if len(out) > maxMessageBytes {
		out = strings.ToValidUTF8(out[:maxMessageBytes], "") + "…"
	}
	return out
}

func redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return urlCredentials.ReplaceAllString(s, "$1***@")
}

// RedactURL hides the userinfo of a URL for display.
func RedactURL(u string) string { return urlCredentials.ReplaceAllString(u, "$1***@") }
