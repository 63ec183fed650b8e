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
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
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
			h, ok := parseHeader(line)
			if !ok {
				return summary{}
			}
			s.valid, s.id, s.cwd, s.parentSession, s.created = true, h.ID, h.Cwd, h.ParentSession, h.Timestamp
			continue
		}
		s.addLine(line)
	}
	return s
}

func (s *summary) addLine(line []byte) {
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
	if !gjson.ValidBytes(line) {
		return // torn or glued: pi skips it too
	}
	if typ == TypeSessionInfo {
		s.name = strings.TrimSpace(gjson.GetBytes(line, "name").String())
		return
	}
	s.messageCount++
	msg := gjson.GetBytes(line, "message")
	role := msg.Get("role").String()
	if role != "user" && role != "assistant" {
		return
	}
	content := msg.Get("content")
	if !content.Exists() {
		return
	}
	ts := msg.Get("timestamp")
	ms := int64(0)
	if ts.Type == gjson.Number {
		ms = ts.Int()
	} else {
		ms = isoMillis(gjson.GetBytes(line, "timestamp").String())
	}
	s.lastActivity = max(s.lastActivity, ms)
	if s.firstMessage == "" && role == "user" {
		s.firstMessage = contentText(content)
	}
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
