package tools

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fuzzyPunct maps typographic quotes, dashes and spaces to ASCII for
// fuzzy edit matching (pi's table).
var fuzzyPunct = strings.NewReplacer(
	"\u2018", "'", "\u2019", "'", "\u201A", "'", "\u201B", "'",
	"\u201C", `"`, "\u201D", `"`, "\u201E", `"`, "\u201F", `"`,
	"\u2010", "-", "\u2011", "-", "\u2012", "-", "\u2013", "-", "\u2014", "-", "\u2015", "-", "\u2212", "-",
	"\u00A0", " ", "\u2002", " ", "\u2003", " ", "\u2004", " ", "\u2005", " ", "\u2006", " ",
	"\u2007", " ", "\u2008", " ", "\u2009", " ", "\u200A", " ", "\u202F", " ", "\u205F", " ", "\u3000", " ",
)

// fuzzyNormalize is pi's normalizeForFuzzyMatch: NFKC, trailing whitespace
// removed from every line, then typographic punctuation made ASCII.
func fuzzyNormalize(s string) string {
	lines := strings.Split(norm.NFKC.String(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, isJSWhitespace)
	}
	return fuzzyPunct.Replace(strings.Join(lines, "\n"))
}

// isJSWhitespace is what JavaScript's trimEnd removes: WhiteSpace and
// LineTerminator code points.
func isJSWhitespace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A || unicode.Is(unicode.Zs, r)
}
