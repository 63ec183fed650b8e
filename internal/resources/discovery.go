package resources

import (
	"os"
	"path/filepath"
	"slices"
)

// kind is a resource type that settings.json can list.
type kind int

const (
	kindSkill kind = iota
	kindPrompt
)

// Scopes of a discovered resource.
const (
	scopeProject = "project"
	scopeUser    = "user"
)

// found is one resource file discovered by pi's resolution rules, before it
// is parsed.
type found struct {
	path     string
	scope    string   // scopeProject or scopeUser
	local    bool     // listed by a settings entry (not auto-discovered)
	baseDir  string   // what relative patterns are relative to
	patterns []string // the settings list that decides whether it is on
	real     string   // realpath, set once discovered
}

// rank is pi's precedence: project settings entries, project auto
// discovery, user settings entries, user auto discovery.
func (f found) rank() int {
	r := 0
	if f.scope == scopeUser {
		r = 2
	}
	if !f.local {
		r++
	}
	return r
}

// discoverInput is what resolution needs about one project.
type discoverInput struct {
	agentDir, home, project string
	global, proj            []string // settings lists (skills or prompts)
	real                    realpaths
}

// discover lists the resource files of kind k in pi's order: every file
// once (first by path, then by realpath), highest precedence first.
func discover(k kind, in discoverInput) []found {
	var all []found
	seen := map[string]bool{}
	add := func(f found) {
		if !seen[f.path] {
			seen[f.path] = true
			all = append(all, f)
		}
	}
	projBase := filepath.Join(in.project, ".pi")
	for _, src := range []struct {
		entries []string
		base    string
		scope   string
	}{{in.proj, projBase, scopeProject}, {in.global, in.agentDir, scopeUser}} {
		plain, _ := splitEntries(src.entries)
		for _, p := range plain {
			for _, file := range filesAt(k, resolveFrom(p, src.base, in.home)) {
				add(found{path: file, scope: src.scope, local: true, baseDir: src.base, patterns: src.entries})
			}
		}
	}
	auto := func(files []string, scope, base string, patterns []string) {
		for _, file := range files {
			add(found{path: file, scope: scope, baseDir: base, patterns: patterns})
		}
	}
	userAgents := filepath.Join(in.home, ".agents", "skills")
	switch k {
	case kindSkill:
		auto(collectSkillFiles(filepath.Join(projBase, "skills"), skillModePi), scopeProject, projBase, in.proj)
		for _, d := range ancestorAgentsSkillDirs(in.project) {
			if d != userAgents {
				auto(collectSkillFiles(d, skillModeAgents), scopeProject, filepath.Dir(d), in.proj)
			}
		}
		auto(collectSkillFiles(filepath.Join(in.agentDir, "skills"), skillModePi), scopeUser, in.agentDir, in.global)
		if in.home != "" {
			auto(collectSkillFiles(userAgents, skillModeAgents), scopeUser, filepath.Dir(userAgents), in.global)
		}
	case kindPrompt:
		auto(collectPromptFiles(filepath.Join(projBase, "prompts")), scopeProject, projBase, in.proj)
		auto(collectPromptFiles(filepath.Join(in.agentDir, "prompts")), scopeUser, in.agentDir, in.global)
	}
	slices.SortStableFunc(all, func(a, b found) int { return a.rank() - b.rank() })
	byReal := map[string]bool{}
	out := all[:0]
	for _, f := range all {
		f.real = in.real.of(f.path)
		if byReal[f.real] {
			continue
		}
		byReal[f.real] = true
		out = append(out, f)
	}
	return out
}

// filesAt expands one settings path: a file is itself, a directory is
// searched (skills as skill directories, prompts recursively), a missing
// path is nothing.
func filesAt(k kind, p string) []string {
	st, err := os.Stat(p)
	if err != nil {
		return nil
	}
	if st.Mode().IsRegular() {
		return []string{p}
	}
	if !st.IsDir() {
		return nil
	}
	if k == kindSkill {
		return collectSkillFiles(p, skillModePi)
	}
	return collectMarkdownFiles(p)
}

// enabled decides a discovered resource named name, given the global
// settings list: pi's rules for the list of its own scope (global for user
// resources, the project's .pi/settings.json for project ones), and for
// project resources also the name entries of the global list (the toggle
// of /config/skills and /config/prompts).
func (f found) enabled(name string, global []string) bool {
	patterns := f.patterns
	if f.scope == scopeUser {
		patterns = global
	}
	c := newCandidates(f.path, f.baseDir, name)
	on := parsePatterns(patterns).enabled(c, f.local)
	if f.scope == scopeProject {
		on = nameOverride(global, name, on)
	}
	return on
}
