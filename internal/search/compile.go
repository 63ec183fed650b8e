package search

import (
	"regexp/syntax"
	"strings"

	"github.com/pi-forge/pi-forge/internal/fswalk"
	"github.com/pi-forge/pi-forge/internal/linematch"
)

// plan is a validated query, ready for either engine.
type plan struct {
	q       Query
	limit   int
	match   *linematch.Matcher // the Go engine's
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
	if q.Regex {
		if err := checkRegex(q.Pattern); err != nil {
			return nil, err
		}
	}
	var err error
	p.match, err = linematch.Compile(q.Pattern, linematch.Options{Literal: !q.Regex, IgnoreCase: !q.CaseSensitive})
	if err != nil {
		return nil, &Error{Code: CodeInvalidRegex, Message: "invalid regular expression: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ")}
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
