package promptinput

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/workspace"
)

// BenchmarkExpandRefs expands a prompt naming 20 files of 8 KiB, a
// directory, a missing path and an escape attempt.
func BenchmarkExpandRefs(b *testing.B) {
	dir := b.TempDir()
	var text strings.Builder
	for i := range 20 {
		name := fmt.Sprintf("f%02d.go", i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Repeat("x\n", 4096)), 0o644); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&text, "look at @%s, ", name)
	}
	text.WriteString("@. @missing @../etc/passwd")
	root, err := workspace.New(workspace.Options{}).Root(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		out := ExpandRefs(root, []string{text.String()})
		if len(out[0]) < 20*8192 {
			b.Fatal("not inlined")
		}
	}
}

// BenchmarkConvertPDF converts a 50-page PDF.
func BenchmarkConvertPDF(b *testing.B) {
	pages := make([]string, 50)
	for i := range pages {
		pages[i] = fmt.Sprintf("Page %d of the quarterly report", i+1)
	}
	data := makePDF(pages...)
	c := NewConverter(0)
	defer c.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Convert(b.Context(), docPDF, "r.pdf", data); err != nil {
			b.Fatal(err)
		}
	}
}
