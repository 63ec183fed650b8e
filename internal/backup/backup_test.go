package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/piconfig"
)

func TestStamp(t *testing.T) {
	at := time.Date(2026, 7, 22, 10, 11, 12, 123_456_789, time.FixedZone("x", 3600))
	if got := Stamp(at); got != "2026-07-22T09-11-12-123Z" {
		t.Errorf("Stamp = %s", got)
	}
}

func TestLimitReader(t *testing.T) {
	data := strings.Repeat("x", 100)
	if got, err := io.ReadAll(LimitReader(strings.NewReader(data), 100)); err != nil || len(got) != 100 {
		t.Errorf("at the limit: %d %v", len(got), err)
	}
	if _, err := io.ReadAll(LimitReader(strings.NewReader(data), 99)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := io.ReadAll(LimitReader(strings.NewReader(""), 0)); err != nil {
		t.Errorf("empty: %v", err)
	}
}

func TestCleanRel(t *testing.T) {
	for name, want := range map[string]string{
		"a/b.md": "a/b.md", "./a/./b.md": "a/b.md", "a//b/": "a/b", "": "", ".": "", "./": "", "a/b/../": "!",
		"..": "!", "../a": "!", "a/../../b": "!", "/etc/passwd": "!", `a\b`: "!", "a\x00b": "!", "...": "...", "..a/b": "..a/b",
	} {
		got, ok := cleanRel(name)
		if !ok {
			got = "!"
		}
		if got != want {
			t.Errorf("cleanRel(%q) = %q, want %q", name, got, want)
		}
	}
}

type entry struct {
	name string
	size int // of zeros, or len(body)
	body string
	typ  byte
	mode int64
}

func tarGz(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		typ, mode := e.typ, e.mode
		if typ == 0 {
			typ = tar.TypeReg
		}
		if mode == 0 {
			mode = 0o644
		}
		size := int64(len(e.body))
		if e.size > 0 {
			size = int64(e.size)
		}
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Typeflag: typ, Mode: mode, Size: size}); err != nil {
			t.Fatal(err)
		}
		if e.size > 0 {
			_, _ = io.CopyN(tw, zeros{}, size)
		} else {
			_, _ = io.WriteString(tw, e.body)
		}
	}
	_ = tw.Close()
	_ = gz.Close()
	return buf.Bytes()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// tree lists the paths under root ("/" marks folders).
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			rel += "/"
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	return out
}

func smallSkills(t *testing.T) *Skills {
	dir := filepath.Join(t.TempDir(), "skills")
	if err := os.MkdirAll(filepath.Join(dir, "keep"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keep", "SKILL.md"), []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	return &Skills{Dir: dir, limits: skillsLimits{bytes: 1 << 20, stream: 2 << 20, entries: 20}}
}

// TestSkillsImportLimitsLeaveNothingBehind feeds archives over each limit
// after good entries: the import fails with ErrTooLarge and Abort leaves
// the folder exactly as it was (no temporary files, no new folders).
func TestSkillsImportLimitsLeaveNothingBehind(t *testing.T) {
	many := []entry{{name: "new/a.md", body: "a"}}
	for i := range 25 {
		many = append(many, entry{name: "new/" + strings.Repeat("f", i+1) + ".md", body: "x"})
	}
	for name, archive := range map[string][]byte{
		"a file over the byte budget":          tarGz(t, entry{name: "new/a.md", body: "a"}, entry{name: "new/deep/big.bin", size: 3 << 20}),
		"files over the budget together":       tarGz(t, entry{name: "new/a.bin", size: 600 << 10}, entry{name: "new/b.bin", size: 600 << 10}),
		"a skipped entry inflating the stream": tarGz(t, entry{name: "new/a.md", body: "a"}, entry{name: "../bomb.bin", size: 3 << 20}),
		"too many entries":                     tarGz(t, many...),
	} {
		t.Run(name, func(t *testing.T) {
			s := smallSkills(t)
			before := tree(t, s.Dir)
			im, err := s.BeginImport()
			if err != nil {
				t.Fatal(err)
			}
			err = im.AddArchive(bytes.NewReader(archive))
			im.Abort()
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("AddArchive: %v", err)
			}
			if got := tree(t, s.Dir); !slices.Equal(got, before) {
				t.Errorf("left behind: %v", got)
			}
		})
	}
}

func TestSkillsImportReadErrorsAreTheUploads(t *testing.T) {
	s := smallSkills(t)
	im, err := s.BeginImport()
	if err != nil {
		t.Fatal(err)
	}
	defer im.Abort()
	archive := tarGz(t, entry{name: "a/SKILL.md", body: strings.Repeat("text ", 1000)})
	broken := io.MultiReader(bytes.NewReader(archive[:40]), iotestErr{})
	if err := im.AddArchive(broken); !errors.Is(err, ErrRead) || errors.Is(err, ErrNotArchive) {
		t.Errorf("archive read failure: %v", err)
	}
	if err := im.AddFile("b/SKILL.md", io.MultiReader(strings.NewReader("abc"), iotestErr{})); !errors.Is(err, ErrRead) {
		t.Errorf("file read failure: %v", err)
	}
	if err := im.AddArchive(bytes.NewReader(archive[:len(archive)-20])); !errors.Is(err, ErrNotArchive) {
		t.Errorf("truncated archive: %v", err)
	}
}

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestSkillsImportGroupWritableModes(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	for _, c := range []struct {
		group                bool
		file, script, folder fs.FileMode
	}{
		{false, 0o644, 0o755, 0o755},
		{true, 0o664, 0o775, 0o775},
	} {
		dir := filepath.Join(t.TempDir(), "skills")
		s := &Skills{Dir: dir, GroupWritable: c.group}
		im, err := s.BeginImport()
		if err != nil {
			t.Fatal(err)
		}
		if err := im.AddArchive(bytes.NewReader(tarGz(t, entry{name: "a/SKILL.md", body: "s"}, entry{name: "a/run.sh", body: "#!/bin/sh", mode: 0o755}))); err != nil {
			t.Fatal(err)
		}
		if err := im.AddFile("b/c/notes.md", strings.NewReader("n")); err != nil {
			t.Fatal(err)
		}
		if _, err := im.Commit(); err != nil {
			t.Fatal(err)
		}
		for p, want := range map[string]fs.FileMode{
			"": c.folder, "a": c.folder, "b/c": c.folder, "a/SKILL.md": c.file, "a/run.sh": c.script, "b/c/notes.md": c.file,
		} {
			fi, err := os.Stat(filepath.Join(dir, p))
			if err != nil || fi.Mode().Perm() != want {
				t.Errorf("group=%v %s: %v %v, want %v", c.group, p, fi.Mode().Perm(), err, want)
			}
		}
	}
}

func TestSkillsExportSkipsLinksAndSpecialFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "skills")
	if err := os.MkdirAll(filepath.Join(dir, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(dir, "a", "SKILL.md"), []byte("s"), 0o644)
	_ = os.Symlink("/etc", filepath.Join(dir, "etc"))
	_ = os.Symlink("SKILL.md", filepath.Join(dir, "a", "alias.md"))
	if err := syscall.Mkfifo(filepath.Join(dir, "a", "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := (&Skills{Dir: dir}).OpenExport()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var buf bytes.Buffer
	if err := e.Write(&buf); err != nil {
		t.Fatal(err)
	}
	gz, _ := gzip.NewReader(&buf)
	tr := tar.NewReader(gz)
	var names []string
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		names = append(names, hdr.Name)
	}
	if !slices.Equal(names, []string{"a/", "a/SKILL.md"}) || e.Files() != 1 {
		t.Errorf("archive %v, %d files", names, e.Files())
	}
}

func newConfig(t *testing.T) *Config {
	root := t.TempDir()
	return &Config{Pi: piconfig.New(piconfig.Options{AgentDir: filepath.Join(root, "agent")}), DataDir: filepath.Join(root, "data")}
}

func TestConfigImportBounds(t *testing.T) {
	c := newConfig(t)
	c.maxExpanded = 1 << 20
	if _, err := c.Import(context.Background(), bytes.NewReader(tarGz(t, entry{name: "junk.bin", size: 2 << 20}))); !errors.Is(err, ErrTooLarge) {
		t.Errorf("inflating skipped entry: %v", err)
	}
	c.maxExpanded = 0
	big := entry{name: "settings.json", body: `{"a":"` + strings.Repeat(" ", 5<<20) + `"}`}
	if _, err := c.Import(context.Background(), bytes.NewReader(tarGz(t, big))); !errors.Is(err, ErrTooLarge) {
		t.Errorf("settings.json over 5 MiB: %v", err)
	}
	if _, err := os.Stat(c.Pi.Settings.Path()); err == nil {
		t.Error("settings.json written")
	}
}

func TestConfigExportSkipsWhatIsNoFile(t *testing.T) {
	c := newConfig(t)
	if err := os.MkdirAll(filepath.Join(c.DataDir, "mcp.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.DataDir, "theme.json"), []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := c.OpenExport()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if got := e.Names(); !slices.Equal(got, []string{"theme.json"}) {
		t.Errorf("names %v", got)
	}
}
