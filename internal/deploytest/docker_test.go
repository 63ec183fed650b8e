package deploytest

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

type composeFile struct {
	Services map[string]composeService `json:"services"`
}

type composeService struct {
	User        string            `json:"user"`
	Ports       []string          `json:"ports"`
	Volumes     []string          `json:"volumes"`
	Environment map[string]string `json:"environment"`
	CapDrop     []string          `json:"cap_drop"`
	CapAdd      []string          `json:"cap_add"`
	SecurityOpt []string          `json:"security_opt"`
	PidsLimit   int               `json:"pids_limit"`
	MemLimit    string            `json:"mem_limit"`
	Healthcheck struct {
		Test        []string `json:"test"`
		Interval    string   `json:"interval"`
		Timeout     string   `json:"timeout"`
		Retries     int      `json:"retries"`
		StartPeriod string   `json:"start_period"`
	} `json:"healthcheck"`
	Build struct {
		Context    string            `json:"context"`
		Dockerfile string            `json:"dockerfile"`
		Args       map[string]string `json:"args"`
	} `json:"build"`
}

func readCompose(t *testing.T, name string) composeService {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, "docker", name))
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	s, ok := f.Services["pi-forge"]
	if !ok {
		t.Fatalf("%s: no pi-forge service", name)
	}
	return s
}

func TestCompose(t *testing.T) {
	s := readCompose(t, "docker-compose.yml")
	if s.User != "${PUID:-1000}:${PGID:-1000}" {
		t.Errorf("user %q", s.User)
	}
	if len(s.Ports) != 1 || s.Ports[0] != "127.0.0.1:${HOST_PORT:-3000}:3000" {
		t.Errorf("ports %v: loopback only", s.Ports)
	}
	wantVolumes := []string{
		"${WORKSPACE_HOST_PATH:-../workspace}:/workspace",
		"${PI_CONFIG_HOST_PATH:-~/.pi/agent}:/home/pi/.pi/agent",
		"${FORGE_DATA_HOST_PATH:-~/.pi-forge-docker}:/home/pi/.pi-forge",
	}
	if !slices.Equal(s.Volumes, wantVolumes) {
		t.Errorf("volumes %v", s.Volumes)
	}
	if !slices.Equal(s.CapDrop, []string{"ALL"}) || len(s.CapAdd) != 0 || !slices.Contains(s.SecurityOpt, "no-new-privileges:true") {
		t.Errorf("hardening: cap_drop %v cap_add %v security_opt %v", s.CapDrop, s.CapAdd, s.SecurityOpt)
	}
	if s.PidsLimit == 0 || s.MemLimit == "" {
		t.Error("pids and memory limits")
	}
	hc := s.Healthcheck
	if strings.Join(hc.Test, " ") != "CMD /usr/local/bin/pi-forge healthcheck" || hc.Interval != "30s" || hc.Timeout != "5s" || hc.Retries != 3 || hc.StartPeriod != "10s" {
		t.Errorf("healthcheck %+v", hc)
	}
	for k, want := range map[string]string{"HOST": "0.0.0.0", "PORT": "3000", "WORKSPACE_PATH": "/workspace",
		"PI_CONFIG_DIR": "/home/pi/.pi/agent", "FORGE_DATA_DIR": "/home/pi/.pi-forge"} {
		if s.Environment[k] != want {
			t.Errorf("environment %s = %q", k, s.Environment[k])
		}
	}
	if s.Build.Dockerfile != "docker/Dockerfile" || s.Build.Args["PTOOLS_UID"] != "${AGENT_TOOL_UID:-1001}" {
		t.Errorf("build %+v", s.Build)
	}
}

func TestSandboxOverlay(t *testing.T) {
	s := readCompose(t, "docker-compose.sandbox.yml")
	sort.Strings(s.CapAdd)
	if s.User != "0:0" || strings.Join(s.CapAdd, ",") != "CHOWN,KILL,SETGID,SETUID" {
		t.Errorf("sandbox overlay: user %q cap_add %v", s.User, s.CapAdd)
	}
	for k, want := range map[string]string{"AGENT_TOOL_SANDBOX_ENABLED": "${AGENT_TOOL_SANDBOX_ENABLED:-true}",
		"AGENT_TOOL_UID": "${AGENT_TOOL_UID:-1001}", "AGENT_TOOL_GID": "${AGENT_TOOL_GID:-1001}", "AGENT_TOOL_HOME": "/home/pi-tools"} {
		if s.Environment[k] != want {
			t.Errorf("environment %s = %q", k, s.Environment[k])
		}
	}
	// The smoke test must run sandbox mode with exactly these capabilities.
	smoke, err := os.ReadFile(filepath.Join(repo, "scripts", "container-smoke.sh"))
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^start sandbox .*$`).Find(smoke)
	var caps []string
	for _, m := range regexp.MustCompile(`--cap-add (\w+)`).FindAllSubmatch(line, -1) {
		caps = append(caps, string(m[1]))
	}
	sort.Strings(caps)
	if !slices.Equal(caps, s.CapAdd) {
		t.Errorf("smoke test adds %v, the overlay %v", caps, s.CapAdd)
	}
}

func TestEnvExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repo, "docker", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, line := range strings.Split(string(data), "\n") {
		if k, _, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			keys = append(keys, k)
		}
	}
	want := []string{"CONTAINER_NAME", "HOST_PORT", "PUID", "PGID", "WORKSPACE_HOST_PATH", "PI_CONFIG_HOST_PATH",
		"FORGE_DATA_HOST_PATH", "UI_PASSWORD", "API_KEY", "TRUST_PROXY", "LOG_LEVEL"}
	if !slices.Equal(keys, want) {
		t.Errorf(".env.example keys %v, want %v", keys, want)
	}
}

func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repo, "docker", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	for _, want := range []string{
		"ARG GO_IMAGE=golang:1.26-bookworm",
		"ARG RUNTIME_IMAGE=python:3.12-slim-bookworm",
		"ARG PUID=1000", "ARG PGID=1000", "ARG PTOOLS_UID=1001", "ARG PTOOLS_GID=1001",
		"ARG INSTALL_GH=true", "ARG INSTALL_TEA=true", "ARG INSTALL_NODE=false",
		"HEALTHCHECK --interval=30s --timeout=5s --retries=3 --start-period=10s",
		`CMD ["/usr/local/bin/pi-forge", "healthcheck"]`,
		`ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/pi-forge-entrypoint"]`,
		"HOST=0.0.0.0", "PORT=3000", "HOME=/home/pi", "WORKSPACE_PATH=/workspace",
		"PI_CONFIG_DIR=/home/pi/.pi/agent", "FORGE_DATA_DIR=/home/pi/.pi-forge",
		"PYTHONUSERBASE=/home/pi/.local", "PATH=/home/pi/.local/bin:", "SHELL=/bin/bash",
		"CGO_ENABLED=0", "USER root",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	for _, pkg := range []string{"tini", "gosu", "git", "ripgrep", "bash", "curl", "ca-certificates", "less", "procps", "vim", "make", "g++"} {
		if !regexp.MustCompile(`apt-get install[^;]*\s` + regexp.QuoteMeta(pkg) + `\s`).MatchString(df) {
			t.Errorf("runtime packages lack %s", pkg)
		}
	}
	for _, arch := range []string{"AMD64", "ARM64", "ARMHF"} {
		if !regexp.MustCompile(`ARG TEA_SHA256_` + arch + `=[0-9a-f]{64}\n`).MatchString(df) {
			t.Errorf("tea is not pinned for %s", arch)
		}
	}
}
