package apitest

import (
	"bytes"
	"sync"
)

// lockedBuffer lets the server log from many goroutines into one buffer.
type lockedBuffer struct {
	mu  sync.Mutex
	buf *bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}
