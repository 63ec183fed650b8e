package terminal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/pi-forge/pi-forge/internal/proc"
)

const (
	// readBufSize is the PTY read size; Linux hands out at most 4 KiB of
	// PTY output per read, so more would only sit idle.
	readBufSize = 16 << 10
	// drainGrace is how long output may keep arriving after the shell
	// exited (a background job still holding the terminal) before what is
	// left of the terminal's processes is killed.
	drainGrace = 200 * time.Millisecond
	// termName is TERM for the shell. The reference says xterm-color;
	// xterm.js implements xterm's 256-colour and truecolor modes, and
	// xterm-256color is the terminfo entry every distribution ships for it.
	termName = "xterm-256color"
)

// venvDirs are checked in order for bin/activate on a fresh spawn.
var venvDirs = []string{".venv", "venv", "env"}

// session is one shell on a PTY.
type session struct {
	m         *Manager
	tabID     string
	projectID string
	cmd       *exec.Cmd
	pty       *os.File // master side, non-blocking (netpoller)
	cancel    context.CancelFunc

	stopping   chan struct{} // closed when the PTY is about to close
	readerDone chan struct{}
	done       chan struct{} // closed when the shell is reaped and the PTY closed
	endOnce    sync.Once
	closeOnce  sync.Once

	mu      sync.Mutex
	ring    *ring
	client  *client     // the attached socket, if any
	reap    *time.Timer // pending idle reap while detached
	reapGen uint64      // which reap timer is current

	exited   atomic.Bool  // the shell has been reaped
	bytesOut atomic.Int64 // PTY output read so far (tests)
}

// spawn starts a shell for tab. The caller holds m.mu.
func (m *Manager) spawn(tab string, req Request) (*session, error) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd, err := m.opts.Launcher.Command(ctx, proc.Spec{
		Kind:      proc.KindShell,
		Path:      m.shell,
		Dir:       req.Dir,
		Env:       map[string]string{"TERM": termName, "COLORTERM": "truecolor"},
		Terminal:  true,
		KillGrace: m.opts.KillGrace,
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("terminal: preparing %s: %w", m.shell, err)
	}
	cmd.Env = withLocale(cmd.Env)
	master, err := startPTY(cmd)
	if err != nil {
		cancel()
		return nil, err
	}
	s := &session{
		m: m, tabID: tab, projectID: req.ProjectID, cmd: cmd, pty: master, cancel: cancel,
		stopping: make(chan struct{}), readerDone: make(chan struct{}), done: make(chan struct{}),
		ring: newRing(m.opts.RingSize),
	}
	m.live[s] = struct{}{}
	m.active.Add(1)
	m.wg.Add(2)
	go func() {
		defer m.wg.Done()
		s.readLoop()
	}()
	go func() {
		defer m.wg.Done()
		s.waitLoop()
	}()
	m.log.Debug("terminal started", "tabId", tab, "projectId", req.ProjectID, "pid", cmd.Process.Pid)
	if dir := venvDir(req.Dir); dir != "" {
		// Typed like user input, so the activation shows in the terminal.
		_, _ = master.Write([]byte(sourceCommand(m.shell) + " " + dir + "/bin/activate\n"))
	}
	return s, nil
}

// startPTY starts cmd on a new PTY of 80x24 as the session leader with the
// PTY as its controlling terminal, and returns the master side.
func startPTY(cmd *exec.Cmd) (*os.File, error) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("terminal: opening a pty: %w", err)
	}
	defer tty.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: 80, Rows: 24}); err != nil {
		ptmx.Close()
		return nil, fmt.Errorf("terminal: sizing the pty: %w", err)
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	}
	if cred := cmd.SysProcAttr.Credential; cred != nil {
		// The sandbox user must be able to reopen its own terminal
		// (/dev/tty, ttyname), as a login would allow.
		if err := tty.Chown(int(cred.Uid), int(cred.Gid)); err != nil {
			ptmx.Close()
			return nil, fmt.Errorf("terminal: handing the pty to the tool user: %w", err)
		}
	}
	cmd.SysProcAttr.Setctty = true
	cmd.SysProcAttr.Ctty = 0 // the child's stdin, which is the tty
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	if err := cmd.Start(); err != nil {
		ptmx.Close()
		return nil, fmt.Errorf("terminal: starting %s: %w", cmd.Path, err)
	}
	master, err := pollable(ptmx)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, err
	}
	return master, nil
}

// pollable turns the PTY master into a non-blocking file served by the
// runtime's netpoller: pty.Open leaves it in blocking mode (it calls Fd),
// where every idle terminal would pin an OS thread in read(2) and Close
// could not interrupt a read. The duplicate is close-on-exec, so no other
// child keeps the PTY open (closing it must hang the terminal up).
func pollable(ptmx *os.File) (*os.File, error) {
	fd, err := unix.FcntlInt(ptmx.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	ptmx.Close()
	if err != nil {
		return nil, fmt.Errorf("terminal: duplicating the pty: %w", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("terminal: pty non-blocking: %w", err)
	}
	return os.NewFile(uintptr(fd), "/dev/ptmx"), nil
}

// withLocale gives the shell a UTF-8 locale when the environment names
// none: under the C locale readline treats every non-ASCII byte typed or
// pasted as a meta key.
func withLocale(env []string) []string {
	for _, kv := range env {
		for _, name := range []string{"LANG=", "LC_ALL=", "LC_CTYPE="} {
			if strings.HasPrefix(kv, name) && len(kv) > len(name) {
				return env
			}
		}
	}
	return append(env, "LANG=C.UTF-8")
}

func venvDir(project string) string {
	for _, d := range venvDirs {
		if fi, err := os.Stat(filepath.Join(project, d, "bin", "activate")); err == nil && fi.Mode().IsRegular() {
			return d
		}
	}
	return ""
}

// sourceCommand is `source` where the shell has it and POSIX `.` for the
// plain sh family, where `source` does not exist.
func sourceCommand(shell string) string {
	switch filepath.Base(shell) {
	case "sh", "dash", "ash", "posh":
		return "."
	}
	return "source"
}

// readLoop copies PTY output into the ring and to the attached socket,
// pausing while that socket is too far behind.
func (s *session) readLoop() {
	defer close(s.readerDone)
	buf := make([]byte, readBufSize)
	for {
		n, err := s.pty.Read(buf)
		if n > 0 {
			s.bytesOut.Add(int64(n))
			if c := s.publish(buf[:n]); c != nil {
				c.waitRoom(s.stopping)
			}
		}
		if err != nil {
			return
		}
	}
}

// publish records output and hands it to the attached socket. It returns
// that socket when it is over its high-water mark.
func (s *session) publish(p []byte) *client {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ring.Write(p)
	if s.client != nil && s.client.enqueue(p) {
		return s.client
	}
	return nil
}

// waitLoop reaps the shell, then takes the terminal down.
func (s *session) waitLoop() {
	err := s.cmd.Wait()
	s.exited.Store(true)
	s.m.forget(s)
	t := time.NewTimer(drainGrace)
	select {
	case <-s.readerDone:
	case <-t.C:
	}
	t.Stop()
	// What the shell left behind (background jobs, their children) goes
	// with it.
	s.m.opts.Launcher.Kill(s.cmd)
	s.closePTY()
	<-s.readerDone
	s.cancel()
	s.finish(err)
}

func (s *session) closePTY() {
	s.closeOnce.Do(func() {
		close(s.stopping)
		_ = s.pty.Close()
	})
}

// finish runs once the shell is reaped and the PTY is closed.
func (s *session) finish(waitErr error) {
	s.mu.Lock()
	c := s.client
	s.client = nil
	if s.reap != nil {
		s.reap.Stop()
		s.reap = nil
	}
	s.mu.Unlock()
	if c != nil {
		// First close wins: a socket already told 4409 or 1001 keeps that.
		c.kick(websocket.StatusNormalClosure, ReasonPTYExited, true)
	}
	s.m.retire(s)
	close(s.done)
	var exit *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exit) && !errors.Is(waitErr, context.Canceled) {
		s.m.log.Warn("terminal wait failed", "tabId", s.tabID, "error", waitErr)
	}
	s.m.log.Debug("terminal ended", "tabId", s.tabID, "projectId", s.projectID, "exit", s.cmd.ProcessState.String())
}

// end closes the attached socket with code/reason and kills the terminal.
func (s *session) end(code websocket.StatusCode, reason string) {
	s.mu.Lock()
	c := s.client
	s.mu.Unlock()
	if c != nil {
		c.kick(code, reason, false)
	}
	s.kill()
}

// kill ends the shell and its process group: closing the master hangs
// the terminal up (SIGHUP to the shell and its foreground job, which is
// what makes an interactive shell exit), and cancelling the command's
// context sends SIGTERM, then SIGKILL after the grace period, to whatever
// is left (proc's Cancel hook). waitLoop sees the shell go and finishes.
func (s *session) kill() {
	s.endOnce.Do(func() {
		s.closePTY()
		s.cancel()
	})
}

// attach makes c the terminal's socket, with the buffered output queued
// for it first. The caller holds m.mu.
func (s *session) attach(c *client) {
	s.mu.Lock()
	old := s.client
	s.client = c
	if s.reap != nil {
		s.reap.Stop()
		s.reap = nil
	}
	// Under s.mu no output can slip between the snapshot and the live
	// stream: publish appends to the ring and to the client together.
	c.preload(s.ring.Snapshot())
	s.mu.Unlock()
	if old != nil {
		old.kick(CodeReplaced, ReasonReplaced, false)
	}
}

// detach is called when c's socket is gone. A tab_closed close (or an
// idle reap time of zero) ends the terminal; otherwise it waits, detached,
// for IdleReap.
func (s *session) detach(c *client, tabClosed bool) {
	m := s.m
	m.mu.Lock()
	defer m.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != c {
		return // replaced by another socket, or the terminal already ended
	}
	s.client = nil
	if m.tabs[s.tabID] != s {
		return // ending
	}
	if tabClosed || m.opts.IdleReap <= 0 {
		delete(m.tabs, s.tabID)
		s.kill()
		return
	}
	s.reapGen++
	gen := s.reapGen
	s.reap = time.AfterFunc(m.opts.IdleReap, func() { s.reapIfIdle(gen) })
}

// reapIfIdle ends the terminal unless a socket attached (or a newer
// detach restarted the clock) since reap timer gen was set.
func (s *session) reapIfIdle(gen uint64) {
	m := s.m
	m.mu.Lock()
	defer m.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reap == nil || s.reapGen != gen || s.client != nil || m.tabs[s.tabID] != s {
		return
	}
	s.reap = nil
	delete(m.tabs, s.tabID)
	m.log.Debug("terminal reaped after idling", "tabId", s.tabID)
	s.kill()
}

// input types p into the terminal.
func (s *session) input(p []byte) error {
	_, err := s.pty.Write(p)
	return err
}

// resize sets the terminal size; the kernel tells the foreground job
// (SIGWINCH).
func (s *session) resize(cols, rows int) error {
	rc, err := s.pty.SyscallConn()
	if err != nil {
		return err
	}
	var ioErr error
	err = rc.Control(func(fd uintptr) {
		ioErr = unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, &unix.Winsize{Row: uint16(rows), Col: uint16(cols)})
	})
	if err != nil {
		return err
	}
	return ioErr
}

// ending reports whether the terminal is being taken down.
func (s *session) ending() bool {
	if s.exited.Load() {
		return true
	}
	select {
	case <-s.stopping:
		return true
	default:
		return false
	}
}
