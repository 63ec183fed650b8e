package sandbox

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestToolEnvValidation(t *testing.T) {
	many := map[string]string{}
	for i := range MaxToolEnvVars + 1 {
		many["V"+strings.Repeat("X", i)] = "1"
	}
	bad := map[string]map[string]string{
		"digit first": {"1ABC": "x"},
		"dash":        {"MY-VAR": "x"},
		"empty name":  {"": "x"},
		"equals":      {"A=B": "x"},
		"too long":    {"BIG": strings.Repeat("a", MaxToolEnvValue+1)},
		"NUL":         {"NUL": "a\x00b"},
		"too many":    many,
	}
	for name, env := range bad {
		if err := ValidateToolEnv(env); !errors.Is(err, ErrInvalidSettings) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	delete(many, "V")
	good := []map[string]string{nil, {}, many, {"_A1": "", "GH_TOKEN": strings.Repeat("a", MaxToolEnvValue)}}
	for _, env := range good {
		if err := ValidateToolEnv(env); err != nil {
			t.Errorf("%d vars: %v", len(env), err)
		}
	}
}

func TestStorePersistsAndReachesChildren(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, SettingsFile)
	log := slog.New(slog.DiscardHandler)
	s, err := OpenStore(path, log)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.ToolEnv()) != 0 {
		t.Fatal("a missing file must mean no tool env")
	}
	if err := s.SetToolEnv(map[string]string{"GH_TOKEN": "ghp_x", "NPM_CONFIG_REGISTRY": "http://r"}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("settings file: %v %v", fi, err)
	}
	if err := s.SetToolEnv(map[string]string{"bad-name": "x"}); err == nil {
		t.Fatal("invalid env accepted")
	}
	reopened, err := OpenStore(path, log)
	if err != nil || reopened.ToolEnv()["GH_TOKEN"] != "ghp_x" || len(reopened.ToolEnv()) != 2 {
		t.Fatalf("reopened: %v %v", reopened.ToolEnv(), err)
	}

	// Values reach the next child through proc, in a sandbox or not.
	l := newLayout(t)
	opts := l.options()
	opts.Enabled = false
	set := toolSet(t, l, New(opts), reopened)
	out, err := call(t, set, "bash", map[string]any{"command": "echo $GH_TOKEN"})
	if err != nil || out != "ghp_x\n" {
		t.Errorf("tool env not in the child: %v %q", err, out)
	}
	if err := reopened.SetToolEnv(map[string]string{"GH_TOKEN": "ghp_y"}); err != nil {
		t.Fatal(err)
	}
	if out, _ := call(t, set, "bash", map[string]any{"command": "echo $GH_TOKEN"}); out != "ghp_y\n" {
		t.Errorf("a changed tool env must reach the next child: %q", out)
	}
}

func TestStoreIgnoresBrokenFiles(t *testing.T) {
	for name, content := range map[string]string{
		"not JSON":    "{",
		"bad name":    `{"toolEnv":{"1X":"a"}}`,
		"wrong shape": `{"toolEnv":["a"]}`,
	} {
		path := filepath.Join(t.TempDir(), SettingsFile)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := OpenStore(path, slog.New(slog.DiscardHandler))
		if err != nil || len(s.ToolEnv()) != 0 {
			t.Errorf("%s: %v %v", name, s, err)
		}
	}
}
