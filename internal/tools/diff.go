package tools

import (
	"strconv"
	"strings"
)

// diffPart is one run of a line diff: unchanged, added or removed lines.
type diffPart struct {
	value          string
	added, removed bool
}

// diffLines is a Myers line diff that makes the same choices as the jsdiff
// library pi uses (diffLines in jsdiff 8): lines keep their "\n", the path
// furthest along the old text wins, and a tie prefers a removal. Any
// correct diff would do for a human, but edit results must equal pi's, and
// among equally short diffs only these rules pick the same one.
func diffLines(oldText, newText string) []diffPart {
	o, n := tokenizeLines(oldText), tokenizeLines(newText)
	oldLen, newLen := len(o), len(n)
	maxEdit := oldLen + newLen
	offset := maxEdit + 1
	best := make([]*diffPath, 2*maxEdit+3)
	best[offset] = &diffPath{oldPos: -1}
	newPos := extractCommon(best[offset], n, o, 0)
	if best[offset].oldPos+1 >= oldLen && newPos+1 >= newLen {
		return buildParts(best[offset].last, n, o)
	}
	minDiag, maxDiag := -maxEdit-1, maxEdit+1
	for edit := 1; edit <= maxEdit; edit++ {
		for d := max(minDiag, -edit); d <= min(maxDiag, edit); d += 2 {
			removePath, addPath := best[offset+d-1], best[offset+d+1]
			best[offset+d-1] = nil
			canAdd := false
			if addPath != nil {
				addNewPos := addPath.oldPos - d
				canAdd = addNewPos >= 0 && addNewPos < newLen
			}
			canRemove := removePath != nil && removePath.oldPos+1 < oldLen
			if !canAdd && !canRemove {
				best[offset+d] = nil
				continue
			}
			var p *diffPath
			if !canRemove || (canAdd && removePath.oldPos < addPath.oldPos) {
				p = addPath.extend(true, false, 0)
			} else {
				p = removePath.extend(false, true, 1)
			}
			newPos = extractCommon(p, n, o, d)
			if p.oldPos+1 >= oldLen && newPos+1 >= newLen {
				return buildParts(p.last, n, o)
			}
			best[offset+d] = p
			if p.oldPos+1 >= oldLen {
				maxDiag = min(maxDiag, d-1)
			}
			if newPos+1 >= newLen {
				minDiag = max(minDiag, d+1)
			}
		}
	}
	return nil // unreachable: maxEdit edits always suffice
}

type diffComponent struct {
	count          int
	added, removed bool
	prev           *diffComponent
}

type diffPath struct {
	oldPos int
	last   *diffComponent
}

func (p *diffPath) extend(added, removed bool, oldInc int) *diffPath {
	l := p.last
	if l != nil && l.added == added && l.removed == removed {
		return &diffPath{oldPos: p.oldPos + oldInc, last: &diffComponent{count: l.count + 1, added: added, removed: removed, prev: l.prev}}
	}
	return &diffPath{oldPos: p.oldPos + oldInc, last: &diffComponent{count: 1, added: added, removed: removed, prev: l}}
}

// extractCommon follows the diagonal while lines are equal and returns the
// new position.
func extractCommon(p *diffPath, n, o []string, diag int) int {
	oldPos := p.oldPos
	newPos := oldPos - diag
	common := 0
	for newPos+1 < len(n) && oldPos+1 < len(o) && n[newPos+1] == o[oldPos+1] {
		newPos++
		oldPos++
		common++
	}
	if common > 0 {
		p.last = &diffComponent{count: common, prev: p.last}
	}
	p.oldPos = oldPos
	return newPos
}

func buildParts(last *diffComponent, n, o []string) []diffPart {
	var comps []*diffComponent
	for c := last; c != nil; c = c.prev {
		comps = append(comps, c)
	}
	parts := make([]diffPart, 0, len(comps))
	newPos, oldPos := 0, 0
	for i := len(comps) - 1; i >= 0; i-- {
		c := comps[i]
		part := diffPart{added: c.added, removed: c.removed}
		if c.removed {
			part.value = strings.Join(o[oldPos:oldPos+c.count], "")
			oldPos += c.count
		} else {
			part.value = strings.Join(n[newPos:newPos+c.count], "")
			newPos += c.count
			if !c.added {
				oldPos += c.count
			}
		}
		parts = append(parts, part)
	}
	return parts
}

// tokenizeLines splits text into lines that keep their "\n"; a final line
// without one is its own token, and there are no empty tokens.
func tokenizeLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// editDiff renders pi's numbered diff of an edit: "+N line", "-N line" and
// " N line" with line numbers padded to one width, at most contextLines of
// unchanged lines around each change and " <pad> ..." for skipped runs. It
// also returns the first changed line of the new text (0 when none).
func editDiff(oldText, newText string, contextLines int) (string, int) {
	parts := diffLines(oldText, newText)
	width := len(strconv.Itoa(max(strings.Count(oldText, "\n"), strings.Count(newText, "\n")) + 1))
	pad := func(n int) string {
		s := strconv.Itoa(n)
		return strings.Repeat(" ", max(0, width-len(s))) + s
	}
	gap := " " + strings.Repeat(" ", width) + " ..."
	var out []string
	oldLine, newLine, first := 1, 1, 0
	lastWasChange := false
	for i, part := range parts {
		lines := strings.Split(part.value, "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		if part.added || part.removed {
			if first == 0 {
				first = newLine
			}
			for _, l := range lines {
				if part.added {
					out = append(out, "+"+pad(newLine)+" "+l)
					newLine++
				} else {
					out = append(out, "-"+pad(oldLine)+" "+l)
					oldLine++
				}
			}
			lastWasChange = true
			continue
		}
		context := func(ls []string) {
			for _, l := range ls {
				out = append(out, " "+pad(oldLine)+" "+l)
				oldLine++
				newLine++
			}
		}
		skip := func(k int) {
			out = append(out, gap)
			oldLine += k
			newLine += k
		}
		nextIsChange := i < len(parts)-1 && (parts[i+1].added || parts[i+1].removed)
		switch {
		case lastWasChange && nextIsChange:
			if len(lines) <= contextLines*2 {
				context(lines)
			} else {
				context(lines[:contextLines])
				skip(len(lines) - 2*contextLines)
				context(lines[len(lines)-contextLines:])
			}
		case lastWasChange:
			shown := lines[:min(contextLines, len(lines))]
			context(shown)
			if k := len(lines) - len(shown); k > 0 {
				skip(k)
			}
		case nextIsChange:
			k := max(0, len(lines)-contextLines)
			if k > 0 {
				skip(k)
			}
			context(lines[k:])
		default:
			oldLine += len(lines)
			newLine += len(lines)
		}
		lastWasChange = false
	}
	return strings.Join(out, "\n"), first
}
