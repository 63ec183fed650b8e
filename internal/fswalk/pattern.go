package fswalk

import (
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Pattern is one glob with gitignore's meaning: without a "/" before its
// end it matches a name at any depth, with one it matches a path from its
// base folder; a trailing "/" limits it to folders.
type Pattern struct {
	glob     string // doublestar syntax
	anchored bool
	dirOnly  bool
	negate   bool // a "!" line of an ignore file: it whitelists
}

// ParseGlob reads a glob as ripgrep's --glob does (braces are
// alternatives); ok is false when it is not a valid glob.
func ParseGlob(s string) (p Pattern, ok bool) { return parsePattern(s) }

// parsePattern fills in everything but negate from s, which has lost its
// ignore-file escapes.
func parsePattern(s string) (Pattern, bool) {
	var p Pattern
	if strings.HasSuffix(s, "/") {
		p.dirOnly = true
		s = strings.TrimRight(s, "/")
	}
	if strings.HasPrefix(s, "/") {
		p.anchored = true
		s = strings.TrimLeft(s, "/")
	}
	if strings.Contains(s, "/") {
		p.anchored = true
	}
	// "dir/**" matches what is inside dir, not dir itself, so that a later
	// "!dir/keep" can still whitelist a file in it; doublestar's "**" would
	// also match dir.
	if strings.HasSuffix(s, "/**") {
		s += "/*"
	}
	if s == "" || !doublestar.ValidatePattern(s) {
		return Pattern{}, false
	}
	p.glob = s
	return p, true
}

// Match tests rel, a "/"-separated path from the pattern's base folder.
func (p Pattern) Match(rel string, isDir bool) bool {
	if p.dirOnly && !isDir {
		return false
	}
	target := rel
	if !p.anchored {
		target = path.Base(rel)
	}
	ok, _ := doublestar.Match(p.glob, target)
	return ok
}
