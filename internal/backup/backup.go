// Package backup writes and reads pi-forge's backup archives (gzip
// tar): the configuration files of /config/export and /config/import, and
// the skills folder of /config/skills/export and /config/skills/import.
// Archives are streamed in both directions; only the small configuration
// files are ever held in memory, and every size is bounded.
package backup

import (
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// Errors the HTTP layer maps to responses.
var (
	// ErrTooLarge: an upload, or what it expands to, is over a limit.
	ErrTooLarge = errors.New("archive is too large")
	// ErrNotArchive: the upload is not a gzip-compressed tar archive.
	ErrNotArchive = errors.New("not a gzip-compressed tar archive")
	// ErrNoSkills: the skills directory is missing or holds no files.
	ErrNoSkills = errors.New("the skills directory holds no files")
	// ErrRead: reading the upload itself failed (a broken multipart body,
	// a dropped connection); the cause is wrapped too.
	ErrRead = errors.New("reading the upload failed")
)

// Stamp is the time in archive file names: ISO 8601 with ":" and "." made
// "-" (2026-07-22T10-11-12-123Z), as the reference names its downloads.
func Stamp(t time.Time) string {
	return strings.NewReplacer(":", "-", ".", "-").Replace(t.UTC().Format("2006-01-02T15:04:05.000Z"))
}

// LimitReader reads r and fails with ErrTooLarge once more than n bytes
// came through (io.LimitReader would end silently at n, hiding the excess).
func LimitReader(r io.Reader, n int64) io.Reader { return &limitReader{r: r, left: n} }

type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, ErrTooLarge
	}
	// Read one byte past the limit, so exactly n bytes is not an error.
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, ErrTooLarge
	}
	return n, err
}

// sourceReader remembers the error of the upload it reads, so a failure
// can be blamed on the upload (ErrRead) or on its content (ErrNotArchive).
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// fail classifies err, returned by a decoder reading s.
func (s *sourceReader) fail(err error) error {
	switch {
	case s.err != nil:
		return fmt.Errorf("%w: %w", ErrRead, s.err)
	case errors.Is(err, ErrTooLarge):
		return err
	}
	return fmt.Errorf("%w: %v", ErrNotArchive, err)
}

// cleanRel turns an archive entry or upload name into a slash-separated
// path relative to the destination, or reports that it is unsafe: absolute,
// climbing with "..", holding a backslash or NUL. "." components and a
// leading "./" are dropped; "" means the destination itself.
func cleanRel(name string) (string, bool) {
	if strings.ContainsAny(name, "\\\x00") || strings.HasPrefix(name, "/") {
		return "", false
	}
	var parts []string
	for _, p := range strings.Split(name, "/") {
		switch p {
		case "", ".":
			continue
		case "..":
			return "", false
		}
		parts = append(parts, p)
	}
	return path.Join(parts...), true
}
