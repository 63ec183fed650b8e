package session

import (
	"bytes"
	"strings"

	"github.com/tidwall/gjson"
)

// summary is what the session list needs from one file.
type summary struct {
	valid         bool // the file starts with a session header
	id            string
	cwd           string
	parentSession string
	created       string // header timestamp
	name          string
	messageCount  int
	firstMessage  string
	lastActivity  int64 // max timestamp (ms) of user/assistant messages; 0 if none
}

var (
	prefixMessage     = []byte(`{"type":"message"`)
	prefixSessionInfo = []byte(`{"type":"session_info"`)
)

// summarize reads a session file's list data without decoding whole
// entries: lines are classified by a prefix check (pi writes "type" first)
// and only message and session_info lines are looked into, with gjson, which
// extracts the few fields needed without building the message. Counting
// follows pi's session list: every message entry counts; the first message
// is the first user text; activity is the newest user/assistant timestamp;
// the name is the last session_info's (an empty one clears it).
func summarize(data []byte) summary {
	var s summary
	first := true
	for len(data) > 0 {
		var line []byte
		complete := true
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data, complete = data, nil, false
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if first {
			if !gjson.ValidBytes(line) {
				continue
			}
			first = false
			h, ok := parseValidHeader(line)
			if !ok {
				return summary{}
			}
			s.valid, s.id, s.cwd, s.parentSession, s.created = true, h.ID, h.Cwd, h.ParentSession, h.Timestamp
			continue
		}
		s.addLine(line, complete)
	}
	return s
}

func (s *summary) addLine(line []byte, complete bool) {
	var typ string
	switch {
	case bytes.HasPrefix(line, prefixMessage):
		typ = TypeMessage
	case bytes.HasPrefix(line, prefixSessionInfo):
		typ = TypeSessionInfo
	case bytes.HasPrefix(line, entryPrefix):
		return
	default:
		typ = gjson.GetBytes(line, "type").String()
	}
	if typ != TypeMessage && typ != TypeSessionInfo {
		return
	}
	// Only a last line without its newline can be torn. A complete line
	// that is not valid JSON was glued onto a torn fragment; Open recovers
	// the entry at its end, so it is counted like any other.
	if !complete && !gjson.ValidBytes(line) {
		return
	}
	if typ == TypeSessionInfo {
		s.name = strings.TrimSpace(gjson.GetBytes(line, "name").String())
		return
	}
	s.messageCount++
	// Picking single fields keeps gjson from copying whole messages.
	role := gjson.GetBytes(line, "message.role").String()
	if role != "user" && role != "assistant" {
		return
	}
	ms, ok := trailingTimestamp(line)
	if !ok {
		if ts := gjson.GetBytes(line, "message.timestamp"); ts.Type == gjson.Number {
			ms = ts.Int()
		} else {
			ms = isoMillis(gjson.GetBytes(line, "timestamp").String())
		}
	}
	s.lastActivity = max(s.lastActivity, ms)
	if s.firstMessage == "" && role == "user" {
		s.firstMessage = contentText(gjson.GetBytes(line, "message.content"))
	}
}

var timestampKey = []byte(`,"timestamp":`)

// trailingTimestamp reads the message timestamp where pi (and this package)
// put it, as the last key of the message at the end of the line:
// ...,"timestamp":1234567890123}}. Anything else is left to gjson.
func trailingTimestamp(line []byte) (int64, bool) {
	body, ok := bytes.CutSuffix(line, []byte("}}"))
	if !ok {
		return 0, false
	}
	i := bytes.LastIndex(body, timestampKey)
	if i < 0 || len(body)-i > len(timestampKey)+16 {
		return 0, false
	}
	digits := body[i+len(timestampKey):]
	if len(digits) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// contentText is pi's extractTextContent: a string content, or the text
// blocks joined with spaces.
func contentText(c gjson.Result) string {
	if c.Type == gjson.String {
		return c.String()
	}
	var parts []string
	c.ForEach(func(_, b gjson.Result) bool {
		if b.Get("type").String() == "text" {
			parts = append(parts, b.Get("text").String())
		}
		return true
	})
	return strings.Join(parts, " ")
}
