package gitx

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkStatus50k runs Status on a repository of 50,000 committed files
// (500 folders of 100) with 100 modified and 100 untracked files.
func BenchmarkStatus50k(b *testing.B) {
	dir := tempDir(b)
	sh(b, dir, "init", "-q", "--initial-branch=main")
	for i := range 500 {
		sub := filepath.Join(dir, fmt.Sprintf("pkg%03d", i))
		if err := os.Mkdir(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		for j := range 100 {
			content := fmt.Sprintf("package pkg%03d\n\nconst n%d = %d\n", i, j, i*j)
			if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%03d.go", j)), []byte(content), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	sh(b, dir, "add", "-A")
	sh(b, dir, "commit", "-q", "-m", "50k files")
	for i := range 100 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("pkg%03d", i*5), "f000.go"), []byte("changed\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("pkg%03d", i), "new.txt"), []byte("new\n"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	sh(b, dir, "status", "--porcelain") // warm the index stat cache once, as a user's terminal would
	g := New(launcher, Options{})
	b.ResetTimer()
	for b.Loop() {
		st, err := g.Status(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		if len(st.Files) != 200 {
			b.Fatalf("%d changed files", len(st.Files))
		}
	}
}
