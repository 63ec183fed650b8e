package tools

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// unicodeSpaces are the space look-alikes pi turns into a plain space in
// paths the model sends.
var unicodeSpaces = strings.NewReplacer(
	"\u00A0", " ", "\u2000", " ", "\u2001", " ", "\u2002", " ", "\u2003", " ",
	"\u2004", " ", "\u2005", " ", "\u2006", " ", "\u2007", " ", "\u2008", " ",
	"\u2009", " ", "\u200A", " ", "\u202F", " ", "\u205F", " ", "\u3000", " ",
)

// expandPath strips one leading '@', normalises Unicode spaces and expands
// "~" and "~/" to home.
func expandPath(p, home string) string {
	p = unicodeSpaces.Replace(strings.TrimPrefix(p, "@"))
	if p == "~" {
		return home
	}
	if strings.HasPrefix(p, "~/") {
		return home + p[1:]
	}
	return p
}

// resolveToCwd resolves a model-supplied path against cwd.
func resolveToCwd(p, cwd, home string) string {
	p = expandPath(p, home)
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(cwd, p)
}

var amPM = regexp.MustCompile(`(?i) (AM|PM)\.`)

// resolveReadPath is resolveToCwd plus the macOS screenshot-name variants pi
// tries when the file does not exist: a narrow no-break space before
// AM./PM., the NFD form, a curly apostrophe, and NFD with a curly apostrophe.
func resolveReadPath(p, cwd, home string) string {
	resolved := resolveToCwd(p, cwd, home)
	if exists(resolved) {
		return resolved
	}
	nfd := norm.NFD.String(resolved)
	curly := func(s string) string { return strings.ReplaceAll(s, "'", "\u2019") }
	for _, v := range []string{
		amPM.ReplaceAllString(resolved, "\u202F$1."),
		nfd,
		curly(resolved),
		curly(nfd),
	} {
		if v != resolved && exists(v) {
			return v
		}
	}
	return resolved
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// toSlash renders a relative path with '/' separators, as pi's output does.
func toSlash(p string) string { return filepath.ToSlash(p) }
