package piconfig

import (
	"github.com/pi-forge/pi-forge/internal/ai"
)

// Settings is one settings.json (or a merge of global and project) as read.
// The accessors give pi's defaults for absent keys and for values of the
// wrong type.
type Settings struct{ obj *Object }

// Object returns a copy of every key, unknown ones included.
func (s *Settings) Object() *Object { return s.obj.Clone() }

// JSON returns the settings as pi writes them.
func (s *Settings) JSON() ([]byte, error) { return s.obj.Indented() }

func (s *Settings) str(key string) string {
	var v string
	s.obj.Decode(key, &v)
	return v
}

// nested returns the object at key, empty when absent.
func (s *Settings) nested(key string) *Object {
	if o, ok := s.obj.Object(key); ok {
		return o
	}
	return NewObject()
}

func intOr(o *Object, key string, def int) int {
	var v *float64
	if o.Decode(key, &v) && v != nil {
		return int(*v)
	}
	return def
}

func optInt(o *Object, key string) *int {
	var v *float64
	if o.Decode(key, &v) && v != nil {
		n := int(*v)
		return &n
	}
	return nil
}

func boolOr(o *Object, key string, def bool) bool {
	var v *bool
	if o.Decode(key, &v) && v != nil {
		return *v
	}
	return def
}

func stringList(o *Object, key string) []string {
	var v []string
	o.Decode(key, &v)
	return v
}

// DefaultProvider is the provider of the last chosen model ("" if unset).
func (s *Settings) DefaultProvider() string { return s.str("defaultProvider") }

// DefaultModel is the id of the last chosen model ("" if unset).
func (s *Settings) DefaultModel() string { return s.str("defaultModel") }

// DefaultThinkingLevel is the stored level, "" if unset or not a level
// (the agent then uses DefaultThinkingLevel).
func (s *Settings) DefaultThinkingLevel() string {
	for _, l := range ai.ThinkingLevels {
		if l == s.str("defaultThinkingLevel") {
			return l
		}
	}
	return ""
}

// DefaultThinkingLevel is pi's level when settings name none.
const DefaultThinkingLevel = ai.ThinkingMedium

// Queue delivery modes.
const (
	QueueOneAtATime = "one-at-a-time"
	QueueAll        = "all"
)

func queueMode(v string) string {
	if v == QueueAll {
		return QueueAll
	}
	return QueueOneAtATime
}

// SteeringMode is how queued steering messages are delivered.
func (s *Settings) SteeringMode() string { return queueMode(s.str("steeringMode")) }

// FollowUpMode is how queued follow-up messages are delivered.
func (s *Settings) FollowUpMode() string { return queueMode(s.str("followUpMode")) }

// CompactionSettings control automatic compaction.
type CompactionSettings struct {
	Enabled          bool
	ReserveTokens    int
	KeepRecentTokens int
}

// Compaction returns compaction.* with defaults true / 16384 / 20000.
func (s *Settings) Compaction() CompactionSettings {
	c := s.nested("compaction")
	return CompactionSettings{
		Enabled:          boolOr(c, "enabled", true),
		ReserveTokens:    intOr(c, "reserveTokens", 16384),
		KeepRecentTokens: intOr(c, "keepRecentTokens", 20000),
	}
}

// BranchSummarySettings control summaries when leaving a branch.
type BranchSummarySettings struct {
	ReserveTokens int
	SkipPrompt    bool
}

// BranchSummary returns branchSummary.* with defaults 16384 / false.
func (s *Settings) BranchSummary() BranchSummarySettings {
	b := s.nested("branchSummary")
	return BranchSummarySettings{ReserveTokens: intOr(b, "reserveTokens", 16384), SkipPrompt: boolOr(b, "skipPrompt", false)}
}

// RetrySettings control the agent's automatic retry of transient errors.
type RetrySettings struct {
	Enabled     bool
	MaxRetries  int
	BaseDelayMs int
	Provider    ProviderRetrySettings
}

// ProviderRetrySettings are retry.provider.*: nil means the client default.
type ProviderRetrySettings struct {
	TimeoutMs  *int
	MaxRetries *int
	// MaxRetryDelayMs caps a server-requested delay; 0 disables the cap.
	MaxRetryDelayMs int
}

// Retry returns retry.* with defaults true / 3 / 2000 and a 60 s cap.
func (s *Settings) Retry() RetrySettings {
	r := s.nested("retry")
	p, _ := r.Object("provider")
	if p == nil {
		p = NewObject()
	}
	return RetrySettings{
		Enabled:     boolOr(r, "enabled", true),
		MaxRetries:  intOr(r, "maxRetries", 3),
		BaseDelayMs: intOr(r, "baseDelayMs", 2000),
		Provider: ProviderRetrySettings{
			TimeoutMs:       optInt(p, "timeoutMs"),
			MaxRetries:      optInt(p, "maxRetries"),
			MaxRetryDelayMs: intOr(p, "maxRetryDelayMs", 60000),
		},
	}
}

// ThinkingBudgets returns thinkingBudgets, nil when unset.
func (s *Settings) ThinkingBudgets() *ai.ThinkingBudgets {
	if !s.obj.Has("thinkingBudgets") {
		return nil
	}
	b := s.nested("thinkingBudgets")
	return &ai.ThinkingBudgets{
		Minimal: intOr(b, "minimal", 0),
		Low:     intOr(b, "low", 0),
		Medium:  intOr(b, "medium", 0),
		High:    intOr(b, "high", 0),
	}
}

// ShellPath is the shell the bash tool runs ("" for the default).
func (s *Settings) ShellPath() string { return s.str("shellPath") }

// ShellCommandPrefix is prepended to every bash command as prefix + "\n".
func (s *Settings) ShellCommandPrefix() string { return s.str("shellCommandPrefix") }

// ImageSettings control images sent to the model.
type ImageSettings struct {
	AutoResize  bool
	BlockImages bool
}

// Images returns images.* with defaults true / false.
func (s *Settings) Images() ImageSettings {
	i := s.nested("images")
	return ImageSettings{AutoResize: boolOr(i, "autoResize", true), BlockImages: boolOr(i, "blockImages", false)}
}

// EnableSkillCommands reports whether skills become /skill:name commands.
func (s *Settings) EnableSkillCommands() bool { return boolOr(s.obj, "enableSkillCommands", true) }

// Skills returns the skill paths and patterns.
func (s *Settings) Skills() []string { return stringList(s.obj, "skills") }

// Prompts returns the prompt template paths and patterns.
func (s *Settings) Prompts() []string { return stringList(s.obj, "prompts") }

// EnabledModels returns the model patterns for cycling, nil when unset.
func (s *Settings) EnabledModels() []string { return stringList(s.obj, "enabledModels") }
