package process

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Stream names.
const (
	Stdout = "stdout"
	Stderr = "stderr"
	Both   = "both"
)

// Watch is a log watch as the model gives it: a regular expression (RE2
// syntax) matched against each output line.
type Watch struct {
	Pattern string `json:"pattern"`
	Stream  string `json:"stream,omitempty"` // stdout, stderr or both (default)
	Repeat  bool   `json:"repeat,omitempty"` // fire on every match, not just the first
}

// WatchInfo is a watch as match events describe it.
type WatchInfo struct {
	Index   int    `json:"index"`
	Pattern string `json:"pattern"`
	Stream  string `json:"stream"`
	Repeat  bool   `json:"repeat"`
}

// Match is one log-watch hit (the process_watch event's match).
type Match struct {
	ProcessID      string    `json:"processId"`
	ProcessName    string    `json:"processName"`
	ProcessCommand string    `json:"processCommand"`
	Source         string    `json:"source"`
	Line           string    `json:"line"`
	Watch          WatchInfo `json:"watch"`
}

// repeatInterval is the least time between two alerts of one repeating
// watch: a chatty log must not start a turn per line. Matches in between
// are dropped.
const repeatInterval = 2 * time.Second

// maxMatchLine bounds the line a match carries.
const maxMatchLine = 2000

type watch struct {
	WatchInfo
	re    *regexp.Regexp
	fired bool
	last  time.Time
}

// CompileWatches checks and compiles watches; the error names the bad one.
func CompileWatches(ws []Watch) ([]*watch, error) {
	out := make([]*watch, 0, len(ws))
	for i, w := range ws {
		if strings.TrimSpace(w.Pattern) == "" {
			return nil, fmt.Errorf("invalid logWatches[%d].pattern: it must be a non-empty regular expression", i)
		}
		re, err := regexp.Compile(w.Pattern)
		if err != nil {
			return nil, fmt.Errorf("invalid logWatches[%d].pattern: %w", i, err)
		}
		stream := w.Stream
		switch stream {
		case "":
			stream = Both
		case Stdout, Stderr, Both:
		default:
			return nil, fmt.Errorf("invalid logWatches[%d].stream %q: use stdout, stderr or both", i, w.Stream)
		}
		out = append(out, &watch{WatchInfo: WatchInfo{Index: i, Pattern: w.Pattern, Stream: stream, Repeat: w.Repeat}, re: re})
	}
	return out, nil
}

// hits returns the watches line fires, and marks them fired. The caller
// serialises calls.
func hits(ws []*watch, source, line string, now time.Time) []WatchInfo {
	var out []WatchInfo
	for _, w := range ws {
		if w.Stream != Both && w.Stream != source {
			continue
		}
		if w.fired && (!w.Repeat || now.Sub(w.last) < repeatInterval) {
			continue
		}
		if !w.re.MatchString(line) {
			continue
		}
		w.fired, w.last = true, now
		out = append(out, w.WatchInfo)
	}
	return out
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
