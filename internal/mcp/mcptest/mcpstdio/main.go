// Command mcpstdio is a tiny stdio MCP server for tests (mcptest.BuildStdio):
// it reports its environment, working directory and pid, echoes, and can
// exit on request. At start it writes one line to stderr naming the value
// of MCPSTDIO_TOKEN (to test that logs are scrubbed).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func text(s string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
}

func main() {
	fmt.Fprintf(os.Stderr, "mcpstdio ready token=%s\n", os.Getenv("MCPSTDIO_TOKEN"))
	s := mcp.NewServer(&mcp.Implementation{Name: "mcpstdio", Version: "1"}, nil)
	obj := map[string]any{"type": "object", "properties": map[string]any{"text": map[string]any{"type": "string"}}}
	s.AddTool(&mcp.Tool{Name: "env", Description: "the environment", InputSchema: obj},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			env := os.Environ()
			sort.Strings(env)
			data, _ := json.Marshal(env)
			return text(string(data)), nil
		})
	s.AddTool(&mcp.Tool{Name: "cwd", InputSchema: obj},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			wd, _ := os.Getwd()
			return text(wd), nil
		})
	s.AddTool(&mcp.Tool{Name: "pid", InputSchema: obj},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return text(fmt.Sprint(os.Getpid())), nil
		})
	s.AddTool(&mcp.Tool{Name: "echo", Description: "echoes text", InputSchema: obj},
		func(_ context.Context, r *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			var in struct{ Text string }
			_ = json.Unmarshal(r.Params.Arguments, &in)
			return text(strings.ToUpper(in.Text)), nil
		})
	s.AddTool(&mcp.Tool{Name: "exit", Description: "exits the server", InputSchema: obj},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			os.Exit(3)
			return nil, nil
		})
	if err := s.Run(context.Background(), &mcp.StdioTransport{}); err != nil {
		fmt.Fprintln(os.Stderr, "mcpstdio:", err)
		os.Exit(1)
	}
}
