package wire

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

type sseEvent struct{ name, data string }

func readAll(t *testing.T, r io.Reader) ([]sseEvent, error) {
	t.Helper()
	s := NewSSEReader(r)
	var out []sseEvent
	for s.Next() {
		out = append(out, sseEvent{s.Event().Name, string(s.Event().Data)})
	}
	return out, s.Err()
}

func TestSSEReaderFields(t *testing.T) {
	in := ": comment\n" +
		"event: message_start\ndata: {\"a\":1}\n\n" +
		"data: line1\r\ndata: line2\r\n\r\n" +
		"\n\n" +
		"event: ping\n\n" +
		"data:no-space\n\n" +
		"data: " + strings.Repeat("x", 100_000) + "\n\n" +
		"data: trailing"
	got, err := readAll(t, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []sseEvent{
		{"message_start", `{"a":1}`},
		{"", "line1\nline2"},
		{"ping", ""},
		{"", "no-space"},
		{"", strings.Repeat("x", 100_000)},
		{"", "trailing"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %.40q, want %.40q", i, got[i], want[i])
		}
	}
}

func TestSSEReaderOneByteReads(t *testing.T) {
	in := "event: a\ndata: 1\n\nevent: b\ndata: 2\n\n"
	got, err := readAll(t, iotest.OneByteReader(strings.NewReader(in)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != (sseEvent{"a", "1"}) || got[1] != (sseEvent{"b", "2"}) {
		t.Errorf("got %v", got)
	}
}

func TestSSEReaderBrokenStreamDropsPartialEvent(t *testing.T) {
	r := io.MultiReader(strings.NewReader("data: whole\n\ndata: cut"), iotest.ErrReader(io.ErrUnexpectedEOF))
	got, err := readAll(t, r)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want unexpected EOF", err)
	}
	if len(got) != 1 || got[0].data != "whole" {
		t.Errorf("got %v, want only the whole event", got)
	}
}
