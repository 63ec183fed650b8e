package search

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"github.com/pi-forge/pi-forge/internal/fswalk"
)

// plan is a validated query, ready for either engine.
type plan struct {
	q       Query
	limit   int
	find    finder // how the Go engine finds matches
	lower   bool   // find runs over ASCII-lowered text; other text uses regex
	regex   finder // the general matcher
	include *glob
	exclude *glob
}

// compile validates q. Both engines reject the same queries, so a query
// that fails on one fails on the other.
func compile(q Query) (*plan, error) {
	switch {
	case q.Pattern == "":
		return nil, &Error{Code: CodeInvalidQuery, Message: "the search text is empty"}
	case len(q.Pattern) > MaxPatternBytes:
		return nil, &Error{Code: CodeInvalidQuery, Message: "the search text is longer than 1024 bytes"}
	case strings.ContainsAny(q.Pattern, "\r\n"):
		return nil, &Error{Code: CodeInvalidQuery, Message: "the search text can not span lines"}
	}
	p := &plan{q: q, limit: q.Limit}
	switch {
	case p.limit == 0:
		p.limit = DefaultLimit
	case p.limit < 1:
		p.limit = 1
	case p.limit > MaxLimit:
		p.limit = MaxLimit
	}
	expr := regexp.QuoteMeta(q.Pattern)
	if q.Regex {
		if err := checkRegex(q.Pattern); err != nil {
			return nil, err
		}
		expr = q.Pattern
	}
	if !q.CaseSensitive {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, &Error{Code: CodeInvalidRegex, Message: "invalid regular expression: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ")}
	}
	rf := &regexFinder{re: re}
	if !usesTextAnchors(expr) {
		// (?m) makes ^ and $ match at line ends, as they do per line.
		rf.pre = regexp.MustCompile("(?m)" + expr)
	}
	p.regex, p.find = rf, rf
	switch {
	case !q.Regex && q.CaseSensitive:
		p.find = literalFinder([]byte(q.Pattern))
	case !q.Regex && isASCII(q.Pattern):
		p.find, p.lower = literalFinder(bytes.ToLower([]byte(q.Pattern))), true
	case q.Regex:
		// A literal every match must contain finds candidate lines with
		// bytes.Index; the regexp then only runs on those lines.
		lit, fold := requiredLiteral(expr)
		switch {
		case len(lit) < 2:
		case !fold:
			p.find = &regexFinder{re: re, lit: []byte(lit)}
		case isASCII(lit):
			p.find, p.lower = &regexFinder{re: re, lit: bytes.ToLower([]byte(lit))}, true
		}
	}
	if p.include, err = parseGlob(q.Include); err != nil {
		return nil, err
	}
	if p.exclude, err = parseGlob(q.Exclude); err != nil {
		return nil, err
	}
	return p, nil
}

// checkRegex refuses what ripgrep refuses in line mode: a pattern that
// names a line break.
func checkRegex(pattern string) error {
	tree, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return &Error{Code: CodeInvalidRegex, Message: "invalid regular expression: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ")}
	}
	var names func(*syntax.Regexp) bool
	names = func(r *syntax.Regexp) bool {
		switch r.Op {
		case syntax.OpLiteral:
			if strings.ContainsRune(string(r.Rune), '\n') {
				return true
			}
		case syntax.OpCharClass:
			if len(r.Rune) == 2 && r.Rune[0] == '\n' && r.Rune[1] == '\n' {
				return true
			}
		}
		for _, s := range r.Sub {
			if names(s) {
				return true
			}
		}
		return false
	}
	if names(tree) {
		return &Error{Code: CodeInvalidQuery, Message: `the pattern matches a line break ("\n"), which a line-by-line search never sees`}
	}
	return nil
}

// usesTextAnchors reports \A or \z, which mean "line start/end" per line
// but not in a whole-file prefilter.
func usesTextAnchors(expr string) bool {
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return true
	}
	var walk func(*syntax.Regexp) bool
	walk = func(r *syntax.Regexp) bool {
		if r.Op == syntax.OpBeginText || r.Op == syntax.OpEndText {
			return true
		}
		for _, s := range r.Sub {
			if walk(s) {
				return true
			}
		}
		return false
	}
	return walk(tree)
}

// requiredLiteral finds the longest literal that every match of expr
// contains, and whether it is case-folded; "" when there is none.
func requiredLiteral(expr string) (string, bool) {
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return "", false
	}
	var walk func(*syntax.Regexp) (string, bool)
	walk = func(r *syntax.Regexp) (string, bool) {
		switch r.Op {
		case syntax.OpLiteral:
			return string(r.Rune), r.Flags&syntax.FoldCase != 0
		case syntax.OpCapture, syntax.OpPlus:
			return walk(r.Sub[0])
		case syntax.OpRepeat:
			if r.Min >= 1 {
				return walk(r.Sub[0])
			}
		case syntax.OpConcat:
			best, fold := "", false
			for _, s := range r.Sub {
				if l, f := walk(s); len(l) > len(best) {
					best, fold = l, f
				}
			}
			return best, fold
		}
		return "", false
	}
	return walk(tree.Simplify())
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// glob is one include or exclude glob with gitignore meaning.
type glob struct {
	raw string
	fswalk.Pattern
}

func parseGlob(s string) (*glob, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) > MaxGlobBytes {
		return nil, &Error{Code: CodeInvalidQuery, Message: "a glob is longer than 256 bytes"}
	}
	p, ok := fswalk.ParseGlob(s)
	if !ok {
		return nil, &Error{Code: CodeInvalidGlob, Message: "invalid glob: " + s}
	}
	return &glob{raw: s, Pattern: p}, nil
}
