package gitx

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/proc"
	"go.uber.org/goleak"
)

// TestMain isolates every git the tests run from the machine's config.
func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "gitx-home")
	if err != nil {
		panic(err)
	}
	os.Setenv("HOME", home)
	os.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, ".gitconfig"))
	os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	os.Setenv("GIT_AUTHOR_NAME", "Test")
	os.Setenv("GIT_AUTHOR_EMAIL", "test@example.com")
	os.Setenv("GIT_COMMITTER_NAME", "Test")
	os.Setenv("GIT_COMMITTER_EMAIL", "test@example.com")
	l, err := proc.New(proc.Config{ServerEnv: os.Environ()})
	if err != nil {
		panic(err)
	}
	launcher = l
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.RemoveAll(home)
	os.Exit(code)
}

var (
	ctx      = context.Background()
	launcher *proc.Launcher // every git the package under test starts goes through it
)

// sh runs git directly (not through the package under test) to arrange
// fixtures, failing the test on error.
func sh(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func tempDir(t testing.TB) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// newRepo makes a repository on main with one commit holding files.
func newRepo(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := tempDir(t)
	sh(t, dir, "init", "-q", "--initial-branch=main")
	write(t, dir, files)
	sh(t, dir, "add", "-A")
	sh(t, dir, "commit", "-q", "--allow-empty", "-m", "initial")
	return dir
}

func write(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func wantCode(t *testing.T, err error, code Code) {
	t.Helper()
	if got := CodeOf(err); got != code {
		t.Fatalf("got %v (code %q), want code %q", err, got, code)
	}
}

func lines(n int, prefix string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(prefix)
		b.WriteString(" line ")
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString("\n")
	}
	return b.String()
}
