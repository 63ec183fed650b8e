package deploytest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// loadProject loads compose files the way `docker compose -f ... config`
// does: validated against the Compose specification's JSON schema, with
// variables interpolated from env and later files merged over earlier ones.
func loadProject(t *testing.T, env map[string]string, files ...string) *types.Project {
	t.Helper()
	details := types.ConfigDetails{WorkingDir: filepath.Join(repo, "docker"), Environment: env}
	for _, f := range files {
		details.ConfigFiles = append(details.ConfigFiles, types.ConfigFile{Filename: filepath.Join(repo, "docker", f)})
	}
	p, err := loader.LoadWithContext(t.Context(), details, func(o *loader.Options) {
		o.SetProjectName("pi-forge", true)
		o.ResolvePaths = true
	})
	if err != nil {
		t.Fatalf("compose %v: %v", files, err)
	}
	return p
}

func TestComposeFilesMatchTheSpecification(t *testing.T) {
	home, err := os.UserHomeDir() // compose expands ~ with the process's home
	if err != nil {
		t.Fatal(err)
	}
	p := loadProject(t, map[string]string{"HOME": home}, "docker-compose.yml")
	s, err := p.GetService("pi-forge")
	if err != nil {
		t.Fatal(err)
	}
	if s.User != "1000:1000" || len(s.Ports) != 1 || s.Ports[0].HostIP != "127.0.0.1" || s.Ports[0].Published != "3000" || s.Ports[0].Target != 3000 {
		t.Errorf("defaults: user %q ports %+v", s.User, s.Ports)
	}
	var sources []string
	for _, v := range s.Volumes {
		sources = append(sources, v.Source+" -> "+v.Target)
	}
	want := []string{
		filepath.Join(repo, "workspace") + " -> /workspace",
		filepath.Join(home, ".pi", "agent") + " -> /home/pi/.pi/agent",
		filepath.Join(home, ".pi-forge-docker") + " -> /home/pi/.pi-forge",
	}
	for i := range want {
		want[i], _ = filepath.Abs(want[i])
		if i < len(sources) {
			sources[i] = absSource(sources[i])
		}
	}
	if !slices.Equal(sources, want) {
		t.Errorf("volumes %v, want %v", sources, want)
	}
	if s.HealthCheck == nil || s.HealthCheck.Retries == nil || *s.HealthCheck.Retries != 3 {
		t.Errorf("healthcheck %+v", s.HealthCheck)
	}

	// .env values reach the same fields.
	p = loadProject(t, map[string]string{"HOME": home, "PUID": "1234", "PGID": "99", "HOST_PORT": "8080"}, "docker-compose.yml")
	s, _ = p.GetService("pi-forge")
	if s.User != "1234:99" || s.Ports[0].Published != "8080" || *s.Build.Args["PUID"] != "1234" {
		t.Errorf("from .env: user %q port %s", s.User, s.Ports[0].Published)
	}

	// The sandbox overlay merges over the base.
	p = loadProject(t, map[string]string{"HOME": home}, "docker-compose.yml", "docker-compose.sandbox.yml")
	s, _ = p.GetService("pi-forge")
	caps := append([]string(nil), s.CapAdd...)
	slices.Sort(caps)
	if s.User != "0:0" || !slices.Equal(caps, []string{"CHOWN", "KILL", "SETGID", "SETUID"}) || !slices.Equal(s.CapDrop, []string{"ALL"}) ||
		*s.Environment["AGENT_TOOL_SANDBOX_ENABLED"] != "true" || *s.Environment["WORKSPACE_PATH"] != "/workspace" {
		t.Errorf("merged sandbox service: user %q cap_add %v cap_drop %v env %v", s.User, s.CapAdd, s.CapDrop, s.Environment)
	}
}

// absSource makes the source half of "src -> dst" absolute.
func absSource(s string) string {
	src, dst, _ := cutArrow(s)
	abs, _ := filepath.Abs(src)
	return abs + " -> " + dst
}

func cutArrow(s string) (string, string, bool) {
	for i := 0; i+4 <= len(s); i++ {
		if s[i:i+4] == " -> " {
			return s[:i], s[i+4:], true
		}
	}
	return s, "", false
}
