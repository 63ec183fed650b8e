package search

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// makeCorpus writes about 200 MB of source-like text: 2,000 files of
// 100 KB in 100 folders, with a rare word in a few files.
func makeCorpus(b *testing.B) (string, int64) {
	b.Helper()
	dir := b.TempDir()
	words := strings.Fields("func return if else for range var const type struct interface map string int error nil true false package import defer go select case")
	rng := rand.New(rand.NewPCG(1, 2))
	var total int64
	var line strings.Builder
	for i := range 2000 {
		var buf strings.Builder
		for buf.Len() < 100_000 {
			line.Reset()
			for range 8 + rng.IntN(8) {
				line.WriteString(words[rng.IntN(len(words))])
				line.WriteByte(' ')
			}
			if rng.IntN(20000) == 0 {
				line.WriteString("Zanzibar")
			}
			buf.WriteString(line.String())
			buf.WriteByte('\n')
		}
		p := filepath.Join(dir, fmt.Sprintf("pkg%03d", i%100), fmt.Sprintf("file%04d.go", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(buf.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(buf.Len())
	}
	return dir, total
}

// BenchmarkSearch200MB searches a 200 MB tree with both engines: the UI's
// default (case-insensitive text), case-sensitive text and a regex.
func BenchmarkSearch200MB(b *testing.B) {
	dir, total := makeCorpus(b)
	queries := []struct {
		name string
		q    Query
	}{
		{"text-ignorecase", Query{Pattern: "zanzibar"}},
		{"text-case", Query{Pattern: "Zanzibar", CaseSensitive: true}},
		{"regex", Query{Pattern: `Zan\w+bar`, Regex: true}},
	}
	for _, eng := range []struct {
		name string
		s    *Searcher
	}{{"ripgrep", New(launcher, Options{})}, {"go", New(launcher, Options{DisableRipgrep: true})}} {
		for _, q := range queries {
			b.Run(eng.name+"/"+q.name, func(b *testing.B) {
				b.SetBytes(total)
				for b.Loop() {
					res, err := eng.s.Search(ctx, dir, q.q)
					if err != nil {
						b.Fatal(err)
					}
					if len(res.Matches) == 0 || res.Truncated {
						b.Fatalf("%d matches, truncated %v", len(res.Matches), res.Truncated)
					}
				}
			})
		}
	}
}
