package process

import (
	"bytes"
	"os"
	"path/filepath"
)

// Output limits (features §8).
const (
	RingLines = 1000     // lines kept in memory per stream
	RingBytes = 64 << 10 // bytes kept in memory per stream
	// LogRotateBytes is the size at which a log file moves to <file>.1.
	LogRotateBytes = 10 << 20
)

// ring is the in-memory tail of one stream: complete lines plus the line
// being written. Callers serialise access.
type ring struct {
	lines   []string // oldest first; head is the index of the oldest
	head    int
	n       int
	bytes   int // bytes held in lines
	partial []byte
	total   int64 // bytes ever written (poll signatures)
}

func newRing() *ring { return &ring{lines: make([]string, RingLines)} }

// write appends p and returns the lines it completed (without their "\n"
// and a trailing "\r").
func (r *ring) write(p []byte) []string {
	r.total += int64(len(p))
	var done []string
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			r.partial = append(r.partial, p...)
			if over := len(r.partial) - RingBytes; over > 0 {
				// A line without end (a progress bar, say): keep its tail.
				r.partial = append(r.partial[:0], r.partial[over:]...)
			}
			break
		}
		line := string(bytes.TrimSuffix(append(r.partial, p[:i]...), []byte("\r")))
		r.partial = r.partial[:0]
		p = p[i+1:]
		r.push(line)
		done = append(done, line)
	}
	return done
}

// flush completes the line in progress (the stream ended without "\n").
func (r *ring) flush() []string {
	if len(r.partial) == 0 {
		return nil
	}
	line := string(r.partial)
	r.partial = nil
	r.push(line)
	return []string{line}
}

func (r *ring) push(line string) {
	if len(line) > RingBytes {
		line = line[len(line)-RingBytes:]
	}
	for r.n > 0 && (r.n == len(r.lines) || r.bytes+len(line) > RingBytes) {
		r.bytes -= len(r.lines[r.head])
		r.lines[r.head] = ""
		r.head = (r.head + 1) % len(r.lines)
		r.n--
	}
	r.lines[(r.head+r.n)%len(r.lines)] = line
	r.n++
	r.bytes += len(line)
}

// tail returns the last n lines, the line in progress last.
func (r *ring) tail(n int) []string {
	all := make([]string, 0, r.n+1)
	for i := range r.n {
		all = append(all, r.lines[(r.head+i)%len(r.lines)])
	}
	if len(r.partial) > 0 {
		all = append(all, string(r.partial))
	}
	if n >= 0 && len(all) > n {
		all = all[len(all)-n:]
	}
	return all
}

// logFile appends a stream's raw output to disk, moving the file to
// <path>.1 (replacing an older one) when it reaches LogRotateBytes.
type logFile struct {
	path string
	f    *os.File
	size int64
	err  error // the first write error; later writes are skipped
}

func openLog(path string) (*logFile, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &logFile{path: path, f: f, size: st.Size()}, nil
}

func (l *logFile) write(p []byte) {
	if l.err != nil || l.f == nil {
		return
	}
	if l.size > 0 && l.size+int64(len(p)) > LogRotateBytes {
		l.rotate()
		if l.err != nil {
			return
		}
	}
	n, err := l.f.Write(p)
	l.size += int64(n)
	if err != nil {
		l.err = err
	}
}

func (l *logFile) rotate() {
	if err := l.f.Close(); err != nil {
		l.err = err
		return
	}
	l.f = nil
	if err := os.Rename(l.path, l.path+".1"); err != nil {
		l.err = err
		return
	}
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		l.err = err
		return
	}
	l.f, l.size = f, 0
}

func (l *logFile) close() {
	if l.f != nil {
		_ = l.f.Close()
		l.f = nil
	}
}

// logPaths are a process's log files.
func logPaths(dir string) (stdout, stderr string) {
	return filepath.Join(dir, "stdout.log"), filepath.Join(dir, "stderr.log")
}
