package api_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/projects"
)

// BenchmarkFileTreeHTTP100k is GET /files/tree of a 100,000-file project
// over loopback HTTP: the walk, the JSON and the transfer the browser waits
// for (100 folders x 10 sub folders x 100 files).
func BenchmarkFileTreeHTTP100k(b *testing.B) {
	e := apitest.Start(b, nil)
	dir := filepath.Join(e.Workspace, "big")
	for i := range 100 {
		for j := range 10 {
			sub := filepath.Join(dir, fmt.Sprintf("pkg%03d", i), fmt.Sprintf("mod%02d", j))
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
	var p projects.Project
	e.Expect(http.StatusCreated, "POST", "/api/v1/projects", map[string]string{"name": "big", "path": dir}).JSON(b, &p)
	url := e.URL + "/api/v1/files/tree" + q("projectId", p.ID)
	var size int64
	b.ResetTimer()
	for b.Loop() {
		resp, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d, %v", resp.StatusCode, err)
		}
		size = n
	}
	b.ReportMetric(float64(size), "bytes/response")
}
