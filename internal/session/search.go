package session

import (
	"bytes"
	"cmp"
	"context"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// Search limits and defaults (api-contract §1.8).
const (
	DefaultSessionLimit      = 50
	DefaultMatchesPerSession = 5
	DefaultSearchBudget      = 2 * time.Second
	snippetRunes             = 120
)

// SearchProject is a project whose sessions are searched.
type SearchProject struct {
	ID   string
	Name string
}

// SearchOptions configures Search. Zero limits take the defaults.
type SearchOptions struct {
	Query             string
	Projects          []SearchProject
	SessionLimit      int
	MatchesPerSession int
	Budget            time.Duration
}

// SearchResult is the body of GET /search/sessions without the engine name.
type SearchResult struct {
	Truncated bool             `json:"truncated"`
	Results   []SessionMatches `json:"results"`
}

// SessionMatches are the matches in one session.
type SessionMatches struct {
	SessionID   string  `json:"sessionId"`
	ProjectID   string  `json:"projectId"`
	ProjectName string  `json:"projectName"`
	SessionName string  `json:"sessionName,omitempty"`
	ModifiedAt  string  `json:"modifiedAt"`
	Matches     []Match `json:"matches"`
}

// Match is one hit. MessageIndex counts type=message lines in file order;
// MatchOffset and MatchLength are in UTF-16 code units of Snippet, so a
// browser can slice the snippet with them.
type Match struct {
	MessageIndex      int    `json:"messageIndex"`
	MessageEnvelopeID string `json:"messageEnvelopeId,omitempty"`
	Kind              string `json:"kind"` // user | assistant | tool_call
	Snippet           string `json:"snippet"`
	MatchOffset       int    `json:"matchOffset"`
	MatchLength       int    `json:"matchLength"`
}

// Search finds query, case-insensitively, in the user and assistant text
// and the assistant tool calls (rendered name(arg=value, ...)) of every
// session of the given projects; tool results, thinking and metadata are
// not searched. Files are visited newest modification first and the search
// stops at the session limit, the time budget or ctx's end, reporting
// Truncated.
func (st *Store) Search(ctx context.Context, o SearchOptions) SearchResult {
	o.SessionLimit = cmp.Or(o.SessionLimit, DefaultSessionLimit)
	o.MatchesPerSession = cmp.Or(o.MatchesPerSession, DefaultMatchesPerSession)
	deadline := time.Now().Add(cmp.Or(o.Budget, DefaultSearchBudget))
	res := SearchResult{Results: []SessionMatches{}}
	q := lowerRunes(o.Query)
	if len(q) == 0 {
		return res
	}
	qBytes := []byte(strings.ToLower(o.Query))
	quick := unescaped(o.Query)

	type candidate struct {
		f       sessionFile
		project SearchProject
		mtime   time.Time
	}
	var files []candidate
	for _, p := range o.Projects {
		dir, err := st.ProjectDir(p.ID)
		if err != nil {
			continue
		}
		fs, _ := projectFiles(dir)
		for _, f := range fs {
			if fi, err := os.Stat(f.path); err == nil {
				files = append(files, candidate{f, p, fi.ModTime()})
			}
		}
	}
	slices.SortStableFunc(files, func(a, b candidate) int { return b.mtime.Compare(a.mtime) })

	for i, c := range files {
		if len(res.Results) >= o.SessionLimit || time.Now().After(deadline) || ctx.Err() != nil {
			res.Truncated = i < len(files)
			break
		}
		data, err := os.ReadFile(c.f.path)
		if err != nil || quick && !bytes.Contains(bytes.ToLower(data), qBytes) {
			continue
		}
		sm := searchFile(data, q, o.MatchesPerSession)
		if sm == nil {
			continue
		}
		sm.ProjectID, sm.ProjectName = c.project.ID, c.project.Name
		sm.ModifiedAt = isoTime(c.mtime)
		if s, _, err := st.cache.summary(c.f.path); err == nil {
			sm.SessionName = s.name
		}
		res.Results = append(res.Results, *sm)
	}
	return res
}

// unescaped reports whether q appears in a JSON file as it is: it has no
// character a writer may escape. Then a raw byte search can reject a file
// before it is parsed.
func unescaped(q string) bool {
	return !strings.ContainsFunc(q, func(r rune) bool {
		return r < 0x20 || r == '"' || r == '\\' || r == '<' || r == '>' || r == '&' || r == 0x2028 || r == 0x2029 || r == utf8.RuneError
	})
}

// searchFile returns the matches in one file, or nil when there are none
// (or the file has no header).
func searchFile(data []byte, q []rune, limit int) *SessionMatches {
	var sm *SessionMatches
	sessionID := ""
	msgIndex := -1
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || !gjson.ValidBytes(line) {
			continue
		}
		if sessionID == "" {
			h, ok := parseHeader(line)
			if !ok {
				return nil
			}
			sessionID = h.ID
			continue
		}
		if !bytes.HasPrefix(line, prefixMessage) && gjson.GetBytes(line, "type").String() != TypeMessage {
			continue
		}
		msgIndex++
		entryID := gjson.GetBytes(line, "id").String()
		for _, t := range searchableTexts(gjson.GetBytes(line, "message")) {
			snippet, off, n, ok := findSnippet(t.text, q)
			if !ok {
				continue
			}
			if sm == nil {
				sm = &SessionMatches{SessionID: sessionID}
			}
			sm.Matches = append(sm.Matches, Match{MessageIndex: msgIndex, MessageEnvelopeID: entryID, Kind: t.kind,
				Snippet: snippet, MatchOffset: off, MatchLength: n})
			if len(sm.Matches) >= limit {
				return sm
			}
		}
	}
	return sm
}

type searchText struct{ kind, text string }

// searchableTexts returns a message's user or assistant text and its tool
// calls.
func searchableTexts(m gjson.Result) []searchText {
	role := m.Get("role").String()
	if role != "user" && role != "assistant" {
		return nil
	}
	content := m.Get("content")
	if content.Type == gjson.String {
		return []searchText{{role, content.String()}}
	}
	var text []string
	var calls []searchText
	content.ForEach(func(_, b gjson.Result) bool {
		switch b.Get("type").String() {
		case "text":
			text = append(text, b.Get("text").String())
		case "toolCall":
			if role == "assistant" {
				calls = append(calls, searchText{"tool_call", renderCall(b)})
			}
		}
		return true
	})
	out := []searchText{{role, strings.Join(text, "\n")}}
	return append(out, calls...)
}

// renderCall renders a tool call as name(key=value, ...); string values
// bare, others as JSON.
func renderCall(b gjson.Result) string {
	var args []string
	b.Get("arguments").ForEach(func(k, v gjson.Result) bool {
		val := v.Raw
		if v.Type == gjson.String {
			val = v.String()
		}
		args = append(args, k.String()+"="+val)
		return true
	})
	return b.Get("name").String() + "(" + strings.Join(args, ", ") + ")"
}

func lowerRunes(s string) []rune {
	r := []rune(s)
	for i, c := range r {
		r[i] = unicode.ToLower(c)
	}
	return r
}

// findSnippet finds q (lower-cased runes) in text ignoring case and returns
// about snippetRunes runes around it with the match's offset and length in
// UTF-16 units.
func findSnippet(text string, q []rune) (string, int, int, bool) {
	rs := []rune(text)
	at := -1
	for i := 0; i+len(q) <= len(rs) && at < 0; i++ {
		if unicode.ToLower(rs[i]) != q[0] {
			continue
		}
		j := 1
		for j < len(q) && unicode.ToLower(rs[i+j]) == q[j] {
			j++
		}
		if j == len(q) {
			at = i
		}
	}
	if at < 0 {
		return "", 0, 0, false
	}
	start := max(0, at-(snippetRunes-len(q))/2)
	end := min(len(rs), start+max(snippetRunes, len(q)))
	start = max(0, min(start, end-snippetRunes))
	snip := rs[start:end]
	off := len(utf16.Encode(snip[:at-start]))
	n := len(utf16.Encode(rs[at : at+len(q)]))
	return string(snip), off, n, true
}
