package agent

import (
	"fmt"
	"sync"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// skippedText is the result of a tool call dropped because the user steered.
const skippedText = "Skipped due to queued user message."

// toolCallRun is one tool call of a batch.
type toolCallRun struct {
	call     ai.Content
	entry    *toolEntry
	args     []byte // validated arguments
	prepared bool   // ready to execute
	done     bool   // has its result
	result   ToolResult
	isError  bool
}

// toolMsg is what a running tool sends the loop: an update (with ack, which
// the loop closes once the update was delivered) or its final result.
type toolMsg struct {
	index   int
	update  bool
	ack     chan struct{}
	result  ToolResult
	isError bool
}

// runTools runs an assistant message's tool calls (pi's parallel mode).
// Preparation (start event, lookup, validation) runs in source order and
// polls steering after each call: a steering message skips every call not
// yet executed. Prepared calls then run concurrently; each ends as it
// finishes, and the toolResult messages follow in source order. It returns
// the results and the steering messages that interrupted, if any.
func (l *turnLoop) runTools(calls []ai.Content) ([]ai.Message, []ai.Message) {
	a := l.a
	a.mu.Lock()
	tools := a.tools
	a.mu.Unlock()

	runs := make([]toolCallRun, len(calls))
	for i := range calls {
		runs[i].call = calls[i]
	}
	var steering []ai.Message
	for i := range runs {
		r := &runs[i]
		a.emit(&Event{Type: EventToolExecutionStart, ToolCallID: r.call.ID, ToolName: r.call.Name, Args: r.call.Arguments})
		l.prepare(r, tools)
		if steering = l.take(&a.steering); len(steering) > 0 {
			l.skip(runs, i)
			break
		}
	}
	if steering == nil {
		l.execute(runs)
	}
	results := make([]ai.Message, 0, len(runs))
	for i := range runs {
		r := &runs[i]
		m := toolResultMessage(&r.call, &r.result, r.isError, now())
		l.context = append(l.context, m)
		l.added = append(l.added, m)
		rec := &l.added[len(l.added)-1]
		a.emit(&Event{Type: EventMessageStart, Message: rec})
		a.emit(&Event{Type: EventMessageEnd, Message: rec})
		results = append(results, m)
	}
	return results, steering
}

// prepare looks the tool up and validates the arguments; a failure ends the
// call at once with an error result.
func (l *turnLoop) prepare(r *toolCallRun, tools []*toolEntry) {
	for _, t := range tools {
		if t.spec.Name == r.call.Name {
			r.entry = t
			break
		}
	}
	if r.entry == nil {
		l.finish(r, errorResult("Tool "+r.call.Name+" not found"), true)
		return
	}
	args, err := r.entry.validate(&r.call)
	if err != nil {
		l.finish(r, errorResult(err.Error()), true)
		return
	}
	r.args, r.prepared = args, true
}

// skip ends every call from index on, and the prepared ones before it,
// with the skipped result. Calls not yet started get their start event.
func (l *turnLoop) skip(runs []toolCallRun, index int) {
	for i := range runs {
		r := &runs[i]
		if r.done {
			continue
		}
		if i > index {
			l.a.emit(&Event{Type: EventToolExecutionStart, ToolCallID: r.call.ID, ToolName: r.call.Name, Args: r.call.Arguments})
		}
		l.finish(r, errorResult(skippedText), true)
	}
}

// finish records a call's result and emits its end event.
func (l *turnLoop) finish(r *toolCallRun, res ToolResult, isError bool) {
	r.result, r.isError, r.done = res, isError, true
	l.a.emit(&Event{Type: EventToolExecutionEnd, ToolCallID: r.call.ID, ToolName: r.call.Name, Result: &r.result, IsError: isError})
}

// execute runs the prepared calls concurrently. Their updates and results
// come back over one channel, so events leave from the loop goroutine and a
// tool's updates always precede its end. A tool that ignores cancellation
// holds up the loop; the tools in this program all honour ctx.
func (l *turnLoop) execute(runs []toolCallRun) {
	ch := make(chan toolMsg)
	pending := 0
	for i := range runs {
		if runs[i].prepared && !runs[i].done {
			pending++
			go l.runOne(i, &runs[i], ch)
		}
	}
	for pending > 0 {
		m := <-ch
		r := &runs[m.index]
		if m.update {
			l.a.emit(&Event{Type: EventToolExecutionUpdate, ToolCallID: r.call.ID, ToolName: r.call.Name, Args: r.call.Arguments, Result: &m.result})
			close(m.ack)
			continue
		}
		pending--
		l.finish(r, m.result, m.isError)
	}
}

// runOne executes one tool in its own goroutine. Updates wait until the
// loop has delivered them (a tool may reuse its buffers afterwards); updates
// sent after Execute returned are dropped.
func (l *turnLoop) runOne(index int, r *toolCallRun, ch chan<- toolMsg) {
	var mu sync.Mutex
	finished := false
	onUpdate := func(res ToolResult) {
		mu.Lock()
		defer mu.Unlock()
		if finished {
			return
		}
		ack := make(chan struct{})
		ch <- toolMsg{index: index, update: true, ack: ack, result: res}
		<-ack
	}
	res, isError := l.call(r, onUpdate)
	mu.Lock()
	finished = true
	mu.Unlock()
	ch <- toolMsg{index: index, result: res, isError: isError}
}

// call runs Execute, turning an error or a panic into an error result.
func (l *turnLoop) call(r *toolCallRun, onUpdate func(ToolResult)) (res ToolResult, isError bool) {
	defer func() {
		if p := recover(); p != nil {
			l.a.log.Error("agent: tool panicked", "tool", r.call.Name, "panic", p)
			res, isError = errorResult(fmt.Sprintf("Tool %s failed: %v", r.call.Name, p)), true
		}
	}()
	out, err := r.entry.tool.Execute(l.ctx, ToolCall{ID: r.call.ID, Name: r.call.Name, Args: r.args}, onUpdate)
	if err != nil {
		return errorResult(err.Error()), true
	}
	return out, false
}
