package tools

import (
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
)

//go:embed read.md
var readDescription string

const readSchema = `{"type":"object","required":["path"],"properties":{` +
	`"path":{"type":"string","description":"File to read: relative to the working directory, or absolute"},` +
	`"offset":{"type":"number","description":"First line to return, counting from 1"},` +
	`"limit":{"type":"number","description":"How many lines to return at most"}}}`

type readTool struct{ base }

type readArgs struct {
	Path   string  `json:"path"`
	Offset *number `json:"offset"`
	Limit  *number `json:"limit"`
}

// ReadDetails is the details object of a read result.
type ReadDetails struct {
	Truncation *Truncation `json:"truncation,omitempty"`
}

const nonVisionNote = "[Current model does not support images. The image will be omitted from this request.]"

func (t *readTool) Spec() ai.ToolSpec {
	return ai.ToolSpec{Name: NameRead, Description: strings.TrimSpace(readDescription), Parameters: json.RawMessage(readSchema)}
}

func (t *readTool) PromptInfo() PromptInfo {
	return PromptInfo{Snippet: "Read file contents", Guidelines: []string{"Use read to look at files rather than cat or sed."}}
}

func (t *readTool) Execute(ctx context.Context, call agent.ToolCall, _ func(agent.ToolResult)) (agent.ToolResult, error) {
	var args readArgs
	if err := decodeArgs(call, &args); err != nil {
		return agent.ToolResult{}, err
	}
	if err := aborted(ctx); err != nil {
		return agent.ToolResult{}, err
	}
	if hasNUL(args.Path) {
		return agent.ToolResult{}, nulPathError(args.Path)
	}
	abs := resolveReadPath(args.Path, t.opts.Cwd, t.opts.Home)
	if err := t.check(args.Path, abs); err != nil {
		return agent.ToolResult{}, err
	}
	if err := unix.Access(abs, unix.R_OK); err != nil {
		return agent.ToolResult{}, nodeError(err, "access", abs)
	}
	f, err := os.Open(abs)
	if err != nil {
		return agent.ToolResult{}, nodeError(err, "open", abs)
	}
	defer f.Close()
	head := make([]byte, imageSniffBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return agent.ToolResult{}, nodeError(err, "read", "")
	}
	head = head[:n]
	if mime := sniffImage(head); mime != "" {
		res, err := t.readImage(f, mime)
		if err != nil {
			return agent.ToolResult{}, err
		}
		return res, aborted(ctx)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return agent.ToolResult{}, err
	}
	res, err := readText(ctx, f, args, abs)
	if err != nil {
		return agent.ToolResult{}, err
	}
	return res, aborted(ctx)
}

func (t *readTool) readImage(f *os.File, mime string) (agent.ToolResult, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return agent.ToolResult{}, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return agent.ToolResult{}, nodeError(err, "read", "")
	}
	note := func(text string) string {
		if t.opts.ModelSupportsImages != nil && !t.opts.ModelSupportsImages() {
			text += "\n" + nonVisionNote
		}
		return text
	}
	if t.opts.DisableImageResize {
		return agent.ToolResult{Content: []ai.Content{
			ai.TextContent(note("Read image file [" + mime + "]")),
			ai.ImageContent(base64.StdEncoding.EncodeToString(data), mime),
		}}, nil
	}
	r := resizeImage(data, mime)
	if r == nil {
		return textResult(note("Read image file ["+mime+"]\n[Image omitted: could not be resized below the inline image size limit.]"), nil), nil
	}
	text := "Read image file [" + r.mimeType + "]"
	if dn := r.dimensionNote(); dn != "" {
		text += "\n" + dn
	}
	return agent.ToolResult{Content: []ai.Content{
		ai.TextContent(note(text)),
		ai.ImageContent(base64.StdEncoding.EncodeToString(r.data), r.mimeType),
	}}, nil
}

// readText streams the file: it keeps only the lines that can be shown and
// counts the rest, so a huge file costs one pass and ~50KB of memory.
func readText(ctx context.Context, r io.Reader, args readArgs, displayPath string) (agent.ToolResult, error) {
	start := 0
	if args.Offset != nil && *args.Offset != 0 {
		start = max(0, intArg(args.Offset, 0)-1)
	}
	end := -1 // exclusive; -1 = to the end
	if args.Limit != nil {
		end = start + intArg(args.Limit, 0)
	}
	sel := newSelection(DefaultMaxLines, DefaultMaxBytes)
	inRange := func(i int) bool { return i >= start && (end < 0 || i < end) }
	total, err := scanLines(ctx, r,
		func(i int) bool { return inRange(i) && sel.wantContent() },
		func(i int, line []byte, length int) {
			if inRange(i) {
				sel.add(line, length)
			}
		})
	if err != nil {
		return agent.ToolResult{}, err
	}
	if start >= total {
		return agent.ToolResult{}, errors.New("Offset " + fmtNum(args.Offset) + " is beyond end of file (" + strconv.Itoa(total) + " lines total)")
	}
	userLimited := -1
	if end >= 0 {
		end = min(end, total)
		userLimited = end - start
	}
	tr := sel.truncation()
	startDisplay := start + 1
	var text string
	var details any
	switch {
	case tr.FirstLineExceedsLimit:
		text = "[Line " + strconv.Itoa(startDisplay) + " is " + FormatSize(sel.firstLen) + ", exceeds " + FormatSize(DefaultMaxBytes) +
			" limit. Use bash: sed -n '" + strconv.Itoa(startDisplay) + "p' " + args.Path + " | head -c " + strconv.Itoa(DefaultMaxBytes) + "]"
		details = ReadDetails{Truncation: &tr}
	case tr.Truncated:
		endDisplay := startDisplay + tr.OutputLines - 1
		text = tr.Content + "\n\n[Showing lines " + strconv.Itoa(startDisplay) + "-" + strconv.Itoa(endDisplay) + " of " + strconv.Itoa(total)
		if *tr.TruncatedBy == "bytes" {
			text += " (" + FormatSize(DefaultMaxBytes) + " limit)"
		}
		text += ". Use offset=" + strconv.Itoa(endDisplay+1) + " to continue.]"
		details = ReadDetails{Truncation: &tr}
	case userLimited >= 0 && start+userLimited < total:
		text = tr.Content + "\n\n[" + strconv.Itoa(total-(start+userLimited)) + " more lines in file. Use offset=" +
			strconv.Itoa(start+userLimited+1) + " to continue.]"
	default:
		text = tr.Content
	}
	return textResult(text, details), nil
}

// fmtNum prints a JSON number the way JavaScript's String() would for the
// values a model sends.
func fmtNum(f *number) string {
	if f == nil {
		return "undefined"
	}
	return strconv.FormatFloat(float64(*f), 'f', -1, 64)
}
