package gitx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// CloneTimeout bounds one clone.
const CloneTimeout = 30 * time.Minute

// maxProgressLine bounds one progress or stderr line (git rewrites
// progress with \r; a runaway line must not grow without end).
const maxProgressLine = 64 << 10

// CloneOptions are POST /projects/clone's, after the workspace checked
// Target (absent, or an empty directory, inside the workspace).
type CloneOptions struct {
	URL         string // https:// or file://
	Target      string
	Branch      string
	Token       string // sent as x-access-token:<token>, never stored
	InsecureTLS bool   // no TLS verification for this clone and, after it, for origin's URL
}

// CloneEvent is one event of the clone stream. Clone emits started,
// progress and stderr; the caller ends the stream with DoneEvent or
// ErrorEvent.
type CloneEvent struct {
	Type               string // started | progress | stderr | done | error
	CloneURLForDisplay string // started
	Phase              string // progress
	Percent            *int   // progress; nil when git printed no percentage
	Raw                string // progress: the line as git printed it
	Line               string // stderr
	Target             string // done
	Code               string // error
	Message            string // error
}

// MarshalJSON writes the event's wire form, {"type":..., ...}, with only
// the fields its type carries.
func (e CloneEvent) MarshalJSON() ([]byte, error) {
	switch e.Type {
	case "started":
		return json.Marshal(struct {
			Type string `json:"type"`
			URL  string `json:"cloneUrlForDisplay"`
		}{e.Type, e.CloneURLForDisplay})
	case "progress":
		return json.Marshal(struct {
			Type    string `json:"type"`
			Phase   string `json:"phase"`
			Percent *int   `json:"percent"`
			Raw     string `json:"raw"`
		}{e.Type, e.Phase, e.Percent, e.Raw})
	case "stderr":
		return json.Marshal(struct {
			Type string `json:"type"`
			Line string `json:"line"`
		}{e.Type, e.Line})
	case "done":
		return json.Marshal(struct {
			Type   string `json:"type"`
			Target string `json:"target"`
		}{e.Type, e.Target})
	}
	return json.Marshal(struct {
		Type    string `json:"type"`
		Code    string `json:"code,omitempty"`
		Message string `json:"message"`
	}{"error", e.Code, e.Message})
}

// DoneEvent ends a successful clone stream.
func DoneEvent(target string) CloneEvent { return CloneEvent{Type: "done", Target: target} }

// ErrorEvent ends a failed clone stream; err's code goes with it when it
// has one.
func ErrorEvent(err error) CloneEvent {
	var e *Error
	if errors.As(err, &e) {
		return CloneEvent{Type: "error", Code: string(e.Code), Message: e.Message}
	}
	return CloneEvent{Type: "error", Message: "clone failed"}
}

// ParseCloneURL accepts https:// (with a host) and file:// URLs only.
func ParseCloneURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" {
		return nil, &Error{Code: CodeInvalidURL, Op: "git clone", Message: "not a valid URL"}
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		if u.Hostname() == "" {
			return nil, &Error{Code: CodeInvalidURL, Op: "git clone", Message: "URL is missing a host"}
		}
	case "file":
		if u.Path == "" {
			return nil, &Error{Code: CodeInvalidURL, Op: "git clone", Message: "file URL is missing a path"}
		}
	default:
		return nil, &Error{Code: CodeUnsupportedProtocol, Op: "git clone", Message: "only https:// and file:// clone URLs are supported (got " + u.Scheme + "://)"}
	}
	return u, nil
}

// Clone runs git clone, reporting progress through emit as it comes. The
// token (or credentials written into the URL) reach git only through a
// credential helper that answers for the URL's host from this process's
// environment: never in arguments, never in .git/config, so the stored
// origin is the clean URL. A failed or cancelled clone removes what it
// wrote. emit is called from one goroutine at a time.
func (g *Git) Clone(ctx context.Context, o CloneOptions, emit func(CloneEvent)) error {
	u, err := ParseCloneURL(o.URL)
	if err != nil {
		return err
	}
	if o.Branch != "" {
		if err := checkRevision(o.Branch); err != nil {
			return err
		}
	}
	user, pass := "x-access-token", o.Token
	if o.Token == "" && u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	u.User = nil
	clean := u.String()
	secrets := []string{o.Token, pass}
	emit(CloneEvent{Type: "started", CloneURLForDisplay: clean})

	_, statErr := os.Lstat(o.Target)
	existed := statErr == nil
	ctx, cancel := context.WithTimeout(ctx, CloneTimeout)
	defer cancel()
	env := map[string]string{}
	if pass != "" || o.Token != "" {
		credentialEnv(env, u, user, pass)
	}
	if o.InsecureTLS {
		env["GIT_SSL_NO_VERIFY"] = "true"
	}
	args := []string{"clone", "--progress"}
	if o.Branch != "" {
		args = append(args, "--branch", o.Branch)
	}
	args = append(args, "--", clean, o.Target)
	lines := &progressWriter{emit: emit, secrets: secrets}
	res, err := g.run(ctx, call{dir: filepath.Dir(o.Target), args: args, env: env, stderr: lines, secrets: secrets})
	lines.flush()
	if err == nil && res.exit != 0 {
		err = failure("git clone", result{stderr: []byte(strings.Join(lines.plain, "\n")), exit: res.exit}, secrets)
	}
	if err == nil && o.InsecureTLS {
		err = g.setURLInsecure(ctx, o.Target, clean, true)
	}
	if err != nil {
		removeClone(o.Target, existed)
		return err
	}
	return nil
}

// credentialEnv configures, through GIT_CONFIG_* variables, a helper that
// answers only for u's scheme and host, after clearing every other helper.
func credentialEnv(env map[string]string, u *url.URL, user, pass string) {
	helper := `!f() { test "$1" = get || exit 0; printf 'username=%s\npassword=%s\n' "$PI_FORGE_GIT_USERNAME" "$PI_FORGE_GIT_PASSWORD"; }; f`
	env["GIT_CONFIG_COUNT"] = "2"
	env["GIT_CONFIG_KEY_0"] = "credential.helper"
	env["GIT_CONFIG_VALUE_0"] = ""
	env["GIT_CONFIG_KEY_1"] = "credential." + u.Scheme + "://" + u.Host + ".helper"
	env["GIT_CONFIG_VALUE_1"] = helper
	env["PI_FORGE_GIT_USERNAME"] = user
	env["PI_FORGE_GIT_PASSWORD"] = pass
}

// removeClone undoes a failed clone: the target goes, or, if it was an
// empty directory before, its content does.
func removeClone(target string, existed bool) {
	if !existed {
		_ = os.RemoveAll(target)
		return
	}
	ents, err := os.ReadDir(target)
	if err != nil {
		return
	}
	for _, e := range ents {
		_ = os.RemoveAll(filepath.Join(target, e.Name()))
	}
}

// progressWriter splits git's stderr on \r and \n and turns each line into
// a progress event (when it names a phase) or a stderr event.
type progressWriter struct {
	emit     func(CloneEvent)
	secrets  []string
	partial  []byte
	last     string   // last phase and percent sent, to drop repeats
	plain    []string // recent non-progress lines, for the error message
	overlong bool
}

var (
	phasePercent = regexp.MustCompile(`^([A-Za-z][A-Za-z ]*[A-Za-z]):\s+(\d{1,3})%`)
	phaseOnly    = regexp.MustCompile(`^([A-Z][A-Za-z ]*[A-Za-z]):`)
)

func (p *progressWriter) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexAny(b, "\r\n")
		if i < 0 {
			if len(p.partial)+len(b) > maxProgressLine {
				p.overlong = true
				b = b[:max(0, maxProgressLine-len(p.partial))]
			}
			p.partial = append(p.partial, b...)
			break
		}
		if !p.overlong {
			p.partial = append(p.partial, b[:i]...)
		}
		p.line(string(p.partial))
		p.partial, p.overlong = p.partial[:0], false
		b = b[i+1:]
	}
	return n, nil
}

func (p *progressWriter) flush() {
	if len(p.partial) > 0 {
		p.line(string(p.partial))
		p.partial = p.partial[:0]
	}
}

func (p *progressWriter) line(raw string) {
	raw = strings.TrimSpace(redact(strings.ToValidUTF8(raw, "\uFFFD"), p.secrets...))
	if raw == "" {
		return
	}
	body := strings.TrimPrefix(raw, "remote: ")
	if m := phasePercent.FindStringSubmatch(body); m != nil {
		pct, _ := strconv.Atoi(m[2])
		if key := m[1] + "\x00" + m[2]; key != p.last {
			p.last = key
			p.emit(CloneEvent{Type: "progress", Phase: m[1], Percent: &pct, Raw: raw})
		}
		return
	}
	if m := phaseOnly.FindStringSubmatch(body); m != nil {
		if key := m[1]; key != p.last {
			p.last = key
			p.emit(CloneEvent{Type: "progress", Phase: m[1], Raw: raw})
		}
		return
	}
	p.plain = append(p.plain, raw)
	if len(p.plain) > maxMessageLines {
		p.plain = p.plain[1:]
	}
	p.emit(CloneEvent{Type: "stderr", Line: raw})
}
