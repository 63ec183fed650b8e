package proc

// Killing a child's whole tree.
//
// A process group kill (what pi does) misses descendants that called
// setsid() or setpgid(), and a daemon that double-forks is re-parented to
// init, so even a walk of the parent links misses it. The sweep therefore
// takes the union of three sets, found by scanning /proc:
//
//  1. members of the child's process group or session (pgid/sid == child pid);
//  2. descendants of the child through parent links, which catches setsid'd
//     children whose parents are alive;
//  3. processes whose environment carries the child's spawn marker
//     (MarkerEnv), which catches double-forked orphans.
//
// Found processes are stopped with SIGSTOP first, so none can fork while the
// scan repeats, and the scan repeats until a pass finds nothing new; then all
// of them get SIGKILL. Signals go through pidfds after re-checking each
// process's start time, so a recycled pid is never hit.
//
// Limits: a descendant that double-forks AND clears or rewrites its
// environment (env -i, or a setuid program) escapes, and so does an orphan
// whose environment the server may not read (another uid while the server
// lacks CAP_SYS_PTRACE, as in a default Docker container running the sandbox).
// Closing those gaps needs a per-child cgroup (cgroup.kill) or a per-child
// subreaper shim; a server-wide PR_SET_CHILD_SUBREAPER alone would not help
// attribute orphans to a child and would force the server to reap strangers.

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// maxSweepPasses bounds the freeze loop; each pass can only find processes
// forked before the previous pass froze their parents.
const maxSweepPasses = 20

// gracePoll is how often a graceful kill checks whether the tree is gone;
// there is no event for "a process outside our children exited".
const gracePoll = 20 * time.Millisecond

// terminate kills the tree of root: with a grace period, SIGTERM first and
// SIGKILL for whatever is left when the grace ends.
func terminate(root int, marker string, grace time.Duration) {
	match := func(p procInfo, t *tree) bool {
		if p.pid == root || p.pgid == root || p.sid == root || t.descendsFrom(p.pid, root) {
			return true
		}
		return marker != "" && hasMarker(p.environ(), marker, false)
	}
	if grace > 0 {
		_ = unix.Kill(-root, unix.SIGTERM)
		targets := find(match)
		for _, p := range targets {
			p.signal(unix.SIGTERM)
		}
		deadline := time.Now().Add(grace)
		for time.Now().Before(deadline) && anyAlive(targets) {
			time.Sleep(gracePoll)
		}
	}
	freezeAndKill(root, match)
}

// freezeAndKill stops every matching process until a scan finds no new
// one, then kills them all (and root's process group when root > 0) and
// waits, up to killWait, until they are gone.
func freezeAndKill(root int, match func(procInfo, *tree) bool) {
	frozen := map[int]*handle{}
	defer func() {
		for _, h := range frozen {
			h.close()
		}
	}()
	for pass := 0; pass < maxSweepPasses; pass++ {
		fresh := false
		for _, p := range find(match) {
			if _, ok := frozen[p.pid]; ok {
				continue
			}
			h := open(p)
			if h == nil {
				continue // already gone
			}
			h.signal(unix.SIGSTOP)
			frozen[p.pid] = h
			fresh = true
		}
		if !fresh {
			break
		}
	}
	if root > 0 {
		_ = unix.Kill(-root, unix.SIGKILL)
	}
	for _, h := range frozen {
		h.signal(unix.SIGKILL)
	}
	waitGone(frozen)
}

// killWait bounds how long a kill waits for SIGKILLed processes to exit
// (it is asynchronous; a process in uninterruptible sleep may take a while).
const killWait = 2 * time.Second

// waitGone waits until every handle's process has exited: a pidfd becomes
// readable when its process exits.
func waitGone(hs map[int]*handle) {
	deadline := time.Now().Add(killWait)
	for {
		var fds []unix.PollFd
		for _, h := range hs {
			if h.fd >= 0 {
				fds = append(fds, unix.PollFd{Fd: int32(h.fd), Events: unix.POLLIN})
			}
		}
		if len(fds) == 0 {
			return
		}
		left := time.Until(deadline)
		if left <= 0 {
			return
		}
		n, err := unix.Poll(fds, int(left.Milliseconds())+1)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return
		}
		if n == len(fds) {
			return
		}
		for _, f := range fds {
			if f.Revents != 0 {
				for _, h := range hs {
					if h.fd == int(f.Fd) {
						h.close()
					}
				}
			}
		}
	}
}

// find scans /proc and returns the live (non-zombie) processes match
// accepts, never the server itself.
func find(match func(procInfo, *tree) bool) []procInfo {
	t := snapshot()
	self := os.Getpid()
	var out []procInfo
	for _, p := range t.procs {
		if p.pid == self || p.state == 'Z' || p.state == 'X' {
			continue
		}
		if match(p, t) {
			out = append(out, p)
		}
	}
	return out
}

func anyAlive(ps []procInfo) bool {
	for _, p := range ps {
		if cur, ok := readStat(p.pid); ok && cur.start == p.start && cur.state != 'Z' && cur.state != 'X' {
			return true
		}
	}
	return false
}

// procInfo is one process as /proc/<pid>/stat describes it.
type procInfo struct {
	pid, ppid, pgid, sid int
	state                byte
	start                uint64 // start time in clock ticks since boot
}

// environ returns the process's NUL-separated initial environment, or ""
// when it cannot be read.
func (p procInfo) environ() string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/environ")
	if err != nil {
		return ""
	}
	return string(b)
}

// signal sends sig to p unless its pid now belongs to another process.
func (p procInfo) signal(sig unix.Signal) {
	if h := open(p); h != nil {
		h.signal(sig)
		h.close()
	}
}

// handle is a pidfd for a scanned process, or fd -1 where the kernel has
// no pidfds (then signals go by pid after a start-time check).
type handle struct {
	p  procInfo
	fd int
}

// open returns a handle for p, or nil when p's pid no longer names the
// process that was scanned. The pidfd is opened before the start-time check,
// so a matching start time proves it refers to the scanned process.
func open(p procInfo) *handle {
	fd, err := unix.PidfdOpen(p.pid, 0)
	if err != nil && !errors.Is(err, unix.ENOSYS) {
		return nil // gone
	}
	if err != nil {
		fd = -1
	}
	if cur, ok := readStat(p.pid); !ok || cur.start != p.start {
		if fd >= 0 {
			unix.Close(fd)
		}
		return nil
	}
	return &handle{p: p, fd: fd}
}

func (h *handle) signal(sig unix.Signal) {
	if h.fd >= 0 {
		_ = unix.PidfdSendSignal(h.fd, sig, nil, 0)
		return
	}
	_ = unix.Kill(h.p.pid, sig)
}

func (h *handle) close() {
	if h.fd >= 0 {
		unix.Close(h.fd)
		h.fd = -1
	}
}

// tree is one scan of /proc.
type tree struct {
	procs  []procInfo
	parent map[int]int
}

func snapshot() *tree {
	t := &tree{parent: map[int]int{}}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return t
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		p, ok := readStat(pid)
		if !ok {
			continue
		}
		t.procs = append(t.procs, p)
		t.parent[pid] = p.ppid
	}
	return t
}

// descendsFrom reports whether pid is a (strict) descendant of ancestor.
func (t *tree) descendsFrom(pid, ancestor int) bool {
	for hops := 0; hops < 4096 && pid > 1; hops++ {
		ppid, ok := t.parent[pid]
		if !ok {
			return false
		}
		if ppid == ancestor {
			return true
		}
		pid = ppid
	}
	return false
}

// readStat parses /proc/<pid>/stat. The command name may hold spaces and
// parentheses, so fields are counted from the last ')'.
func readStat(pid int) (procInfo, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procInfo{}, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return procInfo{}, false
	}
	f := bytes.Fields(b[i+2:])
	// f[0]=state f[1]=ppid f[2]=pgrp f[3]=session ... f[19]=starttime
	if len(f) < 20 {
		return procInfo{}, false
	}
	num := func(s []byte) int { n, _ := strconv.Atoi(string(s)); return n }
	start, _ := strconv.ParseUint(string(f[19]), 10, 64)
	return procInfo{
		pid: pid, ppid: num(f[1]), pgid: num(f[2]), sid: num(f[3]),
		state: f[0][0], start: start,
	}, true
}
