package askuser

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/agent"
)

func opts(labels ...string) []Option {
	out := make([]Option, len(labels))
	for i, l := range labels {
		out[i] = Option{Label: l, Description: "about " + l}
	}
	return out
}

func q(header string, o ...Option) Question {
	return Question{Question: "Which one?", Header: header, Options: o}
}

func TestValidateCodes(t *testing.T) {
	good := q("DB", opts("Postgres", "SQLite")...)
	cases := []struct {
		name string
		qs   []Question
		code string
	}{
		{"ok", []Question{good}, ""},
		{"ok four of everything", []Question{good, good, good, q("Sixteen chars ok", opts("a", "b", "c", "d")...)}, ""},
		{"none", nil, "no_questions"},
		{"five", []Question{good, good, good, good, good}, "too_many_questions"},
		{"no text", []Question{{Header: "H", Options: opts("a", "b")}}, "missing_question_text"},
		{"no header", []Question{q(" ", opts("a", "b")...)}, "missing_header"},
		{"long header", []Question{q("seventeen chars!!", opts("a", "b")...)}, "header_too_long"},
		{"header counts characters", []Question{q("ééééééééééééééé", opts("a", "b")...)}, ""},
		{"one option", []Question{q("H", opts("a")...)}, "too_few_options"},
		{"five options", []Question{q("H", opts("a", "b", "c", "d", "e")...)}, "too_many_options"},
		{"no label", []Question{q("H", Option{Description: "x"}, Option{Label: "b", Description: "y"})}, "missing_label"},
		{"long label", []Question{q("H", Option{Label: strings.Repeat("x", 61), Description: "x"}, Option{Label: "b", Description: "y"})}, "label_too_long"},
		{"no description", []Question{q("H", Option{Label: "a"}, Option{Label: "b", Description: "y"})}, "missing_description"},
		{"reserved Other", []Question{q("H", opts("Other", "b")...)}, "reserved_label"},
		{"reserved Type something.", []Question{q("H", opts("a", "Type something.")...)}, "reserved_label"},
		{"reserved Chat about this", []Question{q("H", opts("a", "Chat about this")...)}, "reserved_label"},
		{"reserved Next", []Question{q("H", opts("Next", "b")...)}, "reserved_label"},
		{"duplicate", []Question{q("H", opts("a", "b", "a")...)}, "duplicate_label"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Validate(c.qs)
			switch {
			case c.code == "" && got != nil:
				t.Fatalf("refused: %v", got)
			case c.code != "" && (got == nil || got.Code != c.code):
				t.Fatalf("got %v, want %s", got, c.code)
			}
		})
	}
}

// recorder is a Publisher that keeps what it was given.
type recorder struct {
	mu     sync.Mutex
	events []string // "keep <key> <type>" / "drop <key> <type>:<reason>"
	kept   map[string]bool
	asked  chan string
}

func newRecorder() *recorder { return &recorder{kept: map[string]bool{}, asked: make(chan string, 8)} }

func (r *recorder) PublishKept(key string, v any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.kept[key] = true
	r.events = append(r.events, "keep "+key)
	r.asked <- v.(askedEvent).RequestID
	return nil
}

func (r *recorder) PublishDropped(key string, v any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.kept, key)
	r.events = append(r.events, "drop "+key+" "+v.(cancelledEvent).Reason)
	return nil
}

func (r *recorder) waitAsked(t *testing.T) string {
	t.Helper()
	select {
	case id := <-r.asked:
		return id
	case <-time.After(10 * time.Second):
		t.Fatal("no question published")
		return ""
	}
}

func call(args string) agent.ToolCall {
	return agent.ToolCall{ID: "c1", Name: Name, Args: json.RawMessage(args)}
}

const oneQuestion = `{"questions":[{"question":"Which database?","header":"DB","options":[` +
	`{"label":"Postgres","description":"server"},{"label":"SQLite","description":"file","preview":"` + "```sql\\nselect 1\\n```" + `"}]}]}`

func TestAnswerFirstWins(t *testing.T) {
	rec := newRecorder()
	b := NewBroker("s1", rec, nil)
	tool := NewTool(b)
	type out struct {
		res agent.ToolResult
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := tool.Execute(context.Background(), call(oneQuestion), func(agent.ToolResult) {})
		done <- out{res, err}
	}()
	id := rec.waitAsked(t)
	if p := b.Pending(); len(p) != 1 || p[0].RequestID != id || p[0].Questions[0].Header != "DB" {
		t.Fatalf("pending = %+v", p)
	}
	label := "SQLite"
	if err := b.Answer(id, Response{Answers: []Answer{{QuestionIndex: 0, Question: "Which database?", Kind: KindOption, Answer: &label}}}); err != nil {
		t.Fatal(err)
	}
	if err := b.Answer(id, Response{Cancelled: true}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second answer: %v", err)
	}
	o := <-done
	if o.err != nil {
		t.Fatal(o.err)
	}
	d := o.res.Details.(Details)
	if d.Cancelled || len(d.Answers) != 1 || *d.Answers[0].Answer != "SQLite" {
		t.Fatalf("details = %+v", d)
	}
	if text := o.res.Content[0].Text; !strings.Contains(text, `"Which database?": "SQLite"`) {
		t.Fatalf("text = %q", text)
	}
	if len(b.Pending()) != 0 {
		t.Fatal("still pending")
	}
	want := []string{"keep ask_user_question:" + id, "drop ask_user_question:" + id + " answered"}
	if strings.Join(rec.events, "|") != strings.Join(want, "|") {
		t.Fatalf("events = %v", rec.events)
	}
}

func TestAbortCancels(t *testing.T) {
	rec := newRecorder()
	b := NewBroker("s1", rec, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan agent.ToolResult, 1)
	go func() {
		res, _ := NewTool(b).Execute(ctx, call(oneQuestion), func(agent.ToolResult) {})
		done <- res
	}()
	id := rec.waitAsked(t)
	cancel()
	res := <-done
	d := res.Details.(Details)
	if !d.Cancelled || len(d.Answers) != 0 || res.Content[0].Text != CancelledText {
		t.Fatalf("result = %+v", res)
	}
	if err := b.Answer(id, Response{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("answer after abort: %v", err)
	}
	if rec.events[len(rec.events)-1] != "drop ask_user_question:"+id+" aborted" || len(rec.kept) != 0 {
		t.Fatalf("events = %v kept = %v", rec.events, rec.kept)
	}
}

func TestInvalidQuestionnaireIsNotShown(t *testing.T) {
	rec := newRecorder()
	res, err := NewTool(NewBroker("s1", rec, nil)).Execute(context.Background(),
		call(`{"questions":[{"question":"?","header":"H","options":[{"label":"Other","description":"x"},{"label":"b","description":"y"}]}]}`),
		func(agent.ToolResult) {})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Details.(Details)
	if d.Error != "reserved_label" || !d.Cancelled || d.Answers == nil || len(rec.events) != 0 {
		t.Fatalf("details = %+v events = %v", d, rec.events)
	}
	if !strings.Contains(res.Content[0].Text, "reserved_label") {
		t.Fatalf("text = %q", res.Content[0].Text)
	}
}

func TestSummarize(t *testing.T) {
	qs := []Question{{Question: "A?"}, {Question: "B?"}, {Question: "C?"}}
	typed := "my own"
	cases := []struct {
		name string
		r    Response
		want []string
	}{
		{"cancelled", Response{Cancelled: true}, []string{CancelledText}},
		{"partial", Response{Cancelled: true, Answers: []Answer{{QuestionIndex: 0, Kind: KindCustom, Answer: &typed}}},
			[]string{`"A?": "my own" (typed by the user)`, `remaining questions were cancelled without an answer: "B?", "C?"`}},
		{"multi", Response{Answers: []Answer{{QuestionIndex: 1, Kind: KindMulti, Selected: []string{"x", "y"}, Notes: "quick"},
			{QuestionIndex: 0, Kind: KindChat}, {QuestionIndex: 2, Kind: KindMulti}}},
			[]string{`"B?": "x", "y" (notes: quick)`, `"A?": (wants to discuss it)`, `"C?": (nothing selected)`, "talk this over in the chat"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Summarize(qs, c.r)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Fatalf("%q lacks %q", got, w)
				}
			}
		})
	}
}

func TestClosedBrokerRefusesAtOnce(t *testing.T) {
	b := NewBroker("s1", nil, nil)
	b.Close()
	r, aborted := b.Ask(context.Background(), []Question{q("H", opts("a", "b")...)})
	if !aborted || !r.Cancelled {
		t.Fatalf("got %+v %v", r, aborted)
	}
}
