// Command gendoc writes docs/configuration.md from the option table, so the
// documented flags and env vars can never drift from the parsed ones.
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/pi-forge/pi-forge/internal/config"
)

const header = `# Configuration

Every option is a command-line flag and an environment variable; the flag wins.
Booleans accept true/false, on/off, yes/no, 1/0; a bare ` + "`--flag`" + ` means true and
` + "`--no-flag`" + ` false. Numbers are non-negative integers. Secret options also take
` + "`@/path/to/file`" + ` on the command line (the file's trimmed contents) and a ` + "`NAME_FILE`" + `
environment variable; environment values are never @-expanded. A bad value stops
start-up with exit code 2 and a message naming the option. ` + "`pi-forge --help`" + ` prints
the same table.

This file is generated from ` + "`internal/config/table.go`" + ` by ` + "`make docs`" + `.
`

func main() {
	var b bytes.Buffer
	b.WriteString(header)
	config.WriteMarkdown(&b)
	if err := os.WriteFile(os.Args[1], b.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
