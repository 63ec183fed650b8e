// Package filetree writes the file trees tests run against.
package filetree

import (
	"os"
	"path/filepath"
	"testing"
)

// Write creates each file (a "/"-separated path below root: its content),
// with the folders it needs; it fails the test on any error.
func Write(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
