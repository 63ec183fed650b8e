package process

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// Stream event types.
const (
	EventUpdate = "process_update"
	EventOutput = "process_output"
	EventWatch  = "process_watch"
)

// Custom message types of alert cards.
const (
	CustomNotify = "process-notify"
	CustomWatch  = "process-watch"
)

// Alert reasons.
const (
	ReasonSuccess = "success"
	ReasonFailure = "failure"
	ReasonKilled  = "killed"
	ReasonWatch   = "watch"
)

// UpdateFrameKey is the connect-time frame process_update is kept under.
const UpdateFrameKey = EventUpdate

type updateEvent struct {
	Type      string `json:"type"`
	SessionID string `json:"sessionId"`
	Processes []Info `json:"processes"`
}

type outputEvent struct {
	Type      string `json:"type"`
	SessionID string `json:"sessionId"`
	ID        string `json:"id"`
}

type watchEvent struct {
	Type      string `json:"type"`
	SessionID string `json:"sessionId"`
	Match     Match  `json:"match"`
}

// UpdateEvent is the process_update event for a list (also the frame a
// connecting client gets).
func UpdateEvent(sessionID string, list []Info) any {
	if list == nil {
		list = []Info{}
	}
	return updateEvent{Type: EventUpdate, SessionID: sessionID, Processes: list}
}

// publishListLocked sends the whole list; the caller holds m.mu, so lists
// go out in the order they were made.
func (m *Manager) publishListLocked() {
	if m.o.Host == nil {
		return
	}
	if err := m.o.Host.PublishKept(UpdateFrameKey, UpdateEvent(m.o.SessionID, m.listLocked())); err != nil {
		m.log.Warn("process: publishing the process list failed", "error", err)
	}
}

func (m *Manager) publish(v any) {
	if m.o.Host == nil || m.closing.Load() {
		return
	}
	if err := m.o.Host.Publish(v); err != nil {
		m.log.Warn("process: publishing an event failed", "error", err)
	}
}

// alertDetails is the details object of a process-notify card (and the
// webhook's process_alert data).
type alertDetails struct {
	Reason    string `json:"reason"`
	ProcessID string `json:"processId"`
	Name      string `json:"name"`
	PID       int    `json:"pid"`
	Command   string `json:"command"`
	Cwd       string `json:"cwd"`
	StartTime int64  `json:"startTime"`
	EndTime   *int64 `json:"endTime"`
	ExitCode  *int   `json:"exitCode"`
	Success   *bool  `json:"success"`
	Status    Status `json:"status"`
}

// lifecycleAlert raises the card of a process that ended: a failure or an
// outside kill starts or steers a turn, a success is only recorded.
func (m *Manager) lifecycleAlert(p *managed, info Info, reason string) {
	var b strings.Builder
	took := time.Duration(*info.EndTime-info.StartTime) * time.Millisecond
	switch reason {
	case ReasonSuccess:
		fmt.Fprintf(&b, "Background process %q (%s) completed successfully after %s.", info.Name, info.ID, round(took))
	case ReasonFailure:
		code := "without an exit code"
		if info.ExitCode != nil {
			code = fmt.Sprintf("with exit code %d", *info.ExitCode)
		}
		fmt.Fprintf(&b, "Background process %q (%s) failed %s after %s.", info.Name, info.ID, code, round(took))
	case ReasonKilled:
		fmt.Fprintf(&b, "Background process %q (%s) was killed by a signal after %s.", info.Name, info.ID, round(took))
	}
	fmt.Fprintf(&b, "\nCommand: %s", info.Command)
	if reason != ReasonSuccess {
		b.WriteString(tailText(p))
	}
	d := alertDetails{Reason: reason, ProcessID: info.ID, Name: info.Name, PID: info.PID, Command: info.Command, Cwd: info.Cwd,
		StartTime: info.StartTime, EndTime: info.EndTime, ExitCode: info.ExitCode, Success: info.Success, Status: info.Status}
	m.deliver(CustomNotify, b.String(), d, reason != ReasonSuccess)
	if m.o.OnAlert != nil {
		m.o.OnAlert(Alert{Reason: reason, Info: info})
	}
}

// alertTailLines is how much output an alert card quotes.
const alertTailLines = 15

// tailText quotes the end of a process's output for an alert.
func tailText(p *managed) string {
	p.outMu.Lock()
	defer p.outMu.Unlock()
	var b strings.Builder
	for _, s := range []*stream{p.stderr, p.stdout} {
		lines := s.ring.tail(alertTailLines)
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\nLast %s lines:\n%s", s.name, clip(strings.Join(lines, "\n"), 4000))
	}
	return b.String()
}

// watchMatched announces a log-watch hit and raises its card, which
// starts or steers a turn.
func (m *Manager) watchMatched(match Match) {
	if m.closing.Load() {
		return
	}
	m.publish(watchEvent{Type: EventWatch, SessionID: m.o.SessionID, Match: match})
	text := fmt.Sprintf("Log watch /%s/ on background process %q (%s) matched a %s line:\n%s",
		match.Watch.Pattern, match.ProcessName, match.ProcessID, match.Source, match.Line)
	m.deliver(CustomWatch, text, match, true)
	if m.o.OnAlert != nil {
		info, _ := m.Get(match.ProcessID)
		m.o.OnAlert(Alert{Reason: ReasonWatch, Info: info, Match: &match})
	}
}

// deliver hands a card to the session in the background: the session may
// be busy starting a run or moving in its tree.
func (m *Manager) deliver(customType, text string, details any, trigger bool) {
	if m.o.Host == nil {
		return
	}
	raw, err := json.Marshal(details)
	if err != nil {
		return
	}
	msg := ai.Message{Role: ai.RoleCustom, CustomType: customType, Content: []ai.Content{ai.TextContent(text)},
		ContentIsString: true, Display: true, Details: raw, Timestamp: m.o.Now().UnixMilli()}
	m.work.Add(1)
	go func() {
		defer m.work.Done()
		if err := m.o.Host.Deliver(msg, trigger); err != nil {
			m.log.Warn("process: delivering an alert failed", "type", customType, "error", err)
		}
	}()
}

func round(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

// pollWindow is how long a repeated, unchanged list or output call counts
// as polling.
const pollWindow = 15 * time.Second

type pollMark struct {
	at  time.Time
	sig string
}

// polling records an observation and reports whether it repeats the last
// one with the same key within pollWindow.
func (m *Manager) polling(key, sig string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.o.Now()
	prev, ok := m.polls[key]
	m.polls[key] = pollMark{at: now, sig: sig}
	return ok && prev.sig == sig && now.Sub(prev.at) < pollWindow
}
