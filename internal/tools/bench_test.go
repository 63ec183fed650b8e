package tools

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pi-forge/pi-forge/internal/agent"
)

// benchTree is a ~200 MB source-like tree shared by the grep benchmarks:
// 2,000 files of ~100 KB under 40 directories, one match in every 50th file.
var (
	benchTreeOnce sync.Once
	benchTreeDir  string
	benchTreeErr  error
)

func benchTree(b *testing.B) string {
	b.Helper()
	benchTreeOnce.Do(func() {
		benchTreeDir, benchTreeErr = os.MkdirTemp("", "pi-forge-grep-bench-")
		if benchTreeErr != nil {
			return
		}
		var body strings.Builder
		for body.Len() < 100*1024 {
			fmt.Fprintf(&body, "func handler%d(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, %q) }\n", body.Len(), "hello world")
		}
		plain := body.String()
		for i := 0; i < 2000; i++ {
			dir := filepath.Join(benchTreeDir, fmt.Sprintf("pkg%02d", i%40))
			if benchTreeErr = os.MkdirAll(dir, 0o755); benchTreeErr != nil {
				return
			}
			content := plain
			if i%50 == 0 {
				content += "// TODO(bench): find me\n"
			}
			if benchTreeErr = os.WriteFile(filepath.Join(dir, fmt.Sprintf("file%04d.go", i)), []byte(content), 0o644); benchTreeErr != nil {
				return
			}
		}
	})
	if benchTreeErr != nil {
		b.Fatal(benchTreeErr)
	}
	return benchTreeDir
}

func benchmarkGrep(b *testing.B, noRipgrep bool) {
	root := benchTree(b)
	tools := testTools(b, root, func(o *Options) { o.NoRipgrep = noRipgrep })
	b.SetBytes(200 << 20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := run(b, tools, "grep", map[string]any{"pattern": `TODO\(bench\)`})
		if err != nil || strings.Count(text(res), "find me") != 40 {
			b.Fatalf("grep: %v %q", err, text(res))
		}
	}
}

// BenchmarkGrep200MBRipgrep searches the tree with rg --json.
func BenchmarkGrep200MBRipgrep(b *testing.B) { benchmarkGrep(b, false) }

// BenchmarkGrep200MBGo searches the tree with the Go fallback.
func BenchmarkGrep200MBGo(b *testing.B) { benchmarkGrep(b, true) }

// bigTextTools writes a 50 MB file of short lines, big.txt, and returns
// the tools for its folder, with the benchmark set up to count its bytes.
func bigTextTools(b *testing.B) map[string]agent.Tool {
	dir := b.TempDir()
	line := strings.Repeat("abcdefghij", 8) + "\n"
	content := strings.Repeat(line, (50<<20)/len(line))
	if err := os.WriteFile(filepath.Join(dir, "big.txt"), []byte(content), 0o644); err != nil {
		b.Fatal(err)
	}
	tools := testTools(b, dir, nil)
	b.SetBytes(int64(len(content)))
	b.ReportAllocs()
	b.ResetTimer()
	return tools
}

// BenchmarkRead50MB reads the head of a 50 MB file (counting all its lines).
func BenchmarkRead50MB(b *testing.B) {
	tools := bigTextTools(b)
	for i := 0; i < b.N; i++ {
		res, err := run(b, tools, "read", map[string]any{"path": "big.txt"})
		if err != nil || !strings.Contains(text(res), "Use offset=") {
			b.Fatalf("read: %v", err)
		}
	}
}

// BenchmarkRead50MBOffset reads from the middle of the same file.
func BenchmarkRead50MBOffset(b *testing.B) {
	tools := bigTextTools(b)
	for i := 0; i < b.N; i++ {
		if _, err := run(b, tools, "read", map[string]any{"path": "big.txt", "offset": 300000, "limit": 100}); err != nil {
			b.Fatal(err)
		}
	}
}
