package askuser

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits of a questionnaire.
const (
	MaxQuestions = 4
	MinOptions   = 2
	MaxOptions   = 4
	MaxHeader    = 16 // characters
	MaxLabel     = 60 // characters
)

// ReservedLabels are labels the browser panel adds itself (or that models
// reach for instead of real choices); an option may not use them.
var ReservedLabels = []string{"Other", "Type something.", "Chat about this", "Next"}

// Option is one choice.
type Option struct {
	Label       string `json:"label"`
	Description string `json:"description"`
	// Preview is markdown shown beside the options (single-select only).
	Preview string `json:"preview,omitempty"`
}

// Question is one question of a questionnaire.
type Question struct {
	Question    string   `json:"question"`
	Header      string   `json:"header"`
	Options     []Option `json:"options"`
	MultiSelect bool     `json:"multiSelect,omitempty"`
}

// Invalid is a refused questionnaire: a stable code and what is wrong.
type Invalid struct {
	Code   string
	Detail string
}

func (e *Invalid) Error() string { return e.Code + ": " + e.Detail }

func invalid(code, format string, a ...any) *Invalid {
	return &Invalid{Code: code, Detail: fmt.Sprintf(format, a...)}
}

// Validate checks a questionnaire and returns the first problem, nil when
// it can be shown. Lengths count characters, not bytes.
func Validate(qs []Question) *Invalid {
	switch {
	case len(qs) == 0:
		return invalid("no_questions", "questions must hold at least one question")
	case len(qs) > MaxQuestions:
		return invalid("too_many_questions", "at most %d questions per call, got %d", MaxQuestions, len(qs))
	}
	for i, q := range qs {
		if err := validateQuestion(i, q); err != nil {
			return err
		}
	}
	return nil
}

func validateQuestion(i int, q Question) *Invalid {
	at := fmt.Sprintf("questions[%d]", i)
	switch {
	case strings.TrimSpace(q.Question) == "":
		return invalid("missing_question_text", "%s.question is empty", at)
	case strings.TrimSpace(q.Header) == "":
		return invalid("missing_header", "%s.header is empty", at)
	case utf8.RuneCountInString(q.Header) > MaxHeader:
		return invalid("header_too_long", "%s.header has %d characters, at most %d", at, utf8.RuneCountInString(q.Header), MaxHeader)
	case len(q.Options) < MinOptions:
		return invalid("too_few_options", "%s needs at least %d options, got %d", at, MinOptions, len(q.Options))
	case len(q.Options) > MaxOptions:
		return invalid("too_many_options", "%s allows at most %d options, got %d", at, MaxOptions, len(q.Options))
	}
	var seen []string
	for j, o := range q.Options {
		oat := fmt.Sprintf("%s.options[%d]", at, j)
		label := strings.TrimSpace(o.Label)
		switch {
		case label == "":
			return invalid("missing_label", "%s.label is empty", oat)
		case utf8.RuneCountInString(o.Label) > MaxLabel:
			return invalid("label_too_long", "%s.label has %d characters, at most %d", oat, utf8.RuneCountInString(o.Label), MaxLabel)
		case strings.TrimSpace(o.Description) == "":
			return invalid("missing_description", "%s.description is empty", oat)
		case slices.Contains(ReservedLabels, label):
			return invalid("reserved_label", "%s.label %q is reserved; the panel offers it already", oat, label)
		case slices.Contains(seen, label):
			return invalid("duplicate_label", "%s.label %q appears twice", oat, label)
		}
		seen = append(seen, label)
	}
	return nil
}
