package workspace

import (
	"path/filepath"
	"strings"
)

// languageByExt maps a lower-case extension to the editor language id the
// UI understands (the reference's ids, so its client keeps working).
var languageByExt = map[string]string{
	".ts": "typescript", ".tsx": "typescript", ".mts": "typescript", ".cts": "typescript",
	".js": "javascript", ".jsx": "javascript", ".mjs": "javascript", ".cjs": "javascript",
	".py": "python", ".pyi": "python",
	".rs": "rust",
	".c":  "c", ".h": "c",
	".cpp": "cpp", ".cc": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp",
	".java": "java",
	".kt":   "kotlin", ".kts": "kotlin",
	".go":    "go",
	".rb":    "ruby",
	".php":   "php",
	".cs":    "csharp",
	".swift": "swift",
	".css":   "css", ".less": "css",
	".scss": "scss", ".sass": "scss",
	".html": "html", ".htm": "html",
	".xml": "xml", ".svg": "xml", ".plist": "xml",
	".json": "json", ".jsonc": "json",
	".yaml": "yaml", ".yml": "yaml",
	".toml": "toml",
	".md":   "markdown", ".markdown": "markdown",
	".sh": "shell", ".bash": "shell", ".zsh": "shell", ".fish": "shell",
	".sql":        "sql",
	".dockerfile": "dockerfile",
	".jinja":      "jinja2", ".jinja2": "jinja2", ".j2": "jinja2",
	".env": "properties", ".ini": "properties", ".cfg": "properties", ".conf": "properties", ".properties": "properties",
	".lua": "lua",
	".pl":  "perl", ".pm": "perl",
	".r":   "r",
	".ps1": "powershell", ".psm1": "powershell",
	".diff": "diff", ".patch": "diff",
	".clj": "clojure", ".cljs": "clojure", ".cljc": "clojure", ".edn": "clojure",
	".scala": "scala", ".sc": "scala",
	".groovy": "groovy", ".gradle": "groovy",
	".hs": "haskell",
	".ml": "ocaml", ".mli": "ocaml",
	".graphql": "graphql", ".gql": "graphql",
	".proto": "protobuf",
	".cmake": "cmake",
	".mk":    "makefile",
}

var languageByName = map[string]string{
	"Dockerfile": "dockerfile", "Makefile": "makefile", "makefile": "makefile", "GNUmakefile": "makefile",
	"nginx.conf": "nginx", "CMakeLists.txt": "cmake", ".env": "properties",
	".gitignore": "properties", ".dockerignore": "properties", ".npmignore": "properties",
	".prettierignore": "properties", ".eslintignore": "properties",
}

// Language names the editor mode for a file from its name: well-known
// names first, then the extension; "plaintext" when unknown.
func Language(path string) string {
	base := filepath.Base(path)
	if l, ok := languageByName[base]; ok {
		return l
	}
	if strings.HasSuffix(base, ".Dockerfile") {
		return "dockerfile"
	}
	if strings.HasPrefix(base, ".env.") {
		return "properties"
	}
	if l, ok := languageByExt[strings.ToLower(filepath.Ext(base))]; ok {
		return l
	}
	return "plaintext"
}
