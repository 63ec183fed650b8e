package agent

import (
	"context"
	"errors"
	"time"

	"github.com/pi-forge/pi-forge/internal/agent/compaction"
	"github.com/pi-forge/pi-forge/internal/ai"
)

// overflowRecoveryFailed is pi's message when compaction did not make the
// context fit.
const overflowRecoveryFailed = "Context overflow recovery failed after one compact-and-retry attempt. Try reducing context or switching to a larger-context model."

// runPrompt is a prompt's run: a compaction check on the previous response
// (which catches aborted ones), then the loop and whatever follows it.
func (a *Agent) runPrompt(ctx context.Context, prompts []ai.Message) {
	a.mu.Lock()
	a.overflowAttempted = false // a new prompt earns a fresh recovery attempt
	last := lastAssistant(a.messages)
	a.mu.Unlock()
	if last != nil {
		if check := a.compactionCheck(last, false); check != checkNone {
			// Before a prompt there is nothing to retry: just compact.
			a.autoCompact(ctx, reasonFor(check), false)
		}
	}
	a.chain(ctx, loopStart{prompts: prompts})
}

// chain runs the loop, then retries, recovers from overflow or compacts as
// pi's session does after each run, until nothing more follows.
func (a *Agent) chain(ctx context.Context, start loopStart) {
	for {
		res := a.loop(ctx, start)
		next, more := a.afterRun(ctx, res)
		if !more {
			return
		}
		start = next
	}
}

type compactionCheckResult int

const (
	checkNone compactionCheckResult = iota
	checkOverflow
	checkOverflowFailed // a second overflow after one recovery
	checkThreshold
)

func reasonFor(c compactionCheckResult) string {
	if c == checkThreshold {
		return ReasonThreshold
	}
	return ReasonOverflow
}

// afterRun emits agent_end and decides what follows a run: an auto-retry of
// a transient error, overflow recovery (compact, then retry once), or a
// threshold compaction.
func (a *Agent) afterRun(ctx context.Context, res loopResult) (loopStart, bool) {
	last := res.last
	a.mu.Lock()
	s := a.settings
	window := contextWindow(a.model)
	attempt := a.retryAttempt
	a.mu.Unlock()

	retryable := last != nil && IsRetryable(last, window)
	retryNow := retryable && s.Retry.Enabled && attempt < s.Retry.MaxRetries
	check := checkNone
	if !retryNow && last != nil {
		check = a.compactionCheck(last, true)
	}
	a.emit(&Event{
		Type:         EventAgentEnd,
		Messages:     res.newMessages,
		WillRetry:    retryNow || check == checkOverflow,
		ErrorMessage: runError(res.newMessages),
	})
	if retryNow {
		return a.retry(ctx, last, s.Retry)
	}
	if retryable && s.Retry.Enabled && attempt > 0 {
		a.mu.Lock()
		a.retryAttempt = 0
		a.mu.Unlock()
		a.emit(&Event{Type: EventAutoRetryEnd, Attempt: attempt, FinalError: last.ErrorMessage})
	}
	switch check {
	case checkOverflow:
		return a.recoverOverflow(ctx)
	case checkOverflowFailed:
		a.emit(&Event{Type: EventCompactionEnd, Reason: ReasonOverflow, ErrorMessage: overflowRecoveryFailed})
	case checkThreshold:
		if a.autoCompact(ctx, ReasonThreshold, false) {
			// Messages queued while compacting would otherwise wait for
			// the next prompt.
			a.mu.Lock()
			start, err := a.continueStartLocked()
			a.mu.Unlock()
			if err == nil && !start.continuation {
				return start, true
			}
		}
	}
	return loopStart{}, false
}

// runError is the message agent_end reports: the last assistant error of
// the run, if its last response failed.
func runError(msgs []ai.Message) string {
	if m := lastAssistant(msgs); m != nil && (m.StopReason == ai.StopReasonError || m.StopReason == ai.StopReasonAborted) {
		return m.ErrorMessage
	}
	return ""
}

// retry waits the backoff (baseDelayMs·2^(n-1)) and continues. The failed
// response leaves the context (it stays in the session file).
func (a *Agent) retry(ctx context.Context, failed *ai.Message, rs RetrySettings) (loopStart, bool) {
	a.mu.Lock()
	a.retryAttempt++
	attempt := a.retryAttempt
	a.mu.Unlock()
	delay := rs.BaseDelayMs << (attempt - 1)
	errMsg := failed.ErrorMessage
	if errMsg == "" {
		errMsg = "Unknown error"
	}
	a.emit(&Event{Type: EventAutoRetryStart, Attempt: attempt, MaxAttempts: rs.MaxRetries, DelayMs: delay, ErrorMessage: errMsg})
	a.dropTrailingAssistant()
	t := time.NewTimer(time.Duration(delay) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return loopStart{continuation: true}, true
	case <-ctx.Done():
		a.mu.Lock()
		a.retryAttempt = 0
		a.mu.Unlock()
		a.emit(&Event{Type: EventAutoRetryEnd, Attempt: attempt, FinalError: "Retry cancelled"})
		return loopStart{}, false
	}
}

// recoverOverflow compacts after a context overflow and retries once.
func (a *Agent) recoverOverflow(ctx context.Context) (loopStart, bool) {
	a.mu.Lock()
	a.overflowAttempted = true
	a.mu.Unlock()
	a.dropTrailingAssistant()
	if !a.autoCompact(ctx, ReasonOverflow, true) {
		return loopStart{}, false
	}
	// The rebuilt context comes from the session file, which keeps the
	// failed response; it must not be the last message of the retry.
	a.dropTrailingAssistant()
	return loopStart{continuation: true}, true
}

// dropTrailingAssistant removes a failed response from the context.
func (a *Agent) dropTrailingAssistant() {
	a.dispatch.do(func() {
		a.mu.Lock()
		if n := len(a.messages); n > 0 && a.messages[n-1].Role == ai.RoleAssistant {
			a.messages = a.messages[: n-1 : n-1]
		}
		a.mu.Unlock()
	}, true)
}

// compactionCheck decides whether the context must be compacted after
// response m (pi's _checkCompaction). skipAborted ignores aborted responses,
// as after a run; before a prompt they count.
func (a *Agent) compactionCheck(m *ai.Message, skipAborted bool) compactionCheckResult {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.settings.Compaction
	if !s.Enabled || a.compactor == nil || a.model == nil {
		return checkNone
	}
	if skipAborted && m.StopReason == ai.StopReasonAborted {
		return checkNone
	}
	compactedAt, compacted := lastCompactionTime(a.messages)
	if compacted && m.Timestamp <= compactedAt {
		return checkNone // stale numbers from before the last compaction
	}
	window := a.model.ContextWindow
	sameModel := m.Provider == a.model.Provider && m.Model == a.model.ID
	if sameModel && ai.IsContextOverflow(m, window) {
		if a.overflowAttempted {
			return checkOverflowFailed
		}
		return checkOverflow
	}
	var tokens int
	if m.StopReason == ai.StopReasonError {
		est := compaction.EstimateContext(a.messages)
		if est.LastUsageIndex < 0 {
			return checkNone
		}
		if u := &a.messages[est.LastUsageIndex]; compacted && u.Timestamp <= compactedAt {
			return checkNone
		}
		tokens = est.Tokens
	} else {
		tokens = compaction.ContextTokens(m.Usage)
	}
	if compaction.ShouldCompact(tokens, window, s) {
		return checkThreshold
	}
	return checkNone
}

// lastCompactionTime is the timestamp of the compaction summary heading the
// context, if it has one.
func lastCompactionTime(msgs []ai.Message) (int64, bool) {
	for i := range msgs {
		if msgs[i].Role == ai.RoleCompactionSummary {
			return msgs[i].Timestamp, true
		}
	}
	return 0, false
}

func lastAssistant(msgs []ai.Message) *ai.Message {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == ai.RoleAssistant {
			m := msgs[i]
			return &m
		}
	}
	return nil
}

func contextWindow(m *ai.Model) int {
	if m == nil {
		return 0
	}
	return m.ContextWindow
}

// autoCompact runs a threshold or overflow compaction with its events and
// reports whether the context was replaced. Failures end in compaction_end
// and never fail the run.
func (a *Agent) autoCompact(ctx context.Context, reason string, willRetry bool) bool {
	a.emit(&Event{Type: EventCompactionStart, Reason: reason})
	out, err := a.compactNow(ctx, reason, "")
	end := Event{Type: EventCompactionEnd, Reason: reason}
	switch {
	case err == nil:
		end.Compaction, end.WillRetry = &out.Result, willRetry
	case isCancel(ctx, err):
		end.Aborted = true
	case errors.Is(err, errNoCredentials), errors.Is(err, compaction.ErrNothingToCompact), errors.Is(err, compaction.ErrAlreadyCompacted):
		// Nothing was attempted: pi ends quietly.
	case reason == ReasonOverflow:
		end.ErrorMessage = "Context overflow recovery failed: " + err.Error()
	default:
		end.ErrorMessage = "Auto-compaction failed: " + err.Error()
	}
	a.emit(&end)
	return err == nil
}

// compactManual is a /compact run.
func (a *Agent) compactManual(ctx context.Context, instructions string) (*compaction.Result, error) {
	a.emit(&Event{Type: EventCompactionStart, Reason: ReasonManual})
	out, err := a.compactNow(ctx, ReasonManual, instructions)
	end := Event{Type: EventCompactionEnd, Reason: ReasonManual}
	switch {
	case err == nil:
		end.Compaction = &out.Result
	case isCancel(ctx, err):
		end.Aborted = true
		err = ErrCompactionCancelled
	default:
		end.ErrorMessage = "Compaction failed: " + err.Error()
	}
	a.emit(&end)
	if err != nil {
		return nil, err
	}
	return &out.Result, nil
}

// errNoCredentials marks a compaction skipped for want of a model or key.
var errNoCredentials = errors.New("agent: no model or API key for compaction")

// compactNow asks the compactor to compact and installs the new context.
func (a *Agent) compactNow(ctx context.Context, reason, instructions string) (*CompactOutcome, error) {
	a.mu.Lock()
	model, level, s := a.model, a.thinking, a.settings.Compaction
	a.compacting = true
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.compacting = false
		a.mu.Unlock()
	}()
	if a.compactor == nil {
		return nil, ErrNoCompactor
	}
	if model == nil {
		if reason == ReasonManual {
			return nil, ErrNoModel
		}
		return nil, errNoCredentials
	}
	key, err := a.apiKey(ctx, model.Provider)
	if err != nil {
		if reason == ReasonManual {
			return nil, err
		}
		return nil, errNoCredentials
	}
	out, err := a.compactor.Compact(ctx, CompactRequest{
		Reason:             reason,
		CustomInstructions: instructions,
		Settings:           s,
		LLM:                compaction.LLM{Provider: a.provider, Model: model, APIKey: key, ThinkingLevel: level},
	})
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	a.setMessages(out.Messages)
	return out, nil
}

func isCancel(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled)
}
