package backup

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// skillsTree writes files files of size bytes in folders of 50.
func skillsTree(b *testing.B, dir string, files, size int) {
	b.Helper()
	data := bytes.Repeat([]byte("skill text\n"), size/11+1)[:size]
	for i := range files {
		p := filepath.Join(dir, fmt.Sprintf("s%03d", i/50), fmt.Sprintf("f%d.md", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSkillsExport streams 1,000 files of 4 KiB; allocations stay
// flat however large the folder (nothing is buffered whole).
func BenchmarkSkillsExport(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "skills")
	skillsTree(b, dir, 1000, 4<<10)
	b.SetBytes(1000 * 4 << 10)
	b.ReportAllocs()
	for b.Loop() {
		e, err := (&Skills{Dir: dir}).OpenExport()
		if err != nil {
			b.Fatal(err)
		}
		if err := e.Write(io.Discard); err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}

// BenchmarkSkillsImportLargeFile imports one 32 MiB file: memory per
// import stays at the copy buffers, not the file size.
func BenchmarkSkillsImportLargeFile(b *testing.B) {
	root := b.TempDir()
	archive := tarGz(b, entry{name: "big/data.bin", size: 32 << 20})
	b.SetBytes(32 << 20)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		im, err := (&Skills{Dir: filepath.Join(root, fmt.Sprint(i))}).BeginImport()
		if err != nil {
			b.Fatal(err)
		}
		if err := im.AddArchive(bytes.NewReader(archive)); err != nil {
			b.Fatal(err)
		}
		if _, err := im.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}
