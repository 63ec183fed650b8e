package piconfig

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestResolve(t *testing.T) {
	env := Environ{"MY_KEY": "from-env", "EMPTY": "", "PATH": os.Getenv("PATH")}
	tests := []struct {
		name, value, want string
		ok                bool
	}{
		{"literal", "sk-literal", "sk-literal", true},
		{"env name", "MY_KEY", "from-env", true},
		{"empty env var is a literal", "EMPTY", "EMPTY", true},
		{"no $VAR syntax", "$MY_KEY", "$MY_KEY", true},
		{"command output trimmed", "!printf '  sk-cmd\\n\\n'", "sk-cmd", true},
		{"command sees the injected env", "!printf %s \"$MY_KEY\"", "from-env", true},
		{"command failing", "!echo partial; exit 3", "", false},
		{"command printing nothing", "!true", "", false},
		{"command not found", "!/no/such/binary", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewResolver(env, nil)
			for _, fresh := range []bool{false, true} {
				resolve := r.Resolve
				if fresh {
					resolve = r.ResolveFresh
				}
				got, ok := resolve(context.Background(), tt.value)
				if got != tt.want || ok != tt.ok {
					t.Errorf("fresh=%v: got (%q, %v), want (%q, %v)", fresh, got, ok, tt.want, tt.ok)
				}
			}
		})
	}
}

func TestResolveCachesCommandsResolveFreshDoesNot(t *testing.T) {
	counter := filepath.Join(t.TempDir(), "runs")
	cmd := "!echo x >> " + counter + "; echo key-$(wc -l < " + counter + ")"
	r := NewResolver(Environ{"PATH": os.Getenv("PATH")}, nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if v, ok := r.Resolve(ctx, cmd); !ok || v != "key-1" {
				t.Errorf("cached Resolve = %q %v", v, ok)
			}
		})
	}
	wg.Wait()
	if v, _ := r.ResolveFresh(ctx, cmd); v != "key-2" {
		t.Errorf("ResolveFresh = %q, want a second run", v)
	}
	if v, _ := r.ResolveFresh(ctx, cmd); v != "key-3" {
		t.Errorf("ResolveFresh = %q, want a third run", v)
	}
	if v, _ := r.Resolve(ctx, cmd); v != "key-1" {
		t.Errorf("Resolve after fresh runs = %q, want the cached value", v)
	}
}

func TestResolveCommandTimeout(t *testing.T) {
	var deadline time.Time
	run := func(ctx context.Context, command string, env []string) ([]byte, error) {
		deadline, _ = ctx.Deadline()
		<-ctx.Done()
		return nil, ctx.Err()
	}
	r := NewResolver(Environ{}, run)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, ok := r.Resolve(ctx, "!sleep 100"); ok {
		t.Fatal("timed-out command resolved")
	}
	if deadline.IsZero() || time.Until(deadline) > CommandTimeout {
		t.Errorf("command deadline %v is not bounded by %v", deadline, CommandTimeout)
	}
	// A cancelled caller is no verdict on the command: it runs again.
	calls := 0
	r.run = func(context.Context, string, []string) ([]byte, error) { calls++; return []byte("late-key"), nil }
	if v, ok := r.Resolve(context.Background(), "!sleep 100"); !ok || v != "late-key" || calls != 1 {
		t.Errorf("after cancellation: %q %v calls=%d", v, ok, calls)
	}
}

func TestRunShellKillsTheProcessGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := RunShell(ctx, "sleep 30 & echo $! > "+pidFile+"; wait", []string{"PATH=" + os.Getenv("PATH")})
	if err == nil {
		t.Fatal("want an error from a killed command")
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatal("the command's background child survived the timeout")
		}
		time.Sleep(20 * time.Millisecond) // no event tells when a killed process is reaped
	}
}

func TestEnvironFromList(t *testing.T) {
	e := EnvironFromList([]string{"A=1", "B=x=y", "bogus", "=nokey", "C="})
	if e.Get("A") != "1" || e.Get("B") != "x=y" || e.Get("C") != "" || len(e) != 3 {
		t.Errorf("got %v", e)
	}
	if got := strings.Join(e.List(), ","); got != "A=1,B=x=y,C=" {
		t.Errorf("List = %s", got)
	}
}
