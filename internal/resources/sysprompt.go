package resources

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ContextFile is an AGENTS.md or CLAUDE.md included in the system prompt.
type ContextFile struct {
	Path    string `json:"path"`
	Content string `json:"content"`
}

// contextFileNames are tried in order in each directory; the first that
// exists is that directory's context file.
var contextFileNames = []string{"AGENTS.md", "AGENTS.MD", "CLAUDE.md", "CLAUDE.MD"}

func contextFileIn(dir string) *ContextFile {
	for _, n := range contextFileNames {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			continue // pi warns and tries the next name
		}
		return &ContextFile{Path: p, Content: string(data)}
	}
	return nil
}

// loadContextFiles returns the agent dir's context file, then those of
// every directory from the filesystem root down to cwd (pi's order), each
// path once.
func loadContextFiles(agentDir, cwd string) []ContextFile {
	var out []ContextFile
	seen := map[string]bool{}
	if f := contextFileIn(agentDir); f != nil {
		out = append(out, *f)
		seen[f.Path] = true
	}
	var chain []ContextFile
	for d := cwd; ; {
		if f := contextFileIn(d); f != nil && !seen[f.Path] {
			chain = append([]ContextFile{*f}, chain...)
			seen[f.Path] = true
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return append(out, chain...)
}

// ToolPrompt is what the system prompt says about one active tool.
type ToolPrompt struct {
	Name       string
	Snippet    string // one line for "Available tools:"; a tool without one is not listed
	Guidelines []string
}

// PromptInput is everything the system prompt is built from.
type PromptInput struct {
	Custom       string   // SYSTEM.md content; "" keeps the default prompt
	Append       []string // APPEND_SYSTEM.md, the secret-hygiene rule, the project addendum
	ContextFiles []ContextFile
	Skills       []Skill
	Tools        []ToolPrompt // the active tools, in order
	Cwd          string
	Now          time.Time
}

// The default prompt's prose is pi-forge's own; its layout (sections and
// their order) is pi's.
const (
	identityText = "You are a coding assistant working inside pi-forge, an agent workbench built on the pi coding agent. " +
		"You help the user by reading files, running commands, editing code and creating files."
	otherToolsText  = "Other tools may be available for some projects beyond those listed above."
	bashOnlyRule    = "Use bash for file operations such as ls, rg and find"
	preferToolsRule = "For exploring files, prefer the grep, find and ls tools over bash (they are faster and honour .gitignore)"
	conciseRule     = "Keep answers concise"
	pathsRule       = "Name file paths clearly when you work with files"
	contextHeading  = "\n\n# Project Context\n\nInstructions and conventions for this project:\n\n"
)

// BuildSystemPrompt assembles the system prompt in pi's layout: the
// default text (tool list and guidelines) or SYSTEM.md, then the appended
// texts, the context files, the skills (only when read is active), the date
// and the working directory.
func BuildSystemPrompt(in PromptInput) string {
	var b strings.Builder
	hasRead := false
	for _, t := range in.Tools {
		hasRead = hasRead || t.Name == "read"
	}
	if in.Custom != "" {
		b.WriteString(in.Custom)
	} else {
		writeDefaultPrompt(&b, in.Tools)
	}
	if len(in.Append) > 0 {
		if a := strings.Join(in.Append, "\n\n"); a != "" {
			b.WriteString("\n\n" + a)
		}
	}
	if len(in.ContextFiles) > 0 {
		b.WriteString(contextHeading)
		for _, f := range in.ContextFiles {
			b.WriteString("## " + f.Path + "\n\n" + f.Content + "\n\n")
		}
	}
	if hasRead {
		b.WriteString(FormatSkills(in.Skills))
	}
	b.WriteString("\nCurrent date: " + in.Now.Format("2006-01-02"))
	b.WriteString("\nCurrent working directory: " + strings.ReplaceAll(in.Cwd, `\`, "/"))
	return b.String()
}

func writeDefaultPrompt(b *strings.Builder, tools []ToolPrompt) {
	var lines []string
	has := map[string]bool{}
	for _, t := range tools {
		has[t.Name] = true
		if s := oneLine(t.Snippet); s != "" {
			lines = append(lines, "- "+t.Name+": "+s)
		}
	}
	list := "(none)"
	if len(lines) > 0 {
		list = strings.Join(lines, "\n")
	}
	var rules []string
	seen := map[string]bool{}
	addRule := func(r string) {
		r = strings.TrimSpace(r)
		if r != "" && !seen[r] {
			seen[r] = true
			rules = append(rules, "- "+r)
		}
	}
	explore := has["grep"] || has["find"] || has["ls"]
	switch {
	case has["bash"] && !explore:
		addRule(bashOnlyRule)
	case has["bash"]:
		addRule(preferToolsRule)
	}
	for _, t := range tools {
		for _, g := range t.Guidelines {
			addRule(g)
		}
	}
	addRule(conciseRule)
	addRule(pathsRule)
	b.WriteString(identityText + "\n\nAvailable tools:\n" + list + "\n\n" + otherToolsText +
		"\n\nGuidelines:\n" + strings.Join(rules, "\n"))
}

// oneLine collapses a snippet to one line, as pi normalises promptSnippet.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
