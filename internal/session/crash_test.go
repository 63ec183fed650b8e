package session

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	crashDirEnv        = "SESSION_CRASH_CHILD_DIR"
	maxCrashChildLines = 2000
)

// TestHelperCrashChild is not a test: TestKill9MidAppend runs the test
// binary with crashDirEnv set, and this function then appends large
// messages until it is killed. It stops by itself after maxCrashChildLines so
// a parent that dies before sending SIGKILL cannot leave it filling memory
// and disk.
func TestHelperCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		return
	}
	st := NewStore(Options{SessionDir: dir, Sync: SyncNever})
	s, err := st.Create("proj", "/p", CreateOptions{})
	if err != nil {
		os.Exit(2)
	}
	big := strings.Repeat("0123456789abcdef", 4<<10) // 64 KiB: a write spans many pages
	for i := int64(0); i < maxCrashChildLines/2; i++ {
		if _, err := s.AppendMessage(userMsg(big, i)); err != nil {
			os.Exit(3)
		}
		if _, err := s.AppendMessage(assistantMsg(big, i)); err != nil {
			os.Exit(3)
		}
	}
	os.Exit(4)
}

// TestKill9MidAppend kills a process while it appends and checks that the
// file still opens with every whole entry, in one parent chain, and that
// appending afterwards leaves a valid file.
func TestKill9MidAppend(t *testing.T) {
	dir := t.TempDir()
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCrashChild$")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		path := waitForLines(t, filepath.Join(dir, "proj"), 20+round*7)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()

		data := readFile(t, path)
		whole := bytes.Count(data, []byte("\n"))
		t.Logf("round %d: killed with %d whole lines, torn tail %v", round, whole, !bytes.HasSuffix(data, []byte("\n")))
		st := NewStore(Options{SessionDir: dir})
		s := must[*Session](t)(st.Open(path))
		es := s.Entries()
		if len(es) != whole-1 {
			t.Fatalf("round %d: %d entries from %d whole lines (header included)", round, len(es), whole)
		}
		for i, e := range es {
			if i > 0 && e.ParentID != es[i-1].ID {
				t.Fatalf("round %d: entry %d parent %s, want %s", round, i, e.ParentID, es[i-1].ID)
			}
		}
		must[string](t)(s.AppendThinkingLevelChange("low"))
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		after := readFile(t, path)
		for i, line := range bytes.Split(bytes.TrimSuffix(after, []byte("\n")), []byte("\n")) {
			if !json.Valid(line) {
				t.Fatalf("round %d: line %d is not JSON after the repair: %.80s", round, i, line)
			}
		}
		if n := len(must[*Session](t)(st.Open(path)).Entries()); n != len(es)+1 {
			t.Fatalf("round %d: %d entries after append, want %d", round, n, len(es)+1)
		}
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	}
}

// waitForLines polls (there is no event to wait on across processes) until
// the one session file in dir holds at least n lines.
func waitForLines(t *testing.T, dir string, n int) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
		if len(files) == 1 {
			if data, err := os.ReadFile(files[0]); err == nil && bytes.Count(data, []byte("\n")) >= n {
				return files[0]
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("child wrote fewer than %d lines in 30 s", n)
	return ""
}
