package tools

import (
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/testutil/filetree"
)

// The Go searcher keeps ripgrep's output where the shared walker and line
// matcher changed how it works: lines longer than a read chunk, NUL bytes
// past the binary probe, ignore files ranked by kind before depth, globs
// that name a folder, a whitelist under "dir/**", Unicode case folding and
// text anchors.
func TestGoGrepMatchesRipgrepOnEdges(t *testing.T) {
	root := t.TempDir()
	long := "needle first\n" + strings.Repeat("x", 3*grepChunk) + " needle\nneedle after the long line\n"
	// ripgrep drops the lines of the buffer that holds a NUL byte, so the
	// match before it stands a few buffers earlier.
	filler := strings.Repeat("filler\n", 2*binaryProbe/7)
	binary := "needle first\n" + filler + "needle before\n" + filler + "x\x00y needle\nneedle after\n"
	filetree.Write(t, root, map[string]string{
		"repo/.git/HEAD":          "",
		"big/long.txt":            long,
		"big/binary.txt":          binary,
		"repo/.ignore":            "ranked.txt\n",
		"repo/sub/.gitignore":     "!ranked.txt\n",
		"repo/sub/ranked.txt":     "needle\n",
		"repo/.gitignore":         "docs/**\n!docs/keep.md\n",
		"repo/docs/keep.md":       "needle\n",
		"repo/docs/drop.md":       "needle\n",
		"repo/named/inside.txt":   "needle\n",
		"repo/other/named":        "needle\n",
		"repo/CamelCase.txt":      "NeEdLe and \u212Aelvin\n",
		"repo/anchors/anchor.txt": "needle\nx needle\n",
	})
	grepParity(t, root, []map[string]any{
		{"pattern": "needle", "path": "repo"},
		{"pattern": "needle", "path": "repo", "glob": "named"},
		{"pattern": "needle", "path": "repo", "glob": "!named"},
		{"pattern": "NEEDLE", "path": "repo", "ignoreCase": true, "literal": true},
		{"pattern": "kelvin", "path": "repo", "ignoreCase": true},
		{"pattern": `\Aneedle`, "path": "repo/anchors"},
		{"pattern": "needle", "path": "big"},
		{"pattern": "needle", "path": "big/long.txt"},
		{"pattern": "needle", "path": "big/binary.txt"},
	})
}
