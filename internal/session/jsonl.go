package session

import (
	"bytes"
	"encoding/json"
)

// fileLines is a session file split into JSON lines.
type fileLines struct {
	lines [][]byte // complete, non-blank lines, in file order

	// tornAt is the offset where an incomplete last line starts (a write cut
	// short by a crash), or -1. The bytes from there on are never an entry.
	tornAt int64
	// missingNewline is set when the last line is complete JSON but the file
	// does not end with "\n"; the next append must start a new line.
	missingNewline bool
}

// splitFile splits data on "\n", dropping blank lines. A last line without
// its newline is kept when it is valid JSON and otherwise reported as torn.
func splitFile(data []byte) fileLines {
	fl := fileLines{tornAt: -1}
	start := 0
	for start < len(data) {
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			tail := data[start:]
			if len(bytes.TrimSpace(tail)) == 0 {
				break
			}
			if json.Valid(tail) {
				fl.lines = append(fl.lines, bytes.TrimSpace(tail))
				fl.missingNewline = true
			} else {
				fl.tornAt = int64(start)
			}
			break
		}
		line := bytes.TrimSpace(data[start : start+end])
		if len(line) > 0 {
			fl.lines = append(fl.lines, line)
		}
		start += end + 1
	}
	return fl
}

// entryPrefix starts every line pi or this package writes.
var entryPrefix = []byte(`{"type":"`)

// recoverGlued finds a complete entry at the end of a malformed line. A
// writer that appended after a torn line without starting a new one (pi
// does) glues its entry onto the fragment; the entry itself is intact.
func recoverGlued(line []byte) *Entry {
	for off := 1; off < len(line); {
		i := bytes.Index(line[off:], entryPrefix)
		if i < 0 {
			return nil
		}
		off += i
		if e, err := parseEntry(line[off:]); err == nil {
			return e
		}
		off++
	}
	return nil
}
