package registry

import (
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Title limits (features 12.7).
const (
	titleWords    = 8
	titleMaxRunes = 60
	titleMinCut   = 24
)

var (
	fencedCode   = regexp.MustCompile("(?s)```.*?(```|$)|~~~.*?(~~~|$)")
	leadingSlash = regexp.MustCompile(`^\s*/\S+`)
	urlPattern   = regexp.MustCompile(`(?i)\b(?:https?|ftp|file)://\S+|\bwww\.\S+`)
	atPath       = regexp.MustCompile(`(^|\s)@(\S+)`)
	markdownPunc = regexp.MustCompile("[`#*_~>\\[\\](){}|<]+")
	stopWords    = map[string]bool{
		"a": true, "an": true, "and": true, "are": true, "can": true, "could": true, "for": true, "from": true,
		"how": true, "i": true, "in": true, "is": true, "it": true, "me": true, "of": true, "on": true,
		"please": true, "the": true, "this": true, "to": true, "with": true, "would": true, "you": true,
	}
)

// Title derives a session title from a first prompt without asking a
// model: code, a leading /command and URLs go, @paths become their base
// names, markdown punctuation is dropped; then the first eight words, stop
// words removed when two or more words remain, title-cased (ALL-CAPS words
// kept), at most 60 characters. "" when nothing is left.
func Title(prompt string) string {
	t := fencedCode.ReplaceAllString(prompt, " ")
	t = leadingSlash.ReplaceAllString(t, " ")
	t = urlPattern.ReplaceAllString(t, " ")
	t = atPath.ReplaceAllStringFunc(t, func(m string) string {
		sub := atPath.FindStringSubmatch(m)
		return sub[1] + path.Base(strings.TrimRight(sub[2], "/"))
	})
	t = markdownPunc.ReplaceAllString(t, " ")
	var words []string
	for _, w := range strings.Fields(t) {
		w = strings.TrimFunc(w, unicode.IsPunct)
		if w == "" {
			continue
		}
		words = append(words, w)
		if len(words) == titleWords {
			break
		}
	}
	kept := make([]string, 0, len(words))
	for _, w := range words {
		if !stopWords[strings.ToLower(w)] {
			kept = append(kept, w)
		}
	}
	if len(kept) >= 2 {
		words = kept
	}
	for i, w := range words {
		words[i] = titleCase(w)
	}
	return limitTitle(strings.Join(words, " "))
}

func titleCase(w string) string {
	if strings.ToUpper(w) == w {
		return w
	}
	r, size := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + strings.ToLower(w[size:])
}

// limitTitle cuts a title over 60 characters at its last space when that
// keeps at least 24, else at 60, and marks the cut with "…".
func limitTitle(t string) string {
	r := []rune(t)
	if len(r) <= titleMaxRunes {
		return t
	}
	cut := string(r[:titleMaxRunes])
	if i := strings.LastIndex(cut, " "); i >= 0 && utf8.RuneCountInString(cut[:i]) >= titleMinCut {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ") + "…"
}
