package proc

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var serverEnv = []string{
	"PATH=/usr/local/bin:/usr/bin:/bin",
	"HOME=/root",
	"USER=root",
	"LANG=C.UTF-8",
	"LC_ALL=C.UTF-8",
	"PWD=/srv/server",
	"API_KEY=forge-api-key",
	"UI_PASSWORD=hunter2",
	"JWT_SECRET=jwt",
	"LDAP_BIND_PASSWORD=ldap",
	"ANTHROPIC_API_KEY=sk-ant",
	"OPENAI_API_KEY=sk-oai",
	"MY_PASSTHROUGH=yes",
	"OTHER=no",
}

func newLauncher(t *testing.T, cfg Config) *Launcher {
	t.Helper()
	if cfg.ServerEnv == nil {
		cfg.ServerEnv = serverEnv
	}
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// childEnv runs `env` as kind and returns its variables.
func childEnv(t *testing.T, l *Launcher, kind Kind) map[string]string {
	t.Helper()
	dir := worldDir(t)
	cmd, err := l.Command(context.Background(), Spec{Kind: kind, Path: "/usr/bin/env", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("env: %v", err)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, _ := strings.Cut(line, "=")
		got[k] = v
	}
	return got
}

func TestShellChildGetsAllowlistEnv(t *testing.T) {
	l := newLauncher(t, Config{
		PassthroughEnv: []string{"MY_PASSTHROUGH"},
		ToolEnv:        func() map[string]string { return map[string]string{"TOOL_VAR": "t"} },
	})
	env := childEnv(t, l, KindShell)
	for _, secret := range []string{"API_KEY", "UI_PASSWORD", "JWT_SECRET", "LDAP_BIND_PASSWORD", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OTHER"} {
		if _, ok := env[secret]; ok {
			t.Errorf("%s leaked into a shell child", secret)
		}
	}
	want := map[string]string{
		"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8",
		"LC_ALL": "C.UTF-8", "MY_PASSTHROUGH": "yes", "TOOL_VAR": "t",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if env[MarkerEnv] == "" {
		t.Errorf("spawn marker missing")
	}
	if env["PWD"] == "/srv/server" {
		t.Errorf("PWD is the server's, not the child's directory")
	}
}

func TestAgentBashInheritsServerEnvWithoutSandbox(t *testing.T) {
	l := newLauncher(t, Config{ToolEnv: func() map[string]string { return map[string]string{"TOOL_VAR": "t"} }})
	env := childEnv(t, l, KindAgentBash)
	for _, k := range []string{"API_KEY", "ANTHROPIC_API_KEY", "OTHER", "TOOL_VAR"} {
		if env[k] == "" {
			t.Errorf("%s missing from agent bash env (sandbox off inherits everything)", k)
		}
	}
}

func TestAgentBashIsScrubbedInSandbox(t *testing.T) {
	l := newLauncher(t, Config{Sandbox: &Identity{UID: 1001, GID: 1001, Home: "/home/pi-tools"}})
	env := childEnv(t, l, KindAgentBash)
	for _, k := range []string{"API_KEY", "ANTHROPIC_API_KEY", "OTHER"} {
		if _, ok := env[k]; ok {
			t.Errorf("%s leaked into sandboxed agent bash", k)
		}
	}
	if env["HOME"] != "/home/pi-tools" || env["USER"] != "pi-tools" || env["LOGNAME"] != "pi-tools" {
		t.Errorf("identity env = HOME=%q USER=%q LOGNAME=%q", env["HOME"], env["USER"], env["LOGNAME"])
	}
}

func TestHelperLosesOnlyForgeSecrets(t *testing.T) {
	l := newLauncher(t, Config{})
	env := childEnv(t, l, KindHelper)
	for _, k := range DefaultHelperSecrets {
		if _, ok := env[k]; ok {
			t.Errorf("%s leaked into a helper", k)
		}
	}
	if env["OTHER"] != "no" || env["PWD"] != "/srv/server" {
		t.Errorf("helper env lost server variables: %v", env)
	}
}

func TestSpecEnvAndPathPrepend(t *testing.T) {
	l := newLauncher(t, Config{})
	cmd, err := l.Command(context.Background(), Spec{
		Kind: KindShell, Path: "/bin/sh", Args: []string{"-c", `printf '%s|%s' "$PATH" "$TERM"`},
		PathPrepend: []string{"/opt/agent/bin", "/usr/bin"},
		Env:         map[string]string{"TERM": "xterm-256color"},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), "/opt/agent/bin:/usr/bin:/usr/local/bin:/bin|xterm-256color"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParsePassthrough(t *testing.T) {
	got, err := ParsePassthrough(" FOO, BAR\tBAZ_1,,")
	if err != nil || strings.Join(got, ",") != "FOO,BAR,BAZ_1" {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := ParsePassthrough("OK,1BAD"); err == nil {
		t.Error("invalid name accepted")
	}
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test switches identity and must run as root (as CI does)")
	}
}

// worldDir returns a temp dir another uid can enter.
func worldDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSandboxIdentitySwitch(t *testing.T) {
	requireRoot(t)
	dir := worldDir(t)
	secret := filepath.Join(dir, "jwt-secret")
	if err := os.WriteFile(secret, []byte("s3cret"), 0o600); err != nil {
		t.Fatal(err)
	}
	l := newLauncher(t, Config{Sandbox: &Identity{UID: 1001, GID: 1001, Home: "/home/pi-tools"}})
	script := `id -u; id -g; id -G; cat ` + secret + ` 2>/dev/null && echo READ || echo DENIED`
	for _, kind := range []Kind{KindShell, KindAgentBash} {
		cmd, err := l.Command(context.Background(), Spec{Kind: kind, Path: "/bin/sh", Args: []string{"-c", script}, Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v", kind, err)
		}
		if got, want := string(out), "1001\n1001\n1001\nDENIED\n"; got != want {
			t.Errorf("%v: got %q, want %q", kind, got, want)
		}
	}
	// Helpers keep the server's identity.
	cmd, err := l.Command(context.Background(), Spec{Kind: KindHelper, Path: "/bin/cat", Args: []string{secret}})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := cmd.Output(); err != nil || string(out) != "s3cret" {
		t.Errorf("helper: %q, %v", out, err)
	}
}

// alive reports whether pid is a running (non-zombie) process.
func alive(pid int) bool {
	p, ok := readStat(pid)
	return ok && p.state != 'Z' && p.state != 'X'
}

// startTree starts script under l and waits until it printed "ready". The
// script writes the pids it spawns into pids/ inside dir.
func startTree(ctx context.Context, t *testing.T, l *Launcher, kind Kind, script string) (*exec.Cmd, string) {
	t.Helper()
	dir := worldDir(t)
	pidDir := filepath.Join(dir, "pids")
	if err := os.Mkdir(pidDir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(pidDir, 0o777); err != nil { // past the umask: sandboxed scripts write here
		t.Fatal(err)
	}
	cmd, err := l.Command(ctx, Spec{Kind: kind, Path: "/bin/sh", Args: []string{"-c", script}, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	if err != nil || line != "ready\n" {
		t.Fatalf("waiting for ready: %q %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	return cmd, dir
}

// pidsIn reads every pid file the script wrote.
func pidsIn(t *testing.T, dir string) []int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "pids"))
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, "pids", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatalf("pid file %s: %q", e.Name(), b)
		}
		pids = append(pids, pid)
	}
	return pids
}

// escapingScript backgrounds a sleep, starts a setsid'd child that forks
// its own sleep, and double-forks a setsid'd daemon whose parent exits at
// once, then reports ready and waits.
const escapingScript = `
sleep 300 & echo $! > pids/.bg; mv pids/.bg pids/bg
setsid sh -c 'echo $$ > pids/.s; mv pids/.s pids/sess; sleep 301 & echo $! > pids/.c; mv pids/.c pids/sesschild; wait' &
( setsid sh -c 'echo $$ > pids/.d; mv pids/.d pids/daemon; exec sleep 302' & )
n=0; while [ $(ls pids | wc -l) -lt 4 ] && [ $n -lt 500 ]; do sleep 0.01; n=$((n+1)); done
echo ready
wait
`

func TestAbortKillsEscapedDescendants(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   Config
		grace time.Duration
	}{
		{"sigkill", Config{}, 0},
		{"grace", Config{KillGrace: 200 * time.Millisecond}, 200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLauncher(t, tc.cfg)
			ctx, cancel := context.WithCancel(context.Background())
			cmd, dir := startTree(ctx, t, l, KindShell, escapingScript)
			pids := pidsIn(t, dir)
			if len(pids) != 4 {
				t.Fatalf("want 4 pids, got %v", pids)
			}
			for _, pid := range pids {
				if !alive(pid) {
					t.Fatalf("pid %d not running before abort", pid)
				}
			}
			cancel()
			_ = cmd.Wait()
			for _, pid := range pids {
				if alive(pid) {
					t.Errorf("pid %d survived the abort", pid)
				}
			}
		})
	}
}

func TestAbortKillsSandboxedTree(t *testing.T) {
	requireRoot(t)
	l := newLauncher(t, Config{Sandbox: &Identity{UID: 1001, GID: 1001, Home: "/tmp"}})
	ctx, cancel := context.WithCancel(context.Background())
	cmd, dir := startTree(ctx, t, l, KindAgentBash, escapingScript)
	pids := pidsIn(t, dir)
	cancel()
	_ = cmd.Wait()
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("pid %d survived the abort", pid)
		}
	}
}

func TestGraceLetsChildCleanUp(t *testing.T) {
	l := newLauncher(t, Config{KillGrace: 5 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	cmd, err := l.Command(ctx, Spec{Kind: KindShell, Path: "/bin/sh", Dir: dir, Args: []string{"-c",
		`trap 'echo cleaned > cleanup; exit 0' TERM; echo ready; while :; do sleep 0.05; done`}})
	if err != nil {
		t.Fatal(err)
	}
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("ready: %q %v", line, err)
	}
	cancel()
	_ = cmd.Wait()
	if b, err := os.ReadFile(filepath.Join(dir, "cleanup")); err != nil || string(b) != "cleaned\n" {
		t.Errorf("SIGTERM handler did not run: %q %v", b, err)
	}
}

func TestKillAfterExitTakesLeftovers(t *testing.T) {
	l := newLauncher(t, Config{})
	dir := t.TempDir()
	cmd, err := l.Command(context.Background(), Spec{Kind: KindShell, Path: "/bin/sh", Dir: dir, Args: []string{"-c",
		`( setsid sh -c 'echo $$ > .d; mv .d daemon; exec sleep 303' & ); while [ ! -e daemon ]; do sleep 0.01; done`}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "daemon"))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if !alive(pid) {
		t.Fatalf("daemon %d not running after its shell exited", pid)
	}
	l.Kill(cmd)
	if alive(pid) {
		t.Errorf("daemon %d survived Kill", pid)
	}
}

func TestShutdownKillsEveryChild(t *testing.T) {
	l := newLauncher(t, Config{})
	ctx := context.Background()
	cmd, dir := startTree(ctx, t, l, KindShell, escapingScript)
	pids := pidsIn(t, dir)
	l.Shutdown()
	_ = cmd.Wait()
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("pid %d survived Shutdown", pid)
		}
	}
}

func TestTerminalChildWorksWithPTY(t *testing.T) {
	l := newLauncher(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	cmd, err := l.Command(ctx, Spec{Kind: KindShell, Terminal: true, Path: "/bin/sh", Dir: dir,
		Args: []string{"-c", `tty; sleep 300 & echo $! > bg; echo ready; wait`}})
	if err != nil {
		t.Fatal(err)
	}
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	r := bufio.NewReader(tty)
	var lines []string
	for len(lines) == 0 || lines[len(lines)-1] != "ready" {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading pty: %v (so far %q)", err, lines)
		}
		lines = append(lines, strings.TrimRight(line, "\r\n"))
	}
	if !strings.HasPrefix(lines[0], "/dev/pts/") {
		t.Errorf("child has no controlling terminal: %q", lines)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "bg"))
	bg, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	go func() { _, _ = io.Copy(io.Discard, r) }()
	cancel()
	_ = cmd.Wait()
	if bg == 0 || alive(bg) {
		t.Errorf("background job %d of the terminal survived", bg)
	}
}
