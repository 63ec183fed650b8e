package tools

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
)

// outputAccumulator keeps a bounded decoded tail of a streaming output for
// display, counts lines and bytes, and spills the raw stream to a temp file
// once it is over the limits (pi's OutputAccumulator).
type outputAccumulator struct {
	maxLines, maxBytes, maxRolling int
	tempDir, prefix                string

	carry             []byte // incomplete UTF-8 sequence from the last chunk
	raw               [][]byte
	tail              string
	tailStartsAtLine  bool
	totalRawBytes     int
	totalDecodedBytes int
	totalLines        int
	currentLineBytes  int
	tempPath          string
	tempFile          *os.File
	tempErr           error
}

func newOutputAccumulator(tempDir, prefix string) *outputAccumulator {
	return &outputAccumulator{
		maxLines: DefaultMaxLines, maxBytes: DefaultMaxBytes, maxRolling: 2 * DefaultMaxBytes,
		tempDir: tempDir, prefix: prefix, tailStartsAtLine: true, totalLines: 1,
	}
}

func (a *outputAccumulator) append(data []byte) {
	a.totalRawBytes += len(data)
	chunk := append(a.carry, data...)
	a.carry = nil
	cut := incompleteTail(chunk)
	if cut < len(chunk) {
		a.carry = append([]byte(nil), chunk[cut:]...)
	}
	a.appendDecoded(decodeUTF8(chunk[:cut]))
	if a.tempFile != nil || a.shouldSpill() {
		a.ensureTempFile()
		a.writeTemp(data)
	} else if len(data) > 0 {
		a.raw = append(a.raw, append([]byte(nil), data...))
	}
}

// finish flushes a trailing incomplete sequence (as U+FFFD).
func (a *outputAccumulator) finish() {
	if len(a.carry) > 0 {
		a.appendDecoded(decodeUTF8(a.carry))
		a.carry = nil
	}
	if a.shouldSpill() {
		a.ensureTempFile()
	}
}

func (a *outputAccumulator) appendDecoded(s string) {
	if s == "" {
		return
	}
	a.totalDecodedBytes += len(s)
	a.tail += s
	if len(a.tail) > a.maxRolling*2 {
		a.trimTail()
	}
	if n := strings.Count(s, "\n"); n == 0 {
		a.currentLineBytes += len(s)
	} else {
		a.totalLines += n
		a.currentLineBytes = len(s) - strings.LastIndexByte(s, '\n') - 1
	}
}

func (a *outputAccumulator) trimTail() {
	start := len(a.tail) - a.maxRolling
	for start < len(a.tail) && a.tail[start]&0xC0 == 0x80 {
		start++
	}
	if start > 0 {
		a.tailStartsAtLine = a.tail[start-1] == '\n'
	}
	a.tail = a.tail[start:]
}

func (a *outputAccumulator) snapshotText() string {
	if a.tailStartsAtLine {
		return a.tail
	}
	if i := strings.IndexByte(a.tail, '\n'); i >= 0 {
		return a.tail[i+1:]
	}
	return a.tail
}

func (a *outputAccumulator) shouldSpill() bool {
	return a.totalRawBytes > a.maxBytes || a.totalDecodedBytes > a.maxBytes || a.totalLines > a.maxLines
}

// snapshot is the display state: the tail truncated like truncateTail but
// with the totals of the whole stream.
func (a *outputAccumulator) snapshot(persist bool) (Truncation, string) {
	t := TruncateTail(a.snapshotText(), a.maxLines, a.maxBytes)
	truncated := a.totalLines > a.maxLines || a.totalDecodedBytes > a.maxBytes
	tb := t.TruncatedBy
	t.TruncatedBy = nil
	if truncated {
		if tb == nil {
			if a.totalDecodedBytes > a.maxBytes {
				tb = by("bytes")
			} else {
				tb = by("lines")
			}
		}
		t.TruncatedBy = tb
	}
	t.Truncated = truncated
	t.TotalLines, t.TotalBytes = a.totalLines, a.totalDecodedBytes
	if persist && truncated {
		a.ensureTempFile()
	}
	return t, a.tempPath
}

func (a *outputAccumulator) ensureTempFile() {
	if a.tempPath != "" {
		return
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	a.tempPath = filepath.Join(a.tempDir, a.prefix+"-"+hex.EncodeToString(b)+".log")
	a.tempFile, a.tempErr = os.OpenFile(a.tempPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	for _, c := range a.raw {
		a.writeTemp(c)
	}
	a.raw = nil
}

func (a *outputAccumulator) writeTemp(b []byte) {
	if a.tempFile == nil || a.tempErr != nil {
		return
	}
	_, a.tempErr = a.tempFile.Write(b)
}

func (a *outputAccumulator) close() error {
	if a.tempFile == nil {
		return a.tempErr
	}
	err := a.tempFile.Close()
	a.tempFile = nil
	if a.tempErr != nil {
		return a.tempErr
	}
	return err
}
