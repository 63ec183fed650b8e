package promptinput

import (
	"path/filepath"
	"strings"
)

// fenceFor returns a backtick fence one longer than the longest backtick
// run in content, and at least three long. CommonMark closes a fenced block
// only with a fence at least as long as the opening one, so nothing inside
// content can end the block early and pass itself off as prompt text.
func fenceFor(content string) string {
	longest, run := 0, 0
	for i := 0; i < len(content); i++ {
		if content[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// safeFileName keeps a file name from breaking the fence's info line:
// backticks, carriage returns and newlines become "_".
func safeFileName(name string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '`', '\r', '\n':
			return '_'
		}
		return r
	}, name)
}

// fileBlock renders one file as the fenced block the UI shows as a chip:
// "<fence><lang> file: <name>\n<content>\n<fence>".
func fileBlock(name, content string) string {
	fence := fenceFor(content)
	return fence + languageHint(name) + " file: " + name + "\n" + content + "\n" + fence
}

// languageHints are the info-string languages for common extensions (the
// same short ids the reference's chips show).
var languageHints = map[string]string{
	".ts": "ts", ".tsx": "tsx", ".js": "js", ".jsx": "jsx", ".mjs": "js", ".cjs": "js",
	".json": "json", ".py": "python", ".rb": "ruby", ".go": "go", ".rs": "rust",
	".java": "java", ".kt": "kotlin", ".swift": "swift", ".c": "c", ".h": "c",
	".cpp": "cpp", ".cc": "cpp", ".hpp": "cpp", ".cs": "csharp", ".php": "php",
	".sh": "bash", ".bash": "bash", ".zsh": "bash", ".yml": "yaml", ".yaml": "yaml",
	".toml": "toml", ".md": "markdown", ".html": "html", ".css": "css", ".scss": "scss",
	".sql": "sql", ".xml": "xml",
}

func languageHint(name string) string { return languageHints[strings.ToLower(filepath.Ext(name))] }
