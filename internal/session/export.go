package session

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"github.com/pi-forge/pi-forge/internal/jsonw"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// Export formats.
const (
	FormatJSONL    = "jsonl"
	FormatMarkdown = "markdown"
)

// ToolResultCap is the most characters of one tool result a markdown export
// shows.
const ToolResultCap = 2000

// Exported is a rendered export, ready to send as an attachment.
type Exported struct {
	Content     []byte
	Filename    string // <slug of name or id>-<date>.jsonl|.md
	ContentType string
}

// ErrBadFormat is returned for an export format other than jsonl or markdown.
var ErrBadFormat = fmt.Errorf("session: unknown export format")

// Export renders session id. jsonl is the raw file with pi-subagents
// children inlined after the assistant line that called the subagent tool
// (the n-th call gets the n-th child by creation time), each between
// subagent_inline_start and subagent_inline_end lines; children without a
// call are appended at the end. markdown is a readable transcript with the
// children in <details>. projectName goes into the markdown header.
func (st *Store) Export(id, format, projectName string) (Exported, error) {
	if format != FormatJSONL && format != FormatMarkdown {
		return Exported{}, fmt.Errorf("%w: %q", ErrBadFormat, format)
	}
	loc, err := st.Locate(id)
	if err != nil {
		return Exported{}, err
	}
	data, err := os.ReadFile(loc.Path)
	if err != nil {
		return Exported{}, fmt.Errorf("session: export %s: %w", id, err)
	}
	sum := summarize(data)
	var children []child
	if loc.ParentSessionID == "" {
		if children, err = st.children(loc.ProjectID, id); err != nil {
			return Exported{}, err
		}
	}
	label := cmp.Or(sum.name, id)
	date := isoTime(st.opts.Now())[:10]
	if format == FormatJSONL {
		return Exported{Content: inlineJSONL(data, children), Filename: slug(label) + "-" + date + ".jsonl",
			ContentType: "application/x-ndjson"}, nil
	}
	return Exported{Content: markdown(data, sum, id, projectName, children), Filename: slug(label) + "-" + date + ".md",
		ContentType: "text/markdown; charset=utf-8"}, nil
}

type child struct {
	id   string
	data []byte
}

// children returns the pi-subagents children of parentID, oldest first.
func (st *Store) children(projectID, parentID string) ([]child, error) {
	list, err := st.List(projectID)
	if err != nil {
		return nil, err
	}
	var kids []Info
	for _, in := range list {
		if in.ParentSessionID == parentID {
			kids = append(kids, in)
		}
	}
	slices.SortStableFunc(kids, func(a, b Info) int { return a.CreatedAt.Compare(b.CreatedAt) })
	out := make([]child, 0, len(kids))
	for _, k := range kids {
		data, err := os.ReadFile(k.Path)
		if err != nil {
			continue // vanished since the listing
		}
		out = append(out, child{k.ID, data})
	}
	return out, nil
}

func nonEmptyLines(data []byte) [][]byte {
	var out [][]byte
	for l := range bytes.SplitSeq(data, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			out = append(out, l)
		}
	}
	return out
}

func inlineJSONL(data []byte, children []child) []byte {
	var b bytes.Buffer
	next := 0
	emit := func(c child, callID []byte, orphan bool) {
		o := newJSONObj()
		o.Str("type", "subagent_inline_start")
		o.Raw("parentToolCallId", callID)
		o.Str("childSessionId", c.id)
		if orphan {
			o.Str("note", "orphaned — no matching parent tool call")
		}
		b.Write(done(o))
		b.WriteByte('\n')
		for _, l := range nonEmptyLines(c.data) {
			b.Write(l)
			b.WriteByte('\n')
		}
		end := newJSONObj()
		end.Str("type", "subagent_inline_end")
		end.Str("childSessionId", c.id)
		b.Write(done(end))
		b.WriteByte('\n')
	}
	for _, l := range nonEmptyLines(data) {
		b.Write(l)
		b.WriteByte('\n')
		if call := subagentCallID(l); call != "" && next < len(children) {
			emit(children[next], jsonw.AppendString(nil, call), false)
			next++
		}
	}
	for _, c := range children[next:] {
		emit(c, []byte("null"), true)
	}
	return b.Bytes()
}

// subagentCallID returns the id of the first subagent tool call of an
// assistant message line, or "".
func subagentCallID(line []byte) string {
	e, err := parseEntry(line)
	if err != nil || e.Type != TypeMessage || e.Message.Role != ai.RoleAssistant {
		return ""
	}
	for _, c := range e.Message.ToolCalls() {
		if c.Name == "subagent" {
			return c.ID
		}
	}
	return ""
}

// slug lower-cases label, turns runs of other characters into "-" and
// keeps at most 64 characters; "session" when nothing is left.
func slug(label string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(label) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimRight(b.String(), "-")
	if len(s) > 64 {
		s = strings.TrimRight(s[:64], "-")
	}
	return cmp.Or(s, "session")
}

func markdown(data []byte, sum summary, id, projectName string, children []child) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", cmp.Or(sum.name, "Session"))
	fmt.Fprintf(&b, "- **Session id:** `%s`\n", id)
	fmt.Fprintf(&b, "- **Project:** %s\n", cmp.Or(projectName, "(unknown project)"))
	if sum.created != "" {
		fmt.Fprintf(&b, "- **Created:** %s\n", sum.created)
	}
	lines := nonEmptyLines(data)
	for _, l := range lines {
		if e, err := parseEntry(l); err == nil && e.Type == TypeModelChange {
			fmt.Fprintf(&b, "- **Model:** %s / %s\n", e.Provider, e.ModelID)
			break
		}
	}
	if sum.cwd != "" {
		fmt.Fprintf(&b, "- **Workspace:** `%s`\n", sum.cwd)
	}
	next := 0
	for _, l := range lines {
		e, err := parseEntry(l)
		if err != nil {
			continue
		}
		writeEntryMarkdown(&b, e, "##")
		if call := subagentCallID(l); call != "" && next < len(children) {
			c := children[next]
			next++
			fmt.Fprintf(&b, "\n<details><summary>↳ subagent %s</summary>\n", c.id)
			for _, cl := range nonEmptyLines(c.data) {
				if ce, err := parseEntry(cl); err == nil {
					writeEntryMarkdown(&b, ce, "###")
				}
			}
			b.WriteString("\n</details>\n")
		}
	}
	for _, c := range children[next:] {
		fmt.Fprintf(&b, "\n---\n\n### ↳ subagent %s (orphaned — no matching parent tool call)\n", c.id)
		for _, cl := range nonEmptyLines(c.data) {
			if ce, err := parseEntry(cl); err == nil {
				writeEntryMarkdown(&b, ce, "###")
			}
		}
	}
	return []byte(strings.TrimRight(b.String(), "\n") + "\n")
}

// writeEntryMarkdown renders user and assistant messages as sections and
// tool results as capped blockquotes; other entries are left out.
func writeEntryMarkdown(b *strings.Builder, e *Entry, h string) {
	if e.Type != TypeMessage {
		return
	}
	m := e.Message
	when := e.Timestamp
	if len(when) >= 19 {
		when = strings.Replace(when[:19], "T", " ", 1)
	}
	switch m.Role {
	case ai.RoleUser:
		fmt.Fprintf(b, "\n%s You — %s\n\n", h, when)
		writeBlocks(b, m.Content)
	case ai.RoleAssistant:
		fmt.Fprintf(b, "\n%s Assistant — %s\n\n", h, when)
		writeBlocks(b, m.Content)
	case ai.RoleToolResult:
		if t := resultText(m); t != "" {
			b.WriteString("\n" + blockquote(capText(t, ToolResultCap)) + "\n")
		}
	}
}

func writeBlocks(b *strings.Builder, blocks []ai.Content) {
	for _, c := range blocks {
		switch c.Type {
		case ai.ContentText:
			b.WriteString(c.Text + "\n\n")
		case ai.ContentThinking:
			fmt.Fprintf(b, "<details><summary>Thinking</summary>\n\n%s\n\n</details>\n\n", c.Thinking)
		case ai.ContentToolCall:
			fmt.Fprintf(b, "**%s**\n\n%s\n\n", c.Name, fenced(toolLang(c.Name), toolBody(c)))
		case ai.ContentImage:
			fmt.Fprintf(b, "*[image: %s]*\n\n", c.MimeType)
		}
	}
}

func toolLang(name string) string {
	switch name {
	case "bash":
		return "bash"
	case "edit", "write":
		return "diff"
	}
	return ""
}

// toolBody is a bash command as is, other arguments as indented JSON.
func toolBody(c ai.Content) string {
	var args map[string]any
	_ = json.Unmarshal(c.Arguments, &args)
	if cmdText, ok := args["command"].(string); ok && c.Name == "bash" {
		return cmdText
	}
	var out bytes.Buffer
	if json.Indent(&out, c.Arguments, "", "  ") != nil {
		return string(c.Arguments)
	}
	return out.String()
}

// fenced wraps body in a code fence longer than any backtick run inside it.
func fenced(lang, body string) string {
	fence := "```"
	for strings.Contains(body, fence) {
		fence += "`"
	}
	return fence + lang + "\n" + body + "\n" + fence
}

func resultText(m *ai.Message) string {
	var parts []string
	for _, c := range m.Content {
		if c.Type == ai.ContentText {
			parts = append(parts, c.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func capText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return fmt.Sprintf("%s\n… (truncated, %d bytes total)", string([]rune(s)[:n]), len(s))
}

func blockquote(s string) string {
	return "> " + strings.ReplaceAll(s, "\n", "\n> ")
}
