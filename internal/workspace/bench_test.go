package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// makeWideTree makes 100 top folders x 10 sub folders x 100 files =
// 100,000 files (plus a node_modules the walk must skip).
func makeWideTree(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	for i := range 100 {
		for j := range 10 {
			sub := filepath.Join(dir, fmt.Sprintf("pkg%03d", i), fmt.Sprintf("Mod%02d", j))
			if err := os.MkdirAll(sub, 0o755); err != nil {
				b.Fatal(err)
			}
			for k := range 100 {
				if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("file_%03d.go", k)), nil, 0o644); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	nm := filepath.Join(dir, "node_modules", "dep")
	if err := os.MkdirAll(nm, 0o755); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkTree100k lists a 100,000-file workspace and encodes it as the
// handler will.
func BenchmarkTree100k(b *testing.B) {
	dir := makeWideTree(b)
	r, err := New(Options{}).Root(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		tree, err := r.Tree(0)
		if err != nil {
			b.Fatal(err)
		}
		if err := json.NewEncoder(io.Discard).Encode(tree); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComplete100k ranks @-completion candidates over the same tree.
func BenchmarkComplete100k(b *testing.B) {
	dir := makeWideTree(b)
	r, err := New(Options{}).Root(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.Complete(context.Background(), "file_05", 50); err != nil {
			b.Fatal(err)
		}
	}
}
