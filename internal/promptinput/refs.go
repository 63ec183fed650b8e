package promptinput

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/pi-forge/pi-forge/internal/workspace"
)

// Budgets of @file expansion (features §12.12).
const (
	InlineFileBytes   = 128 << 10 // a larger file stays a reference
	InlinePromptBytes = 512 << 10 // total inlined per prompt, smallest files first
	sniffBytes        = 8 << 10   // NUL in the first 8 KiB = binary
)

// Reasons shown in "[@path not included: <reason>]".
const (
	reasonOutside   = "path is outside allowed roots"
	reasonBinary    = "binary file"
	reasonNotFile   = "path is not a regular file or directory"
	reasonUnread    = "unreadable"
	reasonNotFound  = "file not found"
	reasonBadPath   = "invalid path"
	closingPunct    = "?,;:!)]"
	fileRefMarker   = '@'
	quotedRefMarker = '"'
)

// ref is one @path marker found in a text.
type ref struct {
	start, end int    // byte span of the marker, without the leading space
	path       string // as written, quotes removed
}

// isSpace is JavaScript's \s, which the reference's marker syntax uses.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// spaceAt reports whether text[i:] starts with white space.
func spaceAt(text string, i int) bool {
	r, _ := utf8.DecodeRuneInString(text[i:])
	return isSpace(r)
}

// refEnds reports whether a path may end at byte k: the text ends, white
// space follows, or one closing punctuation mark and then white space or
// the end (that mark is left out of the path; "." is not such a mark).
func refEnds(text string, k int) bool {
	if k == len(text) || spaceAt(text, k) {
		return true
	}
	if strings.IndexByte(closingPunct, text[k]) < 0 {
		return false
	}
	return k+1 == len(text) || spaceAt(text, k+1)
}

// findRefs lists the @path and @"path" markers of text. A marker starts
// the text or follows white space (so user@example.com is no marker); "\@"
// is never one.
func findRefs(text string) []ref {
	var out []ref
	prevSpace := true
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == fileRefMarker && prevSpace {
			if m, ok := refAt(text, i); ok {
				out = append(out, m)
				i = m.end
				prevSpace = false
				continue
			}
		}
		prevSpace = isSpace(r)
		i += size
	}
	return out
}

// refAt parses the marker whose @ is at byte i.
func refAt(text string, i int) (ref, bool) {
	if i+1 < len(text) && text[i+1] == quotedRefMarker {
		body := text[i+2:]
		if j := strings.IndexAny(body, "\"\n"); j > 0 && body[j] == '"' && refEnds(text, i+2+j+1) {
			return ref{start: i, end: i + 2 + j + 1, path: body[:j]}, true
		}
	}
	// Bare form: the shortest run of non-space characters after which the
	// marker may end.
	for k := i + 1; k < len(text); {
		r, size := utf8.DecodeRuneInString(text[k:])
		if isSpace(r) {
			return ref{}, false
		}
		k += size
		if refEnds(text, k) {
			return ref{start: i, end: k, path: text[i+1 : k]}, true
		}
	}
	return ref{}, false
}

// outcome kinds of one marker.
type outcomeKind int

const (
	outLiteral   outcomeKind = iota // missing: escaped so it is plainly text
	outDefer                        // too big or over budget: left for the model's read tool
	outDirectory                    // left as @dir/
	outInline                       // replaced by a fenced block
	outError                        // [@path not included: reason]
)

type outcome struct {
	kind   outcomeKind
	size   int64
	abs    string
	reason string
	text   string // inlined content
}

// classify decides one path without reading more than its first 8 KiB.
func classify(root *workspace.Root, path string) outcome {
	if strings.IndexByte(path, 0) >= 0 {
		return outcome{kind: outError, reason: reasonBadPath}
	}
	abs := path
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(root.Path(), path)
	}
	abs = filepath.Clean(abs)
	if !root.Contains(abs) {
		return outcome{kind: outError, reason: reasonOutside}
	}
	st, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		return outcome{kind: outLiteral}
	case err != nil:
		return outcome{kind: outError, reason: reasonUnread}
	case st.IsDir():
		return outcome{kind: outDirectory}
	case !st.Mode().IsRegular():
		return outcome{kind: outError, reason: reasonNotFile}
	}
	binary, err := sniffBinary(abs)
	switch {
	case err != nil:
		return outcome{kind: outError, reason: reasonUnread}
	case binary:
		return outcome{kind: outError, reason: reasonBinary}
	case st.Size() > InlineFileBytes:
		return outcome{kind: outDefer}
	}
	return outcome{kind: outInline, size: st.Size(), abs: abs}
}

func sniffBinary(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, sniffBytes)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, err
	}
	return workspace.LooksBinary(buf[:n]), nil
}

// ExpandRefs expands the @file markers of every part against the project
// root, sharing one inline budget across all parts: files up to
// InlineFileBytes are inlined smallest first until InlinePromptBytes is
// spent; the rest stay as references. Every path goes through the
// workspace policy (no "..", symlink or absolute escape), and nothing
// outside the project is ever read.
func ExpandRefs(root *workspace.Root, parts []string) []string {
	type hit struct {
		part int
		ref  ref
		out  outcome
	}
	var hits []hit
	for pi, p := range parts {
		for _, r := range findRefs(p) {
			hits = append(hits, hit{part: pi, ref: r, out: classify(root, r.path)})
		}
	}
	if len(hits) == 0 {
		return parts
	}
	order := make([]int, 0, len(hits))
	for i, h := range hits {
		if h.out.kind == outInline {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return int(hits[a].out.size - hits[b].out.size) })
	remaining := int64(InlinePromptBytes)
	for _, i := range order {
		h := &hits[i]
		if h.out.size > remaining {
			h.out.kind = outDefer
			continue
		}
		remaining -= h.out.size
		h.out = readInline(root, h.out)
	}
	out := slices.Clone(parts)
	for i := len(hits) - 1; i >= 0; i-- {
		h := hits[i]
		s := out[h.part]
		out[h.part] = s[:h.ref.start] + render(h.ref.path, h.out) + s[h.ref.end:]
	}
	return out
}

// readInline reads a budgeted file; it may still turn out too large (it
// grew), binary or gone.
func readInline(root *workspace.Root, o outcome) outcome {
	res, err := root.Read(o.abs)
	switch {
	case workspace.CodeOf(err) == workspace.CodeFileTooLarge:
		return outcome{kind: outDefer}
	case workspace.CodeOf(err) == workspace.CodeNotFound:
		return outcome{kind: outError, reason: reasonNotFound}
	case workspace.CodeOf(err) == workspace.CodePathNotAllowed:
		return outcome{kind: outError, reason: reasonOutside}
	case err != nil:
		return outcome{kind: outError, reason: reasonUnread}
	case res.Binary:
		return outcome{kind: outError, reason: reasonBinary}
	case int64(len(res.Content)) > InlineFileBytes:
		return outcome{kind: outDefer}
	}
	o.text = res.Content
	return o
}

// marker writes a path back as a marker, quoted when it holds white space.
func marker(path string) string {
	if strings.IndexFunc(path, isSpace) >= 0 {
		return `@"` + path + `"`
	}
	return "@" + path
}

func render(path string, o outcome) string {
	m := marker(path)
	switch o.kind {
	case outInline:
		return m + "\n" + fileBlock(safeFileName(path), o.text) + "\n"
	case outDefer:
		return m
	case outDirectory:
		if !strings.HasSuffix(path, "/") {
			path += "/"
		}
		return marker(path)
	case outLiteral:
		return `\` + m
	}
	return "[" + m + " not included: " + o.reason + "]"
}
