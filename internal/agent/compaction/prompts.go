package compaction

// The section skeleton of every summary (## Goal ... ## Critical Context) is
// pi's, so summaries written by either program read the same; the wording
// around it is ours.

// systemPrompt frames the summarizing call.
const systemPrompt = `You summarize conversations between a user and an AI coding assistant. Read the transcript and write the structured summary requested, in exactly the format given.

Do not continue the conversation, answer questions from it, or add commentary. Output the summary and nothing else.`

// summaryPrompt asks for a first summary of a transcript.
const summaryPrompt = `Summarize the conversation above as a checkpoint that another model will use to pick up the work where it stopped.

Use exactly this structure:

## Goal
[What the user wants to achieve; list several goals if the session covered several tasks.]

## Constraints & Preferences
- [Requirements, constraints or preferences the user stated]
- [Or "(none)" if there were none]

## Progress
### Done
- [x] [Work that is finished]

### In Progress
- [ ] [Work underway]

### Blocked
- [What stops progress, if anything]

## Key Decisions
- **[Decision]**: [Why it was made]

## Next Steps
1. [What to do next, in order]

## Critical Context
- [Data, examples or references needed to continue]
- [Or "(none)" if there are none]

Be brief in every section. Keep file paths, function names and error messages exactly as written.`

// updatePrompt asks to fold new messages into an earlier summary.
const updatePrompt = `The conversation above holds NEW messages. Merge them into the earlier summary given in <previous-summary> tags.

Rules:
- KEEP everything the earlier summary records
- ADD the new progress, decisions and context
- MOVE items from "In Progress" to "Done" once they are finished
- REVISE "Next Steps" to match what has been done
- KEEP file paths, function names and error messages exactly as written
- Drop an item only when it no longer matters

Use exactly this structure:

## Goal
[The earlier goals, plus any new ones]

## Constraints & Preferences
- [The earlier ones, plus any new ones]

## Progress
### Done
- [x] [Earlier finished items and newly finished ones]

### In Progress
- [ ] [Work underway now]

### Blocked
- [Current blockers; remove resolved ones]

## Key Decisions
- **[Decision]**: [Why it was made] (keep the earlier ones)

## Next Steps
1. [What to do next, given the current state]

## Critical Context
- [Context still needed, old and new]

Be brief in every section. Keep file paths, function names and error messages exactly as written.`

// turnPrefixPrompt asks for a summary of the start of a turn that was cut.
const turnPrefixPrompt = `The conversation above is the BEGINNING of one turn that was too long to keep whole. Its END (the most recent work) is kept verbatim.

Summarize the beginning so the kept end makes sense:

## Original Request
[What the user asked for in this turn]

## Early Progress
- [Decisions made and work done in the beginning]

## Context for Suffix
- [What is needed to understand the kept recent work]

Be brief and cover only what the kept part needs.`

// branchPrompt asks for a summary of a branch the user is leaving.
const branchPrompt = `Summarize this conversation branch so its context is available after the user returns to another point of the conversation.

Use exactly this structure:

## Goal
[What the user wanted to achieve in this branch]

## Constraints & Preferences
- [Requirements, constraints or preferences stated]
- [Or "(none)" if there were none]

## Progress
### Done
- [x] [Work that is finished]

### In Progress
- [ ] [Work started but not finished]

### Blocked
- [What stops progress, if anything]

## Key Decisions
- **[Decision]**: [Why it was made]

## Next Steps
1. [What would continue this work]

Be brief in every section. Keep file paths, function names and error messages exactly as written.`

// Texts that end up in session files; they are pi's so both programs write
// the same entries.
const (
	additionalFocus      = "\n\nAdditional focus: "
	noPriorHistory       = "No prior history."
	splitTurnSeparator   = "\n\n---\n\n**Turn Context (split turn):**\n\n"
	branchPreamble       = "The user explored a different conversation branch before returning here.\nSummary of that exploration:\n\n"
	noContentToSummarize = "No content to summarize"
)
