package mcp

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// ProjectFile is a project's own server list, read-only for pi-forge.
const ProjectFile = ".mcp.json"

// maxProjectFile bounds what is read of a .mcp.json.
const maxProjectFile = 1 << 20

// Project is the project a session or a request is about.
type Project struct {
	ID   string
	Path string // absolute project directory
}

// projectServer is one .mcp.json entry: a ServerCfg, plus the "type" key
// of the Claude Desktop / Claude Code shape.
type projectServer struct {
	ServerCfg
	Type string `json:"type"`
}

// LoadProjectServers reads <dir>/.mcp.json: either {servers:{…}} or the
// Claude Desktop shape {mcpServers:{…}}. A missing, empty, oversized or
// unparsable file, or entries that are not valid servers, count as none
// (the reason is returned for the log). A "type" of sse or http picks the
// transport when none is given.
func LoadProjectServers(dir string) (map[string]ServerCfg, []string) {
	path := filepath.Join(dir, ProjectFile)
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return map[string]ServerCfg{}, nil
	}
	if st.Size() > maxProjectFile {
		return map[string]ServerCfg{}, []string{path + " is larger than 1 MiB; ignored"}
	}
	data, err := os.ReadFile(path)
	if err != nil || len(data) == 0 {
		return map[string]ServerCfg{}, nil
	}
	var raw struct {
		Servers    map[string]json.RawMessage `json:"servers"`
		MCPServers map[string]json.RawMessage `json:"mcpServers"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return map[string]ServerCfg{}, []string{path + " is not valid JSON; ignored"}
	}
	entries := raw.Servers
	if entries == nil {
		entries = raw.MCPServers
	}
	out := map[string]ServerCfg{}
	var problems []string
	for name, msg := range entries {
		var s projectServer
		if err := json.Unmarshal(msg, &s); err != nil {
			problems = append(problems, "server "+name+" in "+path+" is not an object; ignored")
			continue
		}
		cfg := s.ServerCfg
		if cfg.URL != "" && cfg.Transport == "" {
			switch s.Type {
			case "sse":
				cfg.Transport = TransportSSE
			case "http", "streamable-http", "streamableHttp":
				cfg.Transport = TransportStreamable
			}
		}
		if err := ValidateName(name); err != nil {
			problems = append(problems, "server "+name+" in "+path+": "+err.Error())
			continue
		}
		if err := cfg.Validate(); err != nil {
			problems = append(problems, "server "+name+" in "+path+": "+err.Error())
			continue
		}
		out[name] = cfg
	}
	return out, problems
}
