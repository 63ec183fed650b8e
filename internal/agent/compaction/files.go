package compaction

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// FileOps collects the paths the read, write and edit tools touched.
type FileOps struct {
	Read, Written, Edited map[string]struct{}
}

// NewFileOps returns empty file sets.
func NewFileOps() FileOps {
	return FileOps{Read: map[string]struct{}{}, Written: map[string]struct{}{}, Edited: map[string]struct{}{}}
}

// FileDetails is the details object pi stores on compaction and branch
// summary entries.
type FileDetails struct {
	ReadFiles     []string `json:"readFiles"`
	ModifiedFiles []string `json:"modifiedFiles"`
}

// AddMessage records the paths of an assistant message's read, write and
// edit tool calls (those whose arguments carry a string "path").
func (f FileOps) AddMessage(m *ai.Message) {
	if m.Role != ai.RoleAssistant {
		return
	}
	for _, c := range m.Content {
		if c.Type != ai.ContentToolCall || len(c.Arguments) == 0 {
			continue
		}
		var args struct {
			Path any `json:"path"`
		}
		if json.Unmarshal(c.Arguments, &args) != nil {
			continue
		}
		path, ok := args.Path.(string)
		if !ok || path == "" {
			continue
		}
		switch c.Name {
		case "read":
			f.Read[path] = struct{}{}
		case "write":
			f.Written[path] = struct{}{}
		case "edit":
			f.Edited[path] = struct{}{}
		}
	}
}

// AddDetails merges the file lists of an earlier summary's details. Details
// of other shapes are ignored.
func (f FileOps) AddDetails(details json.RawMessage) {
	if len(details) == 0 {
		return
	}
	var d struct {
		ReadFiles     []any `json:"readFiles"`
		ModifiedFiles []any `json:"modifiedFiles"`
	}
	if json.Unmarshal(details, &d) != nil {
		return
	}
	for _, p := range d.ReadFiles {
		if s, ok := p.(string); ok {
			f.Read[s] = struct{}{}
		}
	}
	for _, p := range d.ModifiedFiles {
		if s, ok := p.(string); ok {
			f.Edited[s] = struct{}{}
		}
	}
}

// Lists returns the files only read and the files modified, both sorted.
func (f FileOps) Lists() FileDetails {
	modified := map[string]struct{}{}
	for p := range f.Edited {
		modified[p] = struct{}{}
	}
	for p := range f.Written {
		modified[p] = struct{}{}
	}
	d := FileDetails{ReadFiles: []string{}, ModifiedFiles: []string{}}
	for p := range f.Read {
		if _, ok := modified[p]; !ok {
			d.ReadFiles = append(d.ReadFiles, p)
		}
	}
	for p := range modified {
		d.ModifiedFiles = append(d.ModifiedFiles, p)
	}
	slices.Sort(d.ReadFiles)
	slices.Sort(d.ModifiedFiles)
	return d
}

// FormatFileLists renders the lists as the sections appended to a summary;
// empty lists are left out and nothing at all gives "".
func FormatFileLists(d FileDetails) string {
	var sections []string
	if len(d.ReadFiles) > 0 {
		sections = append(sections, "<read-files>\n"+strings.Join(d.ReadFiles, "\n")+"\n</read-files>")
	}
	if len(d.ModifiedFiles) > 0 {
		sections = append(sections, "<modified-files>\n"+strings.Join(d.ModifiedFiles, "\n")+"\n</modified-files>")
	}
	if len(sections) == 0 {
		return ""
	}
	return "\n\n" + strings.Join(sections, "\n\n")
}
