package tools

import (
	"context"
	_ "embed"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
)

//go:embed write.md
var writeDescription string

const writeSchema = `{"type":"object","required":["path","content"],"properties":{` +
	`"path":{"type":"string","description":"File to write: relative to the working directory, or absolute"},` +
	`"content":{"type":"string","description":"The complete new content of the file"}}}`

type writeTool struct{ base }

type writeArgs struct {
	Path    string `json:"path"`
	Content string `json:"content"`
}

func (t *writeTool) Spec() ai.ToolSpec {
	return ai.ToolSpec{Name: NameWrite, Description: strings.TrimSpace(writeDescription), Parameters: json.RawMessage(writeSchema)}
}

func (t *writeTool) PromptInfo() PromptInfo {
	return PromptInfo{Snippet: "Create or overwrite files", Guidelines: []string{"Use write only to create a file or to replace one completely."}}
}

func (t *writeTool) Execute(ctx context.Context, call agent.ToolCall, _ func(agent.ToolResult)) (agent.ToolResult, error) {
	var args writeArgs
	if err := decodeArgs(call, &args); err != nil {
		return agent.ToolResult{}, err
	}
	if hasNUL(args.Path) {
		return agent.ToolResult{}, nulPathError(args.Path)
	}
	abs, err := t.resolve(args.Path)
	if err != nil {
		return agent.ToolResult{}, err
	}
	err = t.opts.Mutations.Do(abs, func() error {
		if err := aborted(ctx); err != nil {
			return err
		}
		dir := filepath.Dir(abs)
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return nodeError(err, "mkdir", dir)
		}
		if err := aborted(ctx); err != nil {
			return err
		}
		if err := writeFileInPlace(abs, []byte(args.Content)); err != nil {
			return err
		}
		return t.afterWrite(abs)
	})
	if err != nil {
		return agent.ToolResult{}, err
	}
	return textResult("Successfully wrote "+strconv.Itoa(utf16Len(args.Content))+" bytes to "+args.Path, nil), nil
}

// writeFileInPlace truncates and writes the file like Node's writeFile, so
// an existing file keeps its inode, mode, owner and hard links.
func writeFileInPlace(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return nodeError(err, "open", path)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nodeError(err, "write", "")
	}
	if err := f.Close(); err != nil {
		return nodeError(err, "close", "")
	}
	return nil
}
