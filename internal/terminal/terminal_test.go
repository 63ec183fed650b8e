package terminal

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pi-forge/pi-forge/internal/proc"
)

func TestEchoRoundTrip(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	tm := h.dial("p1", "t1")
	tm.Input("echo round-$((40+2))-trip\n")
	tm.WaitFor("round-42-trip")
	if h.m.Active() != 1 {
		t.Fatalf("active %d, want 1", h.m.Active())
	}
}

func TestInputBeforeThePromptIsNotLost(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	// Nothing is read before typing: the shell has not printed anything
	// yet when this input reaches the server.
	tm := h.dialPaused("p1", "t1")
	tm.Input("echo early-$((1+2))\n")
	tm.StartReading()
	tm.WaitFor("early-3")
}

func TestShellStartsInTheProjectDirectory(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	tm := h.dial("p2", "t1")
	tm.Input("printf 'cwd<%s>\\n' \"$(pwd -P)\"\n")
	want, _ := filepath.EvalSymlinks(h.dirs["p2"])
	tm.WaitFor("cwd<" + want + ">")
}

func TestResizeReachesThePTY(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	tm := h.dial("p1", "t1")
	tm.Input("stty size\n")
	tm.WaitFor("24 80") // the initial size
	tm.Resize(132, 43)
	tm.Input("stty size\n")
	tm.WaitFor("43 132")
}

func TestJunkFramesAreIgnored(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	tm := h.dial("p1", "t1")
	tm.SendRaw(websocket.MessageText, []byte("not json"))
	tm.SendRaw(websocket.MessageText, []byte(`{"type":"bogus","data":"echo no\n"}`))
	tm.SendRaw(websocket.MessageText, []byte(`{"type":"input","data":42}`))
	tm.SendRaw(websocket.MessageBinary, []byte(`{"type":"input","data":"echo binary-$((1+1))\n"}`))
	big := `{"type":"input","data":"echo big-$((2+2))` + strings.Repeat(" ", MaxClientFrame) + `\n"}`
	tm.SendRaw(websocket.MessageText, []byte(big))
	for _, size := range [][2]int{{0, 10}, {10, 0}, {1001, 10}, {10, 1001}, {-5, 10}} {
		tm.Resize(size[0], size[1])
	}
	tm.SendRaw(websocket.MessageText, []byte(`{"type":"resize","cols":50.5,"rows":10}`))
	tm.Input("stty size; echo done-$((3+3))\n")
	tm.WaitFor("done-6")
	out := tm.Output()
	if !strings.Contains(out, "24 80") {
		t.Errorf("an invalid resize was applied: %q", out)
	}
	for _, never := range []string{"binary-2", "big-4"} {
		if strings.Contains(out, never) {
			t.Errorf("ignored frame ran: %s in %q", never, out)
		}
	}
	// A frame of exactly the limit is still acted on.
	pad := MaxClientFrame - len(`{"type":"input","data":"echo edge-$((5+5))\n"}`) - 1
	edge := `{"type":"input","data":"echo edge-$((5+5))\n"}` + strings.Repeat(" ", pad)
	if len(edge)+1 != MaxClientFrame {
		t.Fatalf("edge frame is %d bytes", len(edge)+1)
	}
	tm.SendRaw(websocket.MessageText, []byte(edge+" "))
	tm.WaitFor("edge-10")
}

func TestEnvironmentIsScrubbed(t *testing.T) {
	h := newHarness(t, harnessOpts{
		env: []string{
			"API_KEY=server-api-key", "OPENAI_API_KEY=sk-openai", "ANTHROPIC_API_KEY=sk-ant",
			"JWT_SECRET=jwt", "MY_PASS=passed-through", "LANG=C.UTF-8",
		},
		pass:    []string{"MY_PASS"},
		toolEnv: map[string]string{"TOOL_SETTING": "from-tool-env"},
	})
	tm := h.dial("p1", "t1")
	tm.Input(`printf 'env<%s|%s|%s|%s|%s|%s|%s|%s>\n' "$API_KEY" "$OPENAI_API_KEY" "$ANTHROPIC_API_KEY" ` +
		`"$JWT_SECRET" "${PATH:+path-set}" "$MY_PASS" "$TOOL_SETTING" "$TERM"` + "\n")
	tm.WaitFor("env<||||path-set|passed-through|from-tool-env|xterm-256color>")
}

func TestSandboxedShellRunsAsTheToolUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test switches identity and must run as root (as CI does)")
	}
	home := t.TempDir()
	worldEnterable(t, home)
	h := newHarness(t, harnessOpts{
		sandbox: &proc.Identity{UID: 1001, GID: 1001, Home: home},
		env:     []string{"USER=root", "LOGNAME=root", "OPENAI_API_KEY=sk-secret"},
	})
	tm := h.dial("p1", "tab")
	// The PTY belongs to the tool user too, so it can reopen its terminal.
	tm.Input(`printf 'sbx<%s|%s|%s|%s|%s|%s|%s>\n' "$(id -u)" "$(id -g)" "$HOME" "$USER" "$LOGNAME" "$(stat -c %u "$(tty)")" "$OPENAI_API_KEY"` + "\n")
	tm.WaitFor("sbx<1001|1001|" + home + "|pi-tools|pi-tools|1001|>")
	tm.Input("echo reopen-$((1+1)) > /dev/tty\n")
	tm.WaitFor("reopen-2")
	// tab_closed still ends a sandboxed foreground job.
	tm.Input("sh -c 'echo job=$$; exec sleep 600'\n")
	m := tm.WaitMatch(regexp.MustCompile(`job=(\d+)`))
	job, _ := strconv.Atoi(m[1])
	tm.Close(websocket.StatusNormalClosure, ReasonTabClosed)
	eventually(t, "the sandboxed job to be killed", func() bool { return processGone(job) })
}

func TestLocaleDefaultsToUTF8(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	tm := h.dial("p1", "t1")
	tm.Input("printf 'lang<%s>\\n' \"$LANG\"\n")
	tm.WaitFor("lang<C.UTF-8>")
}

func TestTwoTerminalsAreIndependent(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	a := h.dial("p1", "a")
	b := h.dial("p1", "b")
	a.Input("X=alpha\n")
	b.Input("X=beta\n")
	a.Input("echo a-has-$X\n")
	b.Input("echo b-has-$X\n")
	a.WaitFor("a-has-alpha")
	b.WaitFor("b-has-beta")
	if pa, pb := a.ShellPID(), b.ShellPID(); pa == pb {
		t.Fatalf("both tabs share shell %d", pa)
	}
	if strings.Contains(a.Output(), "b-has") || strings.Contains(b.Output(), "a-has") {
		t.Fatal("output crossed between terminals")
	}
	if h.m.Active() != 2 {
		t.Fatalf("active %d, want 2", h.m.Active())
	}
}

func TestReattachReplaysWhatWasMissed(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	dir := h.dirs["p1"]
	first := h.dial("p1", "tab")
	pid := first.ShellPID()
	// The marker is printed only after the socket is gone.
	first.Input("while [ ! -e go ]; do sleep 0.02; done; echo marker-$((7*6)); touch printed\n")
	first.Close(websocket.StatusGoingAway, "page reload")
	if err := os.WriteFile(filepath.Join(dir, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the marker printed while detached", func() bool {
		_, err := os.Stat(filepath.Join(dir, "printed"))
		return err == nil
	})
	if strings.Contains(first.Output(), "marker-42") {
		t.Fatal("the closed socket saw the marker")
	}
	second := h.dial("p1", "tab")
	if got := second.ShellPID(); got != pid {
		t.Fatalf("reattach reached shell %d, want %d", got, pid)
	}
	if n := strings.Count(second.Output(), "marker-42"); n != 1 {
		t.Fatalf("marker seen %d times after reattach, want once:\n%q", n, second.Output())
	}
	// The replay also holds what the first socket saw.
	if !strings.Contains(second.Output(), "pid-") {
		t.Fatalf("replay lacks earlier output: %q", second.Output())
	}
}

func TestReattachMidStreamLosesAndRepeatsNothing(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	first := h.dial("p1", "tab")
	const last = 300000 // ~2 MB of output, far more than the ring holds
	first.Input("seq 1 " + strconv.Itoa(last) + "; echo seq-$((1+1))-done\n")
	first.WaitFor("\r\n1000\r\n")
	first.Close(websocket.StatusGoingAway, "")
	second := h.dial("p1", "tab")
	second.WaitFor("seq-2-done")
	out := second.Output()
	out = out[:strings.LastIndex(out, "seq-2-done")]
	lines := strings.Split(out, "\r\n")
	// Skip the first (possibly partial) line; from there on every number
	// must follow its predecessor up to the last one.
	prev := -1
	for _, l := range lines[1:] {
		n, err := strconv.Atoi(l)
		if err != nil {
			if prev == last {
				break // the prompt after seq
			}
			if prev == -1 {
				continue // replay can start before seq's first number
			}
			t.Fatalf("after %d: unexpected line %q", prev, l)
		}
		if prev != -1 && n != prev+1 {
			t.Fatalf("sequence jumps from %d to %d", prev, n)
		}
		prev = n
	}
	if prev != last {
		t.Fatalf("sequence ends at %d, want %d", prev, last)
	}
}

func TestSecondAttachReplacesTheFirst(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	first := h.dial("p1", "tab")
	pid := first.ShellPID()
	second := h.dial("p1", "tab")
	ce := first.CloseStatus()
	if ce.Code != CodeReplaced || ce.Reason != ReasonReplaced {
		t.Fatalf("first socket closed with %d %q", ce.Code, ce.Reason)
	}
	if got := second.ShellPID(); got != pid {
		t.Fatalf("second socket reached shell %d, want %d", got, pid)
	}
	if h.m.Active() != 1 {
		t.Fatalf("active %d, want 1", h.m.Active())
	}
}

func TestSameTabInAnotherProjectGetsAFreshShell(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	first := h.dial("p1", "tab")
	pid := first.ShellPID()
	second := h.dial("p2", "tab")
	if ce := first.CloseStatus(); ce.Code != CodeReplaced {
		t.Fatalf("first socket closed with %d %q", ce.Code, ce.Reason)
	}
	if got := second.ShellPID(); got == pid {
		t.Fatal("reattached across projects")
	}
	eventually(t, "the first project's shell to end", func() bool { return processGone(pid) })
	eventually(t, "one terminal left", func() bool { return h.m.Active() == 1 })
}

func TestTabClosedKillsTheForegroundProcess(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	tm := h.dial("p1", "tab")
	shell := tm.ShellPID()
	// A foreground job that ignores SIGHUP and SIGTERM: only the SIGKILL
	// after the grace period ends it.
	tm.Input("sh -c 'trap \"\" HUP TERM; echo job=$$; exec sleep 600'\n")
	m := tm.WaitMatch(regexp.MustCompile(`job=(\d+)`))
	job, _ := strconv.Atoi(m[1])
	tm.Close(websocket.StatusNormalClosure, ReasonTabClosed)
	eventually(t, "the shell to be killed", func() bool { return processGone(shell) })
	eventually(t, "the foreground job to be killed", func() bool { return processGone(job) })
	eventually(t, "no terminals", func() bool { return h.m.Active() == 0 })
	if h.session("tab") != nil {
		t.Fatal("closed tab still attachable")
	}
}

func TestDetachedTerminalIsReapedWhenIdle(t *testing.T) {
	h := newHarness(t, harnessOpts{idleReap: 100 * time.Millisecond})
	tm := h.dial("p1", "tab")
	pid := tm.ShellPID()
	tm.Close(websocket.StatusGoingAway, "")
	eventually(t, "the idle terminal to be reaped", func() bool { return h.m.Active() == 0 })
	if !processGone(pid) {
		t.Fatalf("shell %d survived the reap", pid)
	}
}

func TestReattachBeforeTheReapKeepsTheTerminal(t *testing.T) {
	h := newHarness(t, harnessOpts{idleReap: time.Hour})
	tm := h.dial("p1", "tab")
	pid := tm.ShellPID()
	tm.Close(websocket.StatusGoingAway, "")
	eventually(t, "the socket to detach", func() bool {
		s := h.session("tab")
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.client == nil && s.reap != nil
	})
	if h.m.Active() != 1 {
		t.Fatalf("active %d while detached, want 1", h.m.Active())
	}
	again := h.dial("p1", "tab")
	if got := again.ShellPID(); got != pid {
		t.Fatalf("reattached to %d, want %d", got, pid)
	}
	s := h.session("tab")
	s.mu.Lock()
	reap := s.reap
	s.mu.Unlock()
	if reap != nil {
		t.Fatal("reap still pending after reattach")
	}
}

func TestZeroIdleReapEndsAtOnce(t *testing.T) {
	h := newHarness(t, harnessOpts{idleReap: -1}) // harness maps 0 to an hour
	h.m.opts.IdleReap = 0
	tm := h.dial("p1", "tab")
	pid := tm.ShellPID()
	tm.Close(websocket.StatusGoingAway, "")
	eventually(t, "the terminal to end", func() bool { return h.m.Active() == 0 && processGone(pid) })
}

func TestShellExitClosesWithPtyExited(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	tm := h.dial("p1", "tab")
	tm.Input("echo bye-$((2*2)); exit 3\n")
	ce := tm.CloseStatus()
	if ce.Code != websocket.StatusNormalClosure || ce.Reason != ReasonPTYExited {
		t.Fatalf("closed with %d %q", ce.Code, ce.Reason)
	}
	if !strings.Contains(tm.Output(), "bye-4") {
		t.Fatalf("last output lost: %q", tm.Output())
	}
	eventually(t, "no terminals", func() bool { return h.m.Active() == 0 })
	// The tab id is free again: a new socket gets a new shell.
	again := h.dial("p1", "tab")
	again.Input("echo again-$((1+1))\n")
	again.WaitFor("again-2")
}

func TestBackgroundJobsDieWithTheShell(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	tm := h.dial("p1", "tab")
	tm.Input("sleep 600 & echo bg=$!\n")
	m := tm.WaitMatch(regexp.MustCompile(`bg=(\d+)`))
	bg, _ := strconv.Atoi(m[1])
	tm.Input("exit\n")
	if ce := tm.CloseStatus(); ce.Reason != ReasonPTYExited {
		t.Fatalf("closed with %d %q", ce.Code, ce.Reason)
	}
	eventually(t, "the background job to be killed", func() bool { return processGone(bg) })
}

func TestKeepalivePings(t *testing.T) {
	h := newHarness(t, harnessOpts{keepalive: 20 * time.Millisecond})
	tm := h.dial("p1", "tab")
	for i := range 3 {
		select {
		case <-tm.Pings():
		case <-time.After(waitTimeout):
			t.Fatalf("ping %d never came", i+1)
		}
	}
	tm.Input("echo still-$((1+1))-up\n")
	tm.WaitFor("still-2-up")
}

func TestNoPingsWhenKeepaliveIsOff(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	tm := h.dial("p1", "tab")
	tm.Input("sleep 0.3; echo slept-$((1+1))\n")
	tm.WaitFor("slept-2")
	select {
	case <-tm.Pings():
		t.Fatal("ping sent with keepalive off")
	default:
	}
}

func TestVenvIsActivatedOnFreshSpawnOnly(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	venv := filepath.Join(h.dirs["p1"], ".venv", "bin")
	if err := os.MkdirAll(venv, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(venv, "activate"), []byte("export VENV_ON=venv-active\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tm := h.dial("p1", "tab")
	tm.Input("echo \"[$VENV_ON]\"\n")
	tm.WaitFor("[venv-active]")
	const typed = "source .venv/bin/activate"
	before := strings.Count(tm.Output(), typed)
	if before == 0 {
		t.Fatalf("activation not shown: %q", tm.Output())
	}
	tm.Close(websocket.StatusGoingAway, "")
	again := h.dial("p1", "tab")
	again.Input("echo re-$((1+1))\n")
	again.WaitFor("re-2")
	// Typed before the shell's line editor started, the command is echoed
	// by the kernel and again by readline; a reattach must add nothing.
	if n := strings.Count(again.Output(), typed); n != before {
		t.Fatalf("activation shown %d times after reattach, %d before: typed again", n, before)
	}
	// p2 has no virtualenv: nothing is typed.
	other := h.dial("p2", "other")
	other.Input("echo none-$((1+1))\n")
	other.WaitFor("none-2")
	if strings.Contains(other.Output(), "activate") {
		t.Fatalf("activation typed without a venv: %q", other.Output())
	}
}

func TestShutdownEndsEveryTerminal(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	attached := h.dial("p1", "a")
	pa := attached.ShellPID()
	detached := h.dial("p1", "d")
	pd := detached.ShellPID()
	detached.Close(websocket.StatusGoingAway, "")
	h.m.Shutdown(t.Context())
	if ce := attached.CloseStatus(); ce.Code != websocket.StatusGoingAway {
		t.Fatalf("closed with %d %q", ce.Code, ce.Reason)
	}
	if h.m.Active() != 0 {
		t.Fatalf("active %d after shutdown", h.m.Active())
	}
	for _, pid := range []int{pa, pd} {
		if !processGone(pid) {
			t.Errorf("shell %d survived shutdown", pid)
		}
	}
	late := h.dialPaused("p1", "late")
	late.StartReading()
	if ce := late.CloseStatus(); ce.Code != websocket.StatusGoingAway {
		t.Fatalf("socket during shutdown closed with %d %q", ce.Code, ce.Reason)
	}
}

func TestSpawnFailure(t *testing.T) {
	h := newHarness(t, harnessOpts{shell: "/nonexistent/shell", warnings: true})
	tm := h.dial("p1", "tab")
	if ce := tm.CloseStatus(); ce.Code != CodeInternal || ce.Reason != ReasonSpawnFailed {
		t.Fatalf("closed with %d %q", ce.Code, ce.Reason)
	}
	if h.m.Active() != 0 {
		t.Fatalf("active %d", h.m.Active())
	}
}

func TestServerAssignedTabIDs(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	a := h.dial("p1", "")
	b := h.dial("p1", "")
	if a.ShellPID() == b.ShellPID() {
		t.Fatal("two sockets without a tab id share a shell")
	}
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	re := regexp.MustCompile(`^srv-[0-9a-z]+$`)
	for id := range h.m.tabs {
		if !re.MatchString(id) {
			t.Errorf("tab id %q", id)
		}
	}
	if len(h.m.tabs) != 2 {
		t.Fatalf("%d tabs", len(h.m.tabs))
	}
}

func TestSlowReaderIsBoundedAndOthersStayResponsive(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	flood := h.dialPaused("p1", "flood")
	flood.Input("yes flooding-the-terminal\n")
	var s *session
	eventually(t, "the flood terminal to exist", func() bool { s = h.session("flood"); return s != nil })
	// The socket is never read, so the writer falls behind and the PTY
	// stops being read: the count of bytes read from it settles.
	var last int64 = -1
	stable := 0
	eventually(t, "PTY reads to stop (backpressure)", func() bool {
		n := s.bytesOut.Load()
		if n == last && n > 0 {
			stable++
		} else {
			stable = 0
		}
		last = n
		time.Sleep(40 * time.Millisecond)
		return stable >= 5
	})
	s.mu.Lock()
	s.client.mu.Lock()
	pending, ring := len(s.client.pending), s.ring.Len()
	s.client.mu.Unlock()
	s.mu.Unlock()
	if pending > highWater+readBufSize || ring > defaultRingSize {
		t.Fatalf("buffers grew: pending %d, ring %d", pending, ring)
	}
	// Another terminal works normally meanwhile.
	other := h.dial("p1", "other")
	other.Input("echo other-$((2+3))-fine\n")
	other.WaitFor("other-5-fine")
	// Reading again lets the flood continue.
	flood.StartReading()
	eventually(t, "the flood to resume", func() bool { return s.bytesOut.Load() > last+highWater })
	flood.WaitFor("flooding-the-terminal")
	if !bytes.Contains([]byte(flood.Output()), []byte("flooding-the-terminal\r\nflooding")) {
		t.Fatal("no flood output")
	}
}
