// Package process is the process tool: background processes a session's
// agent starts and watches (dev servers, watchers, long builds), with
// in-memory output tails, log files, stdin, kill with a grace period, log
// watches and alerts that bring the agent back when something happens.
package process

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/tools"
)

// Name is the tool's name.
const Name = "process"

//go:embed process.md
var description string

const schema = `{"type":"object","required":["action"],"properties":{` +
	`"action":{"type":"string","enum":["start","list","output","logs","kill","clear","write"],"description":"What to do"},` +
	`"command":{"type":"string","description":"Shell command to run (start)"},` +
	`"name":{"type":"string","description":"Short name for the process, e.g. \"dev-server\" (start)"},` +
	`"id":{"type":"string","description":"Process id from start or list (output, logs, kill, write)"},` +
	`"input":{"type":"string","description":"Text for the process's stdin (write)"},` +
	`"end":{"type":"boolean","description":"Close stdin after writing (write)"},` +
	`"alertOnSuccess":{"type":"boolean","description":"Note a clean exit in the chat (default false); it does not start a turn"},` +
	`"alertOnFailure":{"type":"boolean","description":"Get a turn when the process exits with an error (default true)"},` +
	`"alertOnKill":{"type":"boolean","description":"Get a turn when something outside kills the process (default false); kill via this tool never alerts"},` +
	`"logWatches":{"type":"array","description":"Output patterns that give you a turn when a line matches (start)","items":{"type":"object","required":["pattern"],"properties":{` +
	`"pattern":{"type":"string","description":"Regular expression (RE2) matched against each output line"},` +
	`"stream":{"type":"string","enum":["stdout","stderr","both"],"description":"Which output to watch (default both)"},` +
	`"repeat":{"type":"boolean","description":"Fire on every match instead of only the first (default false)"}}}}}}`

// Details is the details object of every process result.
type Details struct {
	Action    string  `json:"action"`
	Success   bool    `json:"success"`
	Message   string  `json:"message"`
	Process   *Info   `json:"process,omitempty"`
	Processes []Info  `json:"processes,omitempty"`
	Output    *Output `json:"output,omitempty"`
	LogFiles  *Logs   `json:"logFiles,omitempty"`
	Cleared   *int    `json:"cleared,omitempty"`
}

// Logs are a process's log file paths.
type Logs struct {
	StdoutFile string `json:"stdoutFile"`
	StderrFile string `json:"stderrFile"`
}

// Tool is the process tool over one session's manager.
type Tool struct {
	m *Manager
	// Sandboxed adds a note to logs: the tool user may not read them.
	Sandboxed bool
}

// NewTool returns the tool for m.
func NewTool(m *Manager, sandboxed bool) *Tool { return &Tool{m: m, Sandboxed: sandboxed} }

// Spec implements agent.Tool.
func (t *Tool) Spec() ai.ToolSpec {
	return ai.ToolSpec{Name: Name, Description: strings.TrimSpace(description), Parameters: json.RawMessage(schema)}
}

// PromptInfo implements tools.Prompter.
func (t *Tool) PromptInfo() tools.PromptInfo {
	return tools.PromptInfo{
		Snippet: "Run and watch long-lived background processes (dev servers, watchers, builds) with captured logs",
		Guidelines: []string{
			"Use process start for anything that keeps running or takes minutes (dev servers, file watchers, long builds and test runs); use bash for quick one-shot commands",
			"Do not background commands inside bash with &, nohup, disown or setsid when the process tool fits",
			"Do not poll with list or output to wait for something: set alertOnSuccess/alertOnFailure or a logWatches pattern (e.g. \"ready|listening\") and carry on; you get a turn when it happens",
			"Kill processes you no longer need",
		},
	}
}

type args struct {
	Action         string  `json:"action"`
	Command        string  `json:"command"`
	Name           string  `json:"name"`
	ID             string  `json:"id"`
	Input          *string `json:"input"`
	End            bool    `json:"end"`
	AlertOnSuccess *bool   `json:"alertOnSuccess"`
	AlertOnFailure *bool   `json:"alertOnFailure"`
	AlertOnKill    *bool   `json:"alertOnKill"`
	LogWatches     []Watch `json:"logWatches"`
}

// Execute implements agent.Tool. Refusals are tool errors with a short
// explanation.
func (t *Tool) Execute(_ context.Context, call agent.ToolCall, _ func(agent.ToolResult)) (agent.ToolResult, error) {
	var a args
	if len(call.Args) > 0 {
		if err := json.Unmarshal(call.Args, &a); err != nil {
			return agent.ToolResult{}, fmt.Errorf("invalid arguments for tool %q: %w", Name, err)
		}
	}
	switch a.Action {
	case "start":
		return t.start(a)
	case "list":
		return t.list()
	case "output":
		return t.output(a)
	case "logs":
		return t.logs(a)
	case "kill":
		return t.kill(a)
	case "clear":
		n := t.m.Clear()
		return done(Details{Action: "clear", Message: fmt.Sprintf("Cleared %d finished process(es)", n), Cleared: &n}), nil
	case "write":
		return t.write(a)
	}
	return agent.ToolResult{}, fmt.Errorf("unknown action %q", a.Action)
}

func done(d Details) agent.ToolResult {
	d.Success = true
	return agent.ToolResult{Content: []ai.Content{ai.TextContent(d.Message)}, Details: d}
}

func orDefault(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

func (t *Tool) start(a args) (agent.ToolResult, error) {
	switch {
	case strings.TrimSpace(a.Name) == "":
		return agent.ToolResult{}, errors.New("start needs a name")
	case strings.TrimSpace(a.Command) == "":
		return agent.ToolResult{}, errors.New("start needs a command")
	}
	info, err := t.m.Start(a.Name, a.Command, StartOptions{
		AlertOnSuccess: orDefault(a.AlertOnSuccess, false),
		AlertOnFailure: orDefault(a.AlertOnFailure, true),
		AlertOnKill:    orDefault(a.AlertOnKill, false),
		Watches:        a.LogWatches,
	})
	if err != nil {
		return agent.ToolResult{}, err
	}
	var alerts []string
	if info.AlertOnSuccess {
		alerts = append(alerts, "success")
	}
	if info.AlertOnFailure {
		alerts = append(alerts, "failure")
	}
	if info.AlertOnKill {
		alerts = append(alerts, "outside kill")
	}
	msg := fmt.Sprintf("Started %q as process %s (pid %d) in %s.", info.Name, info.ID, info.PID, info.Cwd)
	if len(alerts) > 0 {
		msg += " You will hear about: " + strings.Join(alerts, ", ") + "."
	}
	if len(a.LogWatches) > 0 {
		msg += fmt.Sprintf(" %d log watch(es) armed.", len(a.LogWatches))
	}
	msg += " Use output for recent lines and logs for the full log files."
	return done(Details{Action: "start", Message: msg, Process: &info}), nil
}

// pollingSuppressed keeps the "Polling suppressed" opening the model
// knows from the reference.
func pollingSuppressed(action string) error {
	//lint:ignore ST1005 the reference's wording
	return fmt.Errorf("Polling suppressed: process %s was called again within %s and nothing changed. "+
		"Do not call it repeatedly to wait; continue with other work and rely on alertOnSuccess, alertOnFailure or logWatches to be told",
		action, pollWindow)
}

func (t *Tool) list() (agent.ToolResult, error) {
	list := t.m.List()
	var live []string
	for _, p := range list {
		if p.Status.Live() {
			live = append(live, p.ID+":"+string(p.Status))
		}
	}
	if len(live) > 0 && t.m.polling("list", strings.Join(live, "|")) {
		return agent.ToolResult{}, pollingSuppressed("list")
	}
	if len(list) == 0 {
		return done(Details{Action: "list", Message: "No background processes.", Processes: []Info{}}), nil
	}
	lines := make([]string, len(list))
	now := t.m.o.Now().UnixMilli()
	for i, p := range list {
		state := string(p.Status)
		switch {
		case p.Status.Live():
			state += ", " + round(time.Duration(now-p.StartTime)*time.Millisecond).String()
		case p.ExitCode != nil:
			state += fmt.Sprintf(", exit code %d", *p.ExitCode)
		}
		lines[i] = fmt.Sprintf("%s %q (%s, pid %d): %s", p.ID, p.Name, state, p.PID, clip(p.Command, 200))
	}
	return done(Details{Action: "list", Message: strings.Join(lines, "\n"), Processes: list}), nil
}

// outputTailLines is what output returns to the model per stream; the
// details keep DefaultTail.
const (
	outputTailLines = 50
	DefaultTail     = 200
)

func (t *Tool) output(a args) (agent.ToolResult, error) {
	if a.ID == "" {
		return agent.ToolResult{}, errors.New("output needs an id")
	}
	if info, ok := t.m.Get(a.ID); ok && info.Status.Live() && t.m.polling("output:"+a.ID, t.m.outputSignature(a.ID)) {
		return agent.ToolResult{}, pollingSuppressed("output")
	}
	out, err := t.m.Output(a.ID, DefaultTail)
	if err != nil {
		return agent.ToolResult{}, notFound(a.ID)
	}
	parts := []string{"Status: " + string(out.Status)}
	for _, s := range []struct {
		name  string
		lines []string
	}{{Stdout, out.Stdout}, {Stderr, out.Stderr}} {
		if len(s.lines) > 0 {
			tail := s.lines[max(0, len(s.lines)-outputTailLines):]
			parts = append(parts, "--- "+s.name+" ---", strings.Join(tail, "\n"))
		}
	}
	return done(Details{Action: "output", Message: strings.Join(parts, "\n"), Output: &out}), nil
}

func notFound(id string) error { return fmt.Errorf("no process with id %q in this session", id) }

func (t *Tool) logs(a args) (agent.ToolResult, error) {
	if a.ID == "" {
		return agent.ToolResult{}, errors.New("logs needs an id")
	}
	info, ok := t.m.Get(a.ID)
	if !ok {
		return agent.ToolResult{}, notFound(a.ID)
	}
	msg := fmt.Sprintf("Log files of %s:\n  stdout: %s\n  stderr: %s\nRead them with the read tool (a file over 10 MiB moves to <file>.1).",
		a.ID, info.StdoutFile, info.StderrFile)
	if t.Sandboxed {
		msg += "\nIn this sandboxed server the tool user may not be allowed to read them; use output for recent lines."
	}
	return done(Details{Action: "logs", Message: msg, LogFiles: &Logs{StdoutFile: info.StdoutFile, StderrFile: info.StderrFile}}), nil
}

func (t *Tool) kill(a args) (agent.ToolResult, error) {
	if a.ID == "" {
		return agent.ToolResult{}, errors.New("kill needs an id")
	}
	info, err := t.m.Kill(a.ID)
	if err != nil {
		return agent.ToolResult{}, notFound(a.ID)
	}
	msg := fmt.Sprintf("Stopping %q (%s): SIGTERM sent, SIGKILL follows after %s if it is still running.", info.Name, info.ID, t.m.o.Grace)
	if !info.Status.Live() {
		msg = fmt.Sprintf("%q (%s) had already ended (%s).", info.Name, info.ID, info.Status)
	}
	return done(Details{Action: "kill", Message: msg, Process: &info}), nil
}

func (t *Tool) write(a args) (agent.ToolResult, error) {
	if a.ID == "" {
		return agent.ToolResult{}, errors.New("write needs an id")
	}
	if a.Input == nil {
		return agent.ToolResult{}, errors.New("write needs input")
	}
	switch err := t.m.Write(a.ID, *a.Input, a.End); {
	case errors.Is(err, ErrNotFound):
		return agent.ToolResult{}, notFound(a.ID)
	case errors.Is(err, ErrExited):
		return agent.ToolResult{}, fmt.Errorf("process %s has already exited", a.ID)
	case errors.Is(err, ErrStdinClosed):
		return agent.ToolResult{}, fmt.Errorf("stdin of process %s is already closed", a.ID)
	case err != nil:
		return agent.ToolResult{}, fmt.Errorf("writing to process %s failed: %w", a.ID, err)
	}
	msg := "Wrote to " + a.ID
	if a.End {
		msg += " and closed its stdin"
	}
	return done(Details{Action: "write", Message: msg}), nil
}
