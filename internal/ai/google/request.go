package google

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// request is the REST body of streamGenerateContent, as the genai SDK
// writes pi's parameters.
type request struct {
	Contents          []*content        `json:"contents"`
	SystemInstruction *content          `json:"systemInstruction,omitempty"`
	GenerationConfig  *generationConfig `json:"generationConfig,omitempty"`
	Tools             []toolGroup       `json:"tools,omitempty"`
}

type content struct {
	Role  string  `json:"role,omitempty"`
	Parts []*part `json:"parts"`
}

// part is one Gemini part; Text is a pointer because "" is a valid text.
type part struct {
	Text             *string           `json:"text,omitempty"`
	Thought          bool              `json:"thought,omitempty"`
	InlineData       *inlineData       `json:"inlineData,omitempty"`
	FunctionCall     *functionCall     `json:"functionCall,omitempty"`
	FunctionResponse *functionResponse `json:"functionResponse,omitempty"`
	ThoughtSignature string            `json:"thoughtSignature,omitempty"`
}

type inlineData struct {
	MimeType string `json:"mimeType"`
	Data     string `json:"data"`
}

type functionCall struct {
	Name string          `json:"name"`
	Args json.RawMessage `json:"args"`
	ID   string          `json:"id,omitempty"`
}

type functionResponse struct {
	Name     string            `json:"name"`
	Response map[string]string `json:"response"`
	Parts    []*part           `json:"parts,omitempty"`
	ID       string            `json:"id,omitempty"`
}

type generationConfig struct {
	Temperature     *float64        `json:"temperature,omitempty"`
	MaxOutputTokens int             `json:"maxOutputTokens,omitempty"`
	ThinkingConfig  *thinkingConfig `json:"thinkingConfig,omitempty"`
}

type thinkingConfig struct {
	IncludeThoughts bool   `json:"includeThoughts,omitempty"`
	ThinkingLevel   string `json:"thinkingLevel,omitempty"`
	ThinkingBudget  *int   `json:"thinkingBudget,omitempty"`
}

type toolGroup struct {
	FunctionDeclarations []functionDeclaration `json:"functionDeclarations"`
}

type functionDeclaration struct {
	Name                 string          `json:"name"`
	Description          string          `json:"description"`
	ParametersJSONSchema json.RawMessage `json:"parametersJsonSchema"`
}

func textPart(s string) *part { return &part{Text: &s} }

var (
	gemini3Pro   = regexp.MustCompile(`gemini-3(?:\.\d+)?-pro`)
	gemini3Flash = regexp.MustCompile(`gemini-3(?:\.\d+)?-flash`)
	gemma4       = regexp.MustCompile(`gemma-?4`)
	geminiMajor  = regexp.MustCompile(`^gemini(?:-live)?-(\d+)`)
	base64Sig    = regexp.MustCompile(`^[A-Za-z0-9+/]+={0,2}$`)
	unsafeID     = regexp.MustCompile(`[^a-zA-Z0-9_-]`)
)

func buildRequest(m *ai.Model, c *ai.Context, opts *ai.StreamOptions) *request {
	req := &request{Contents: convertContents(m, c.Messages)}
	gen := &generationConfig{Temperature: opts.Temperature, MaxOutputTokens: ai.BaseMaxTokens(m, opts)}
	if m.Reasoning {
		gen.ThinkingConfig = thinking(m, opts)
	}
	if gen.Temperature != nil || gen.MaxOutputTokens > 0 || gen.ThinkingConfig != nil {
		req.GenerationConfig = gen
	}
	if c.SystemPrompt != "" {
		req.SystemInstruction = &content{Role: "user", Parts: []*part{textPart(ai.SanitizeText(c.SystemPrompt))}}
	}
	if len(c.Tools) > 0 {
		decls := make([]functionDeclaration, len(c.Tools))
		for i, t := range c.Tools {
			schema := t.Parameters
			if len(schema) == 0 {
				schema = json.RawMessage(`{"type":"object","properties":{}}`)
			}
			decls[i] = functionDeclaration{Name: t.Name, Description: t.Description, ParametersJSONSchema: schema}
		}
		req.Tools = []toolGroup{{FunctionDeclarations: decls}}
	}
	return req
}

// thinking maps the level as pi does: Gemini 3 and Gemma 4 take a thinking
// level, older models a token budget; "off" keeps thinking as low as the
// model allows, hidden.
func thinking(m *ai.Model, opts *ai.StreamOptions) *thinkingConfig {
	id := strings.ToLower(m.ID)
	levelled := gemini3Pro.MatchString(id) || gemini3Flash.MatchString(id) || gemma4.MatchString(id)
	if opts.Reasoning == "" || opts.Reasoning == ai.ThinkingOff {
		switch {
		case gemini3Pro.MatchString(id):
			return &thinkingConfig{ThinkingLevel: "LOW"}
		case levelled:
			return &thinkingConfig{ThinkingLevel: "MINIMAL"}
		}
		zero := 0
		return &thinkingConfig{ThinkingBudget: &zero}
	}
	effort := ai.ClampThinkingLevel(m, opts.Reasoning)
	if effort == ai.ThinkingOff {
		effort = ai.ThinkingHigh
	}
	tc := &thinkingConfig{IncludeThoughts: true}
	if levelled {
		tc.ThinkingLevel = thinkingLevel(id, effort)
		return tc
	}
	tc.ThinkingBudget = budget(id, effort, opts.ThinkingBudgets)
	return tc
}

// thinkingLevel is "" for xhigh, which pi leaves to the model.
func thinkingLevel(id, effort string) string {
	var levels map[string]string
	switch {
	case gemini3Pro.MatchString(id):
		levels = map[string]string{ai.ThinkingMinimal: "LOW", ai.ThinkingLow: "LOW", ai.ThinkingMedium: "HIGH", ai.ThinkingHigh: "HIGH"}
	case gemma4.MatchString(id):
		levels = map[string]string{ai.ThinkingMinimal: "MINIMAL", ai.ThinkingLow: "MINIMAL", ai.ThinkingMedium: "HIGH", ai.ThinkingHigh: "HIGH"}
	default:
		levels = map[string]string{ai.ThinkingMinimal: "MINIMAL", ai.ThinkingLow: "LOW", ai.ThinkingMedium: "MEDIUM", ai.ThinkingHigh: "HIGH"}
	}
	return levels[effort]
}

// budget is the token budget of a level: the custom budget, else the
// model family's table, else -1 (dynamic). xhigh has none (nil).
func budget(id, effort string, custom *ai.ThinkingBudgets) *int {
	if v, ok := custom.Level(effort); ok {
		return &v
	}
	var table map[string]int
	switch {
	case strings.Contains(id, "2.5-pro"):
		table = map[string]int{ai.ThinkingMinimal: 128, ai.ThinkingLow: 2048, ai.ThinkingMedium: 8192, ai.ThinkingHigh: 32768}
	case strings.Contains(id, "2.5-flash-lite"):
		table = map[string]int{ai.ThinkingMinimal: 512, ai.ThinkingLow: 2048, ai.ThinkingMedium: 8192, ai.ThinkingHigh: 24576}
	case strings.Contains(id, "2.5-flash"):
		table = map[string]int{ai.ThinkingMinimal: 128, ai.ThinkingLow: 2048, ai.ThinkingMedium: 8192, ai.ThinkingHigh: 24576}
	default:
		v := -1
		return &v
	}
	if v, ok := table[effort]; ok {
		return &v
	}
	return nil
}

// validSignature: Gemini signatures are base64 bytes.
func validSignature(s string) bool {
	return s != "" && len(s)%4 == 0 && base64Sig.MatchString(s)
}

// needsCallID: models behind the Gemini API that need explicit call ids.
func needsCallID(id string) bool {
	return strings.HasPrefix(id, "claude-") || strings.HasPrefix(id, "gpt-oss-")
}

// multimodalResults: Gemini 3+ (and non-Gemini models) take images inside
// function responses.
func multimodalResults(id string) bool {
	if m := geminiMajor.FindStringSubmatch(strings.ToLower(id)); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n >= 3
	}
	return true
}
