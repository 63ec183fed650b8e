package proc

import (
	"context"
	"strings"
	"testing"
)

// TestMCPChildGetsAllowlistAndItsOwnEnvOnly: a stdio MCP server sees the
// allowlist and its config's env, never the server's secrets, the
// passthrough names or the sandbox toolEnv (those are for shells).
func TestMCPChildGetsAllowlistAndItsOwnEnvOnly(t *testing.T) {
	l := newLauncher(t, Config{
		PassthroughEnv: []string{"MY_PASSTHROUGH"},
		ToolEnv:        func() map[string]string { return map[string]string{"TOOL_VAR": "t"} },
	})
	cmd, err := l.Command(context.Background(), Spec{Kind: KindMCP, Path: "/usr/bin/env", Dir: worldDir(t),
		Env: map[string]string{"SERVER_TOKEN": "from-config", "LANG": "de_DE.UTF-8"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, _ := strings.Cut(line, "=")
		env[k] = v
	}
	for _, k := range []string{"API_KEY", "UI_PASSWORD", "ANTHROPIC_API_KEY", "OTHER", "MY_PASSTHROUGH", "TOOL_VAR"} {
		if _, ok := env[k]; ok {
			t.Errorf("%s reached an MCP child", k)
		}
	}
	want := map[string]string{"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "LC_ALL": "C.UTF-8",
		"SERVER_TOKEN": "from-config", "LANG": "de_DE.UTF-8"}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if KindMCP.String() != "mcp" {
		t.Errorf("String() = %q", KindMCP.String())
	}
}

func TestMCPChildTakesSandboxIdentityEnv(t *testing.T) {
	l := newLauncher(t, Config{Sandbox: &Identity{UID: 1001, GID: 1001, Home: "/home/pi-tools"}})
	attr := l.sysProcAttr(Spec{Kind: KindMCP})
	if attr.Credential == nil || attr.Credential.Uid != 1001 {
		t.Fatalf("credential = %+v, want the tool identity", attr.Credential)
	}
	env, err := l.environment(Spec{Kind: KindMCP}, "m")
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(env, "\n") + "\n"
	for _, kv := range []string{"HOME=/home/pi-tools", "USER=pi-tools", "LOGNAME=pi-tools"} {
		if !strings.Contains(joined, kv+"\n") {
			t.Errorf("missing %s in %q", kv, joined)
		}
	}
}
