package piconfig

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/testutil/picli"
)

// piEnv runs the real pi CLI against a temp agent dir, with a home and a
// working directory of its own and no network start-up work.
type piEnv struct {
	cli      picli.CLI
	agentDir string
	home     string
	cwd      string
}

func newPiEnv(t *testing.T) *piEnv {
	t.Helper()
	root := t.TempDir()
	p := &piEnv{
		cli:      picli.Find(t),
		agentDir: filepath.Join(root, "agent"),
		home:     filepath.Join(root, "home"),
		cwd:      filepath.Join(root, "work"),
	}
	for _, d := range []string{p.agentDir, p.home, p.cwd} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// config is pi-forge's view of the same agent dir.
func (p *piEnv) config(env Environ) *Config {
	if env == nil {
		env = Environ{}
	}
	return New(Options{AgentDir: p.agentDir, Env: env})
}

// piDir is the installed pi-coding-agent package.
func (p *piEnv) piDir() string { return filepath.Dir(filepath.Dir(p.cli.Script)) }

// modulesDir is the node_modules pi runs from.
func (p *piEnv) modulesDir() string { return filepath.Dir(filepath.Dir(p.piDir())) }

func (p *piEnv) environ(extra Environ) []string {
	env := Environ{
		"PATH":                  os.Getenv("PATH"),
		"HOME":                  p.home,
		"PI_CODING_AGENT_DIR":   p.agentDir,
		"PI_OFFLINE":            "1",
		"PI_SKIP_VERSION_CHECK": "1",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env.List()
}

// run runs pi with args and returns its stdout and stderr.
func (p *piEnv) run(t *testing.T, extra Environ, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := rebind(ctx, p.cli.Command(args...).Args)
	cmd.Dir, cmd.Env = p.cwd, p.environ(extra)
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pi %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out, errBuf.String())
	}
	return string(out), errBuf.String()
}

// node runs a testdata script with pi's Node.
func (p *piEnv) node(ctx context.Context, script string, args ...string) *exec.Cmd {
	cmd := rebind(ctx, append([]string{p.cli.Node, filepath.Join("testdata", script)}, args...))
	cmd.Env = p.environ(nil)
	return cmd
}

// rebind makes argv (from picli, which has no context) cancellable.
func rebind(ctx context.Context, argv []string) *exec.Cmd {
	return exec.CommandContext(ctx, argv[0], argv[1:]...)
}

// rpcResponse is one response line of pi's RPC mode.
type rpcResponse struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Success bool            `json:"success"`
	Error   string          `json:"error"`
	Data    json.RawMessage `json:"data"`
}

// rpc sends commands to `pi --mode rpc` and returns the response to each, in
// order, after every one has been answered.
func (p *piEnv) rpc(t *testing.T, extra Environ, commands ...map[string]any) []rpcResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := rebind(ctx, append(p.cli.Command().Args, "--mode", "rpc", "--no-session"))
	cmd.Dir, cmd.Env = p.cwd, p.environ(extra)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Wait() }()
	defer stdin.Close()
	enc := json.NewEncoder(stdin)
	responses := make([]rpcResponse, len(commands))
	scanner := bufio.NewScanner(stdout)
	scanner.Buffer(make([]byte, 1<<20), 16<<20)
	// One command at a time: pi answers in order, and waiting for each
	// answer keeps a command from racing the previous one's side effects.
	for i, c := range commands {
		c["id"] = string(rune('a' + i))
		if err := enc.Encode(c); err != nil {
			t.Fatal(err)
		}
		for {
			if !scanner.Scan() {
				t.Fatalf("pi exited before answering %v: %v\nstderr: %s", c, scanner.Err(), stderr.String())
			}
			var r rpcResponse
			if json.Unmarshal(scanner.Bytes(), &r) == nil && r.Type == "response" && r.ID == c["id"] {
				if !r.Success {
					t.Fatalf("pi rejected %v: %s", c, r.Error)
				}
				responses[i] = r
				break
			}
		}
	}
	return responses
}
