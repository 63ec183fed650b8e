package process

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestStartCapturesOutputAndExit(t *testing.T) {
	m, h := newManager(t, nil)
	info := start(t, m, `echo hello; echo oops >&2; printf 'no newline'`, StartOptions{})
	if len(info.ID) != 8 || info.Status != Running || info.PID <= 0 || info.Success != nil || info.EndTime != nil {
		t.Fatalf("start info = %+v", info)
	}
	end := h.waitStatus(t, info.ID, Exited)
	if end.ExitCode == nil || *end.ExitCode != 0 || end.Success == nil || !*end.Success || end.EndTime == nil {
		t.Fatalf("end info = %+v", end)
	}
	out, err := m.Output(info.ID, DefaultTail)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(out.Stdout, "|") != "hello|no newline" || strings.Join(out.Stderr, "|") != "oops" || out.Status != Exited {
		t.Fatalf("output = %+v", out)
	}
	b, err := os.ReadFile(end.StdoutFile)
	if err != nil || string(b) != "hello\nno newline" {
		t.Fatalf("stdout log = %q, %v", b, err)
	}
	if filepath.Dir(end.StdoutFile) != filepath.Join(m.o.LogDir, info.ID) || filepath.Base(end.StderrFile) != "stderr.log" {
		t.Fatalf("log paths %s %s", end.StdoutFile, end.StderrFile)
	}
	h.noDelivery(t) // success without alertOnSuccess: nothing
}

func TestRunsInProjectDirWithScrubbedEnv(t *testing.T) {
	t.Setenv("PI_FORGE_TEST_SECRET", "leak")
	m, h := newManager(t, nil)
	info := start(t, m, `pwd; echo "secret=${PI_FORGE_TEST_SECRET:-}"`, StartOptions{})
	h.waitStatus(t, info.ID, Exited)
	out, _ := m.Output(info.ID, -1)
	if len(out.Stdout) != 2 || out.Stdout[0] != m.o.Cwd || out.Stdout[1] != "secret=" {
		t.Fatalf("stdout = %q", out.Stdout)
	}
}

func TestAlerts(t *testing.T) {
	cases := []struct {
		name    string
		command string
		so      StartOptions
		reason  string // "" = no alert
		trigger bool
	}{
		{"failure alerts by default", "echo boom >&2; exit 3", StartOptions{AlertOnFailure: true}, ReasonFailure, true},
		{"failure without the flag", "exit 3", StartOptions{}, "", false},
		{"success is informational", "true", StartOptions{AlertOnSuccess: true, AlertOnFailure: true}, ReasonSuccess, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, h := newManager(t, nil)
			info := start(t, m, c.command, c.so)
			h.waitStatus(t, info.ID, Exited)
			if c.reason == "" {
				m.work.Wait()
				h.noDelivery(t)
				return
			}
			d := h.waitDelivery(t)
			var ad alertDetails
			details(t, d.msg, &ad)
			if d.msg.CustomType != CustomNotify || d.trigger != c.trigger || ad.Reason != c.reason || ad.ProcessID != info.ID || !d.msg.Display {
				t.Fatalf("delivery = %+v details %+v", d, ad)
			}
			if c.reason == ReasonFailure && (!strings.Contains(d.msg.Text(), "exit code 3") || !strings.Contains(d.msg.Text(), "boom")) {
				t.Fatalf("failure card text = %q", d.msg.Text())
			}
		})
	}
}

func TestExternalKillAlertsOnlyWithAlertOnKill(t *testing.T) {
	for _, withFlag := range []bool{true, false} {
		t.Run(strconv.FormatBool(withFlag), func(t *testing.T) {
			m, h := newManager(t, nil)
			info := start(t, m, "exec sleep 1000", StartOptions{AlertOnKill: withFlag, AlertOnFailure: true})
			if err := syscall.Kill(info.PID, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			end := h.waitStatus(t, info.ID, Killed)
			if end.ExitCode != nil || *end.Success {
				t.Fatalf("killed info = %+v", end)
			}
			if !withFlag {
				m.work.Wait()
				h.noDelivery(t)
				return
			}
			d := h.waitDelivery(t)
			var ad alertDetails
			details(t, d.msg, &ad)
			if ad.Reason != ReasonKilled || !d.trigger {
				t.Fatalf("alert %+v", ad)
			}
		})
	}
}

// termIgnoring ignores SIGTERM (so do its sleeps, which inherit the
// disposition) and prints a background child's pid.
const termIgnoring = `trap '' TERM; sleep 1000 & echo "child $!"; while :; do sleep 1; done`

func TestKillEscalatesToTerminateTimeoutThenKilled(t *testing.T) {
	m, h := newManager(t, nil)
	info := start(t, m, termIgnoring, StartOptions{AlertOnKill: true, AlertOnFailure: true})
	lines := h.waitLine(t, m, info.ID, "child ")
	child, _ := strconv.Atoi(strings.TrimPrefix(lines[0], "child "))
	got, err := m.Kill(info.ID)
	if err != nil || got.Status != Terminating {
		t.Fatalf("kill = %+v, %v", got, err)
	}
	h.waitStatus(t, info.ID, TerminateTimeout)
	end := h.waitStatus(t, info.ID, Killed)
	if *end.Success {
		t.Fatal("a killed process succeeded")
	}
	waitGone(t, info.PID)
	waitGone(t, child)
	m.work.Wait()
	h.noDelivery(t) // a kill through the tool never alerts
	if again, err := m.Kill(info.ID); err != nil || again.Status != Killed {
		t.Fatalf("second kill = %+v, %v", again, err)
	}
	if _, err := m.Kill("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
}

func TestKillOfCooperativeProcessSkipsTimeout(t *testing.T) {
	m, h := newManager(t, func(o *Options) { o.Grace = time.Minute })
	info := start(t, m, "exec sleep 1000", StartOptions{})
	if _, err := m.Kill(info.ID); err != nil {
		t.Fatal(err)
	}
	end := h.waitStatus(t, info.ID, Killed)
	if end.EndTime == nil {
		t.Fatal("no end time")
	}
	for _, l := range h.lists {
		for _, p := range l {
			if p.Status == TerminateTimeout {
				t.Fatal("terminate_timeout for a process that obeyed SIGTERM")
			}
		}
	}
}

func TestDisposeKillsEverythingAndRemovesLogs(t *testing.T) {
	m, h := newManager(t, nil)
	a := start(t, m, termIgnoring, StartOptions{AlertOnFailure: true, AlertOnKill: true})
	b := start(t, m, "exec sleep 1000", StartOptions{AlertOnFailure: true})
	c := start(t, m, "true", StartOptions{})
	lines := h.waitLine(t, m, a.ID, "child ")
	child, _ := strconv.Atoi(strings.TrimPrefix(lines[0], "child "))
	h.waitStatus(t, c.ID, Exited)
	if _, err := os.Stat(m.o.LogDir); err != nil {
		t.Fatal(err)
	}
	m.Dispose()
	for _, pid := range []int{a.PID, b.PID, child} {
		if alive(pid) {
			t.Errorf("pid %d survived dispose", pid)
		}
	}
	if _, err := os.Stat(m.o.LogDir); !os.IsNotExist(err) {
		t.Fatalf("log dir still there: %v", err)
	}
	h.noDelivery(t)
	if _, err := m.Start("late", "true", StartOptions{}); !errors.Is(err, ErrDisposed) {
		t.Fatalf("start after dispose: %v", err)
	}
}

func TestWatchMatchesOnceUnlessRepeat(t *testing.T) {
	m, h := newManager(t, nil)
	info := start(t, m, `echo booting; echo "ready on 8080"; echo "ready again"; echo warn >&2; sleep 1000`,
		StartOptions{Watches: []Watch{{Pattern: `ready on (\d+)`}, {Pattern: "ready", Stream: Stderr}, {Pattern: "^warn$", Stream: Stderr}}})
	got := map[int]Match{} // by watch index: the two streams are read concurrently
	for len(got) < 2 {
		select {
		case mt := <-h.watches:
			got[mt.Watch.Index] = mt
		case <-time.After(waitLimit):
			t.Fatalf("matches = %+v", got)
		}
	}
	if m0 := got[0]; m0.Line != "ready on 8080" || m0.Source != Stdout || m0.Watch.Stream != Both ||
		m0.ProcessID != info.ID || m0.ProcessName != "job" {
		t.Fatalf("stdout match = %+v", m0)
	}
	if m2 := got[2]; m2.Line != "warn" || m2.Source != Stderr {
		t.Fatalf("stderr match = %+v", m2)
	}
	for range 2 {
		d := h.waitDelivery(t)
		if d.msg.CustomType != CustomWatch || !d.trigger {
			t.Fatalf("watch card = %+v", d)
		}
	}
	if _, err := m.Kill(info.ID); err != nil {
		t.Fatal(err)
	}
	h.waitStatus(t, info.ID, Killed)
	select {
	case mt := <-h.watches:
		t.Fatalf("extra match %+v", mt)
	default:
	}
}

func TestHitsRepeatIsRateLimited(t *testing.T) {
	ws, err := CompileWatches([]Watch{{Pattern: "x", Repeat: true}, {Pattern: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1000, 0)
	if n := len(hits(ws, Stdout, "x", t0)); n != 2 {
		t.Fatalf("first line fired %d watches", n)
	}
	if n := len(hits(ws, Stdout, "x", t0.Add(time.Second))); n != 0 {
		t.Fatalf("within the interval fired %d", n)
	}
	if h := hits(ws, Stdout, "x", t0.Add(repeatInterval)); len(h) != 1 || h[0].Index != 0 {
		t.Fatalf("after the interval: %+v", h)
	}
}

func TestCompileWatchesRefusesBadOnes(t *testing.T) {
	for _, w := range []Watch{{Pattern: " "}, {Pattern: "a(b"}, {Pattern: "a", Stream: "stdin"}, {Pattern: `(?=x)`}} {
		if _, err := CompileWatches([]Watch{{Pattern: "ok"}, w}); err == nil || !strings.Contains(err.Error(), "logWatches[1]") {
			t.Errorf("%+v: %v", w, err)
		}
	}
}

func TestWriteToStdin(t *testing.T) {
	m, h := newManager(t, nil)
	info := start(t, m, `read a; echo "got $a"; cat; echo eof`, StartOptions{})
	if err := m.Write(info.ID, "one\n", false); err != nil {
		t.Fatal(err)
	}
	h.waitLine(t, m, info.ID, "got one")
	if err := m.Write(info.ID, "two\n", true); err != nil {
		t.Fatal(err)
	}
	h.waitStatus(t, info.ID, Exited)
	out, _ := m.Output(info.ID, -1)
	if strings.Join(out.Stdout, "|") != "got one|two|eof" {
		t.Fatalf("stdout = %q", out.Stdout)
	}
	if err := m.Write(info.ID, "x", false); !errors.Is(err, ErrExited) {
		t.Fatalf("after exit: %v", err)
	}
	if err := m.Write("nope", "x", false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	live := start(t, m, "exec sleep 1000", StartOptions{})
	if err := m.Write(live.ID, "", true); err != nil {
		t.Fatal(err)
	}
	if err := m.Write(live.ID, "x", false); !errors.Is(err, ErrStdinClosed) {
		t.Fatalf("closed stdin: %v", err)
	}
}

func TestListClearAndMinimalUI(t *testing.T) {
	m, h := newManager(t, nil)
	a := start(t, m, "true", StartOptions{})
	h.waitStatus(t, a.ID, Exited)
	b := start(t, m, "exec sleep 1000", StartOptions{})
	list := m.List()
	if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
		t.Fatalf("list = %+v", list)
	}
	if n := m.Clear(); n != 1 || len(m.List()) != 1 || m.Running() != 1 {
		t.Fatalf("clear = %d, list %+v", n, m.List())
	}
	min, _ := newManager(t, func(o *Options) { o.MinimalUI = true })
	if _, err := min.Start("x", "true", StartOptions{}); !errors.Is(err, ErrMinimalUI) {
		t.Fatalf("minimal UI start: %v", err)
	}
}

func TestOutputAnnouncementsAreThrottled(t *testing.T) {
	m, h := newManager(t, func(o *Options) { o.OutputInterval = time.Hour })
	info := start(t, m, `for i in $(seq 1 300); do echo $i; done`, StartOptions{})
	h.waitStatus(t, info.ID, Exited)
	if n := len(h.outputs); n != 1 {
		t.Fatalf("%d process_output events within one interval, want 1 (the leading one)", n)
	}
	m2, h2 := newManager(t, func(o *Options) { o.OutputInterval = 30 * time.Millisecond })
	info = start(t, m2, `echo a; echo b; sleep 0.01; echo c`, StartOptions{})
	h2.waitLine(t, m2, info.ID, "c") // the trailing announcement carries the last line
}

func TestStartFailsInMissingDirectory(t *testing.T) {
	m, _ := newManager(t, func(o *Options) { o.Cwd = "/nonexistent/dir" })
	if _, err := m.Start("x", "true", StartOptions{}); err == nil || !strings.Contains(err.Error(), "failed to start") {
		t.Fatalf("err = %v", err)
	}
	if len(m.List()) != 0 {
		t.Fatal("a failed start was recorded")
	}
}
