package wire

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// Event is one server-sent event. Data is reused by the next call to Next:
// copy what must outlive it.
type Event struct {
	Name string
	Data []byte
}

// SSEReader decodes a text/event-stream body (lines ending in LF or CRLF,
// "event:" and "data:" fields, comments ignored).
type SSEReader struct {
	r        *bufio.Reader
	event    Event
	line     []byte
	lastName string
	hasData  bool
	err      error
}

// NewSSEReader reads events from r.
func NewSSEReader(r io.Reader) *SSEReader {
	return &SSEReader{r: bufio.NewReaderSize(r, 32<<10)}
}

// Next advances to the next event. It returns false at the end of the
// stream or on a read error (see Err). A last event without its blank line
// is still delivered at a clean end, never after a broken read.
func (s *SSEReader) Next() bool {
	if s.err != nil {
		return false
	}
	s.event.Name = ""
	s.event.Data = s.event.Data[:0]
	s.hasData = false
	pending := false
	for {
		line, err := s.readLine()
		if len(line) == 0 && err == nil {
			if pending {
				return true
			}
			continue
		}
		if len(line) > 0 && s.field(line) {
			pending = true
		}
		if err != nil {
			s.err = err
			return errors.Is(err, io.EOF) && pending
		}
	}
}

// field applies one line and reports whether it was an event or data field.
func (s *SSEReader) field(line []byte) bool {
	if line[0] == ':' {
		return false
	}
	name, value, _ := bytes.Cut(line, []byte{':'})
	if len(value) > 0 && value[0] == ' ' {
		value = value[1:]
	}
	switch string(name) {
	case "event":
		if string(value) != s.lastName { // reuse the string: names repeat
			s.lastName = string(value)
		}
		s.event.Name = s.lastName
		return true
	case "data":
		if s.hasData {
			s.event.Data = append(s.event.Data, '\n')
		}
		s.event.Data = append(s.event.Data, value...)
		s.hasData = true
		return true
	}
	return false
}

// readLine returns one line without its terminator. Lines longer than the
// buffer are assembled in s.line.
func (s *SSEReader) readLine() ([]byte, error) {
	s.line = s.line[:0]
	for {
		chunk, err := s.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			s.line = append(s.line, chunk...)
			continue
		}
		var line []byte
		if len(s.line) > 0 {
			s.line = append(s.line, chunk...)
			line = s.line
		} else {
			line = chunk
		}
		line = bytes.TrimSuffix(line, []byte{'\n'})
		line = bytes.TrimSuffix(line, []byte{'\r'})
		return line, err
	}
}

// Event returns the current event.
func (s *SSEReader) Event() *Event { return &s.event }

// Err returns the read error that ended the stream, nil at a clean end.
func (s *SSEReader) Err() error {
	if errors.Is(s.err, io.EOF) {
		return nil
	}
	return s.err
}
