// Package linematch finds the lines of a text that hold matches for a
// pattern, line by line as ripgrep does, quickly: a literal every match
// must contain finds candidate lines with bytes.Index, and a
// case-insensitive literal search runs over ASCII-lowered text.
package linematch

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"unicode/utf8"
)

// Options say how to read a pattern.
type Options struct {
	Literal    bool // the pattern is text, not a regular expression
	IgnoreCase bool
}

// Matcher is a compiled pattern. It is safe for concurrent use; each
// goroutine scans with a Scanner of its own.
type Matcher struct {
	find  finder // how candidate lines are found
	lower bool   // find runs over ASCII-lowered text; other text uses regex
	regex finder // the general matcher
}

// Compile reads pattern (Go's RE2 syntax unless o.Literal). A regular
// expression that does not parse gives regexp's error.
func Compile(pattern string, o Options) (*Matcher, error) {
	expr := pattern
	if o.Literal {
		expr = regexp.QuoteMeta(pattern)
	}
	if o.IgnoreCase {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	rf := &regexFinder{re: re}
	if !usesTextAnchors(expr) {
		// (?m) makes ^ and $ match at line ends, as they do per line.
		rf.pre = regexp.MustCompile("(?m)" + expr)
	}
	m := &Matcher{find: rf, regex: rf}
	switch {
	case o.Literal && pattern == "":
		// Every line matches; bytes.Index would find "" forever.
	case o.Literal && !o.IgnoreCase:
		m.find = literalFinder(pattern)
	case o.Literal && isASCII(pattern):
		m.find, m.lower = literalFinder(bytes.ToLower([]byte(pattern))), true
	case !o.Literal:
		lit, fold := requiredLiteral(expr)
		switch {
		case len(lit) < 2:
		case !fold:
			m.find = &regexFinder{re: re, lit: []byte(lit)}
		case isASCII(lit):
			m.find, m.lower = &regexFinder{re: re, lit: bytes.ToLower([]byte(lit))}, true
		}
	}
	return m, nil
}

// usesTextAnchors reports \A or \z, which mean "line start/end" per line
// but not in a whole-text prefilter.
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
