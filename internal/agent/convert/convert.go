// Package convert turns the agent's messages (which include pi-coding-agent
// roles such as bashExecution, custom and the two summaries) into the user,
// assistant and toolResult messages an LLM accepts, as pi's convertToLlm does.
package convert

import (
	"strconv"
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// Texts pi wraps around summaries when it hands them to the model.
const (
	compactionSummaryPrefix = "The conversation history before this point was compacted into the following summary:\n\n<summary>\n"
	compactionSummarySuffix = "\n</summary>"
	branchSummaryPrefix     = "The following is a summary of a branch that this conversation came back from:\n\n<summary>\n"
	branchSummarySuffix     = "</summary>"

	// ImagesDisabledText replaces every image when images.blockImages is on.
	ImagesDisabledText = "Image reading is disabled."
)

// Options changes how messages are converted.
type Options struct {
	// BlockImages replaces image blocks in user and tool results with
	// ImagesDisabledText (settings images.blockImages).
	BlockImages bool
}

// ToLLM converts agent messages to LLM messages. Messages of roles the model
// cannot take (and bash executions excluded from context) are dropped. The
// input is never modified; unchanged messages share their content.
func ToLLM(msgs []ai.Message, opts Options) []ai.Message {
	out := make([]ai.Message, 0, len(msgs))
	for i := range msgs {
		m, ok := toLLM(&msgs[i])
		if !ok {
			continue
		}
		if opts.BlockImages && (m.Role == ai.RoleUser || m.Role == ai.RoleToolResult) {
			m.Content = blockImages(m.Content)
		}
		out = append(out, m)
	}
	if n := len(msgs); n > 0 && msgs[n-1].Role == ai.RoleCompactionSummary {
		// Weaker models stop after a compaction that left only the summary;
		// a nudge on the outgoing copy (never stored) keeps them working.
		out = append(out, userText(ContinuationNudge, msgs[n-1].Timestamp))
	}
	return out
}

// ContinuationNudge follows a compaction summary that ends the context.
const ContinuationNudge = "Continue with the task from where the summary above leaves off."

func toLLM(m *ai.Message) (ai.Message, bool) {
	switch m.Role {
	case ai.RoleUser, ai.RoleAssistant, ai.RoleToolResult:
		return *m, true
	case ai.RoleBashExecution:
		if m.ExcludeFromContext {
			return ai.Message{}, false
		}
		return userText(BashExecutionText(m), m.Timestamp), true
	case ai.RoleCustom:
		return ai.Message{Role: ai.RoleUser, Content: m.Content, Timestamp: m.Timestamp}, true
	case ai.RoleBranchSummary:
		return userText(branchSummaryPrefix+m.Summary+branchSummarySuffix, m.Timestamp), true
	case ai.RoleCompactionSummary:
		return userText(compactionSummaryPrefix+m.Summary+compactionSummarySuffix, m.Timestamp), true
	}
	return ai.Message{}, false
}

func userText(text string, ts int64) ai.Message {
	return ai.Message{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent(text)}, Timestamp: ts}
}

// BashExecutionText is how a user-run shell command appears to the model.
func BashExecutionText(m *ai.Message) string {
	var b strings.Builder
	b.WriteString("Ran `")
	b.WriteString(m.Command)
	b.WriteString("`\n")
	if m.Output != "" {
		b.WriteString("```\n")
		b.WriteString(m.Output)
		b.WriteString("\n```")
	} else {
		b.WriteString("(no output)")
	}
	if m.Cancelled {
		b.WriteString("\n\n(command cancelled)")
	} else if m.ExitCode != nil && *m.ExitCode != 0 {
		b.WriteString("\n\nCommand exited with code ")
		b.WriteString(strconv.Itoa(*m.ExitCode))
	}
	if m.Truncated && m.FullOutputPath != "" {
		b.WriteString("\n\n[Output truncated. Full output: ")
		b.WriteString(m.FullOutputPath)
		b.WriteString("]")
	}
	return b.String()
}

// blockImages swaps images for a notice, dropping a notice that directly
// follows another one. Content without images is returned as is.
func blockImages(content []ai.Content) []ai.Content {
	has := false
	for _, c := range content {
		if c.Type == ai.ContentImage {
			has = true
			break
		}
	}
	if !has {
		return content
	}
	out := make([]ai.Content, 0, len(content))
	for _, c := range content {
		if c.Type == ai.ContentImage {
			c = ai.TextContent(ImagesDisabledText)
		}
		if isNotice(c) && len(out) > 0 && isNotice(out[len(out)-1]) {
			continue
		}
		out = append(out, c)
	}
	return out
}

func isNotice(c ai.Content) bool {
	return c.Type == ai.ContentText && c.Text == ImagesDisabledText
}
