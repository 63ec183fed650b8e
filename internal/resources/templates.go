package resources

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Template is one prompt template (pi's prompt-templates.md): /name args
// expands to Content with the arguments substituted.
type Template struct {
	Name         string `json:"name"`
	Description  string `json:"description"`
	ArgumentHint string `json:"argumentHint,omitempty"`
	Content      string `json:"content"`
	FilePath     string `json:"filePath"`
	Scope        string `json:"scope"` // "project" or "user"
}

// descriptionFromBody is pi's fallback description: the first non-blank
// line, cut to 60 UTF-16 units with "..." when longer.
func descriptionFromBody(body string) string {
	for _, line := range strings.Split(body, "\n") {
		if trimJS(line) == "" {
			continue
		}
		units := utf16.Encode([]rune(line))
		if len(units) <= 60 {
			return line
		}
		return string(utf16.Decode(units[:60])) + "..."
	}
	return ""
}

// loadTemplateFile parses one template; a file that can not be read or
// whose header is not YAML is skipped, as in pi.
func loadTemplateFile(path, scope string) *Template {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	fm, body, err := parseFrontmatter(string(data))
	if err != nil {
		return nil
	}
	desc := fmString(fm, "description")
	if desc == "" {
		desc = descriptionFromBody(body)
	}
	return &Template{
		Name:         strings.TrimSuffix(filepath.Base(path), ".md"),
		Description:  desc,
		ArgumentHint: fmString(fm, "argument-hint"),
		Content:      body,
		FilePath:     path,
		Scope:        scope,
	}
}

// loadedTemplate is a parsed template with how it was found.
type loadedTemplate struct {
	Template
	from found
}

func loadTemplates(files []found) []loadedTemplate {
	var out []loadedTemplate
	for _, f := range files {
		if !strings.HasSuffix(f.path, ".md") {
			continue
		}
		if t := loadTemplateFile(f.path, f.scope); t != nil {
			out = append(out, loadedTemplate{Template: *t, from: f})
		}
	}
	return out
}

// pickTemplates keeps the templates keep accepts, first name wins; losers
// become collision diagnostics.
func pickTemplates(all []loadedTemplate, keep func(loadedTemplate) bool) ([]loadedTemplate, []ResourceDiagnostic) {
	byName := map[string]loadedTemplate{}
	var out []loadedTemplate
	var diags []ResourceDiagnostic
	for _, t := range all {
		if !keep(t) {
			continue
		}
		if w, ok := byName[t.Name]; ok {
			diags = append(diags, ResourceDiagnostic{
				Type: "collision", Message: fmt.Sprintf("name %q collision", "/"+t.Name), Path: t.FilePath,
				Collision: &ResourceCollision{ResourceType: "prompt", Name: t.Name, WinnerPath: w.FilePath, LoserPath: t.FilePath},
			})
			continue
		}
		byName[t.Name] = t
		out = append(out, t)
	}
	return out, diags
}

// ParseArgs splits a template's argument string as pi does: on white
// space, with '…' and "…" grouping and no escapes.
func ParseArgs(s string) []string {
	var args []string
	var cur strings.Builder
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote = r
		case jsSpace(r):
			if cur.Len() > 0 {
				args = append(args, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		args = append(args, cur.String())
	}
	return args
}

var (
	positionalArg = regexp.MustCompile(`\$(\d+)`)
	sliceArg      = regexp.MustCompile(`\$\{@:(\d+)(?::(\d+))?\}`)
)

// SubstituteArgs fills a template body with pi's four passes, in pi's
// order: $1..$N (missing → ""), ${@:N} and ${@:N:L}, $ARGUMENTS, then $@.
// Each pass runs over the previous pass's output, exactly as pi's does.
func SubstituteArgs(content string, args []string) string {
	out := positionalArg.ReplaceAllStringFunc(content, func(m string) string {
		n, err := strconv.Atoi(m[1:])
		if err != nil || n < 1 || n > len(args) {
			return ""
		}
		return args[n-1]
	})
	out = sliceArg.ReplaceAllStringFunc(out, func(m string) string {
		sub := sliceArg.FindStringSubmatch(m)
		// Numbers too big for an int behave like JavaScript's huge ones:
		// a start past the end selects nothing, a length past it all.
		start, err := strconv.Atoi(sub[1])
		if err != nil || start > len(args) {
			start = len(args) + 1
		}
		start = max(start-1, 0)
		end := len(args)
		if sub[2] != "" {
			if l, err := strconv.Atoi(sub[2]); err == nil && l < len(args) {
				end = min(start+l, len(args))
			}
		}
		return strings.Join(args[start:end], " ")
	})
	all := strings.Join(args, " ")
	out = strings.ReplaceAll(out, "$ARGUMENTS", all)
	return strings.ReplaceAll(out, "$@", all)
}

// expandTemplate turns "/name args" into the named template's content with
// the arguments substituted; other text is returned unchanged. expandArgs
// rewrites the parsed arguments (the @file expansion) and may be nil.
func expandTemplate(text string, templates []Template, expandArgs func([]string) []string) string {
	rest, ok := strings.CutPrefix(text, "/")
	if !ok {
		return text
	}
	i := strings.IndexFunc(rest, jsSpace)
	name, argText := rest, ""
	if i >= 0 {
		name, argText = rest[:i], strings.TrimLeftFunc(rest[i:], jsSpace)
	}
	if name == "" {
		return text
	}
	for _, t := range templates {
		if t.Name != name {
			continue
		}
		args := ParseArgs(argText)
		if expandArgs != nil {
			args = expandArgs(args)
		}
		return SubstituteArgs(t.Content, args)
	}
	return text
}
