// Package askuser is the ask_user_question tool: the agent puts up to four
// multiple-choice questions to the user, every browser watching the session
// shows them, and the tool waits until one of them answers or the run is
// aborted.
package askuser

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/tools"
)

// Name is the tool's name.
const Name = "ask_user_question"

//go:embed askuser.md
var description string

// The schema types the fields but leaves counts and lengths to Validate,
// so a bad questionnaire gets its stable error code rather than a generic
// schema message.
const schema = `{"type":"object","required":["questions"],"properties":{"questions":{"type":"array",` +
	`"description":"1 to 4 questions, asked together","items":{"type":"object","properties":{` +
	`"question":{"type":"string","description":"The full question, ending with a question mark"},` +
	`"header":{"type":"string","description":"Short tab label, at most 16 characters"},` +
	`"multiSelect":{"type":"boolean","description":"Let the user pick several options (default false)"},` +
	`"options":{"type":"array","description":"2 to 4 distinct choices","items":{"type":"object","properties":{` +
	`"label":{"type":"string","description":"The choice in a few words, at most 60 characters"},` +
	`"description":{"type":"string","description":"What choosing it means, its trade-off"},` +
	`"preview":{"type":"string","description":"Optional markdown shown beside the options (single-select only), e.g. a code sketch or layout"}` +
	`}}}}}}}}`

// CancelledText is the result text of a questionnaire closed without any
// answer.
const CancelledText = "User cancelled the questionnaire without answering. Continue in free-form conversation."

// Details is the details object of every result.
type Details struct {
	Answers   []Answer `json:"answers"`
	Cancelled bool     `json:"cancelled"`
	Error     string   `json:"error,omitempty"`
}

// Tool is ask_user_question over one session's broker.
type Tool struct{ broker *Broker }

// NewTool returns the tool for broker.
func NewTool(b *Broker) *Tool { return &Tool{broker: b} }

// Spec implements agent.Tool.
func (t *Tool) Spec() ai.ToolSpec {
	return ai.ToolSpec{Name: Name, Description: strings.TrimSpace(description), Parameters: json.RawMessage(schema)}
}

// PromptInfo implements tools.Prompter.
func (t *Tool) PromptInfo() tools.PromptInfo {
	return tools.PromptInfo{
		Snippet: "Ask the user multiple-choice questions in the browser and wait for the answers",
		Guidelines: []string{
			"Use ask_user_question when a decision is the user's to make and the request leaves it open (a library, a naming scheme, which of two designs); do not use it for things you can find out yourself",
			"Offer 2-4 concrete, distinct options with a one-line description each; the user can always type their own answer, so never add an \"Other\" option",
			"Batch related questions into one call (up to 4) instead of asking one after another",
		},
	}
}

type args struct {
	Questions []Question `json:"questions"`
}

// Execute implements agent.Tool. It blocks until the user answers or ctx
// ends.
func (t *Tool) Execute(ctx context.Context, call agent.ToolCall, _ func(agent.ToolResult)) (agent.ToolResult, error) {
	var a args
	if len(call.Args) > 0 {
		if err := json.Unmarshal(call.Args, &a); err != nil {
			return agent.ToolResult{}, fmt.Errorf("invalid arguments for tool %q: %w", Name, err)
		}
	}
	if bad := Validate(a.Questions); bad != nil {
		text := fmt.Sprintf("The questionnaire was not shown (%s): %s. Fix it and call %s again.", bad.Code, bad.Detail, Name)
		return result(text, Details{Answers: []Answer{}, Cancelled: true, Error: bad.Code}), nil
	}
	resp, _ := t.broker.Ask(ctx, a.Questions)
	answers := resp.Answers
	if answers == nil {
		answers = []Answer{}
	}
	return result(Summarize(a.Questions, resp), Details{Answers: answers, Cancelled: resp.Cancelled}), nil
}

func result(text string, d Details) agent.ToolResult {
	return agent.ToolResult{Content: []ai.Content{ai.TextContent(text)}, Details: d}
}

// Summarize is the result text for the model: each answer, then what was
// left unanswered.
func Summarize(qs []Question, r Response) string {
	if len(r.Answers) == 0 && r.Cancelled {
		return CancelledText
	}
	var b strings.Builder
	answered := map[int]bool{}
	chat := false
	b.WriteString("The user answered:")
	for _, a := range r.Answers {
		answered[a.QuestionIndex] = true
		fmt.Fprintf(&b, "\n- %q: %s", questionText(qs, a), answerText(a))
		if a.Notes != "" {
			fmt.Fprintf(&b, " (notes: %s)", a.Notes)
		}
		chat = chat || a.Kind == KindChat
	}
	var open []string
	for i, q := range qs {
		if !answered[i] {
			open = append(open, fmt.Sprintf("%q", q.Question))
		}
	}
	if len(open) > 0 {
		fmt.Fprintf(&b, "\nThe remaining questions were cancelled without an answer: %s.", strings.Join(open, ", "))
	}
	if chat {
		b.WriteString("\nThe user wants to talk this over in the chat before deciding; continue in free-form conversation.")
	}
	return b.String()
}

func questionText(qs []Question, a Answer) string {
	if a.Question != "" {
		return a.Question
	}
	if a.QuestionIndex >= 0 && a.QuestionIndex < len(qs) {
		return qs[a.QuestionIndex].Question
	}
	return fmt.Sprintf("question %d", a.QuestionIndex+1)
}

func answerText(a Answer) string {
	text := ""
	if a.Answer != nil {
		text = *a.Answer
	}
	switch a.Kind {
	case KindChat:
		return "(wants to discuss it)"
	case KindCustom:
		return fmt.Sprintf("%q (typed by the user)", text)
	case KindMulti:
		parts := make([]string, 0, len(a.Selected)+1)
		for _, s := range a.Selected {
			parts = append(parts, fmt.Sprintf("%q", s))
		}
		if text != "" && (len(a.Selected) == 0 || text != a.Selected[len(a.Selected)-1]) {
			parts = append(parts, fmt.Sprintf("%q (typed by the user)", text))
		}
		if len(parts) == 0 {
			return "(nothing selected)"
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprintf("%q", text)
}
