// Package docsui embeds the interactive API docs page (Swagger UI, vendored
// from npm by scripts/update-docs-ui.sh) so /api/docs needs no CDN.
package docsui

import (
	"embed"
	"io/fs"
)

//go:embed files
var files embed.FS

// Files is the page and its assets, rooted at files/.
func Files() fs.FS {
	sub, err := fs.Sub(files, "files")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}
