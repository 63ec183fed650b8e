package linematch

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// lines runs a scan and renders each line as "number:text:matches".
func lines(t *testing.T, pattern string, o Options, text string, first int) []string {
	t.Helper()
	m, err := Compile(pattern, o)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	m.Scanner().Scan([]byte(text), first, func(l Line) bool {
		out = append(out, fmt.Sprintf("%d:%s:%v", l.Number, text[l.Start:l.End], l.Matches))
		return true
	})
	return out
}

func TestScan(t *testing.T) {
	text := "alpha\nBeta beta\n\ngamma\r\nbeta"
	cases := []struct {
		name    string
		pattern string
		o       Options
		want    []string
	}{
		{"literal", "beta", Options{Literal: true}, []string{"2:Beta beta:[[5 9]]", "5:beta:[[0 4]]"}},
		{"literal ignoring case", "BETA", Options{Literal: true, IgnoreCase: true}, []string{"2:Beta beta:[[0 4] [5 9]]", "5:beta:[[0 4]]"}},
		{"regex with a required literal", `be(t)a$`, Options{}, []string{"2:Beta beta:[[5 9]]", "5:beta:[[0 4]]"}},
		{"anchors per line", `^gamma\r$`, Options{}, []string{"4:gamma\r:[[0 6]]"}},
		{"text anchors per line", `\Abeta\z`, Options{}, []string{"5:beta:[[0 4]]"}},
		{"empty matches", `x*`, Options{}, []string{"1:alpha:[[0 0] [1 1] [2 2] [3 3] [4 4] [5 5]]", "2:Beta beta:[[0 0] [1 1] [2 2] [3 3] [4 4] [5 5] [6 6] [7 7] [8 8] [9 9]]", "3::[[0 0]]", "4:gamma\r:[[0 0] [1 1] [2 2] [3 3] [4 4] [5 5] [6 6]]", "5:beta:[[0 0] [1 1] [2 2] [3 3] [4 4]]"}},
		{"empty literal", "", Options{Literal: true}, []string{"1:alpha:[[0 0] [1 1] [2 2] [3 3] [4 4] [5 5]]", "2:Beta beta:[[0 0] [1 1] [2 2] [3 3] [4 4] [5 5] [6 6] [7 7] [8 8] [9 9]]", "3::[[0 0]]", "4:gamma\r:[[0 0] [1 1] [2 2] [3 3] [4 4] [5 5] [6 6]]", "5:beta:[[0 0] [1 1] [2 2] [3 3] [4 4]]"}},
		{"a match across lines is none", `alpha\nBeta`, Options{}, nil},
		{"a literal across lines is none", "alpha\nBeta", Options{Literal: true}, nil},
	}
	for _, c := range cases {
		if got := lines(t, c.pattern, c.o, text, 1); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
	if got := lines(t, "beta", Options{Literal: true}, text, 10); !reflect.DeepEqual(got, []string{"11:Beta beta:[[5 9]]", "14:beta:[[0 4]]"}) {
		t.Errorf("numbered from 10: %q", got)
	}
	if got := lines(t, "x*", Options{}, "a\n", 1); len(got) != 1 {
		t.Errorf("a final line break starts no line: %q", got)
	}
}

// A case-insensitive search folds as the regexp does, beyond ASCII too.
func TestScanFoldsUnicode(t *testing.T) {
	text := "\u212Aelvin\nKELVIN\nplain"
	for _, o := range []Options{{Literal: true, IgnoreCase: true}, {IgnoreCase: true}} {
		if got := lines(t, "kelvin", o, text, 1); len(got) != 2 {
			t.Errorf("%+v: %q", o, got)
		}
	}
}

func TestScanStops(t *testing.T) {
	m, err := Compile("a", Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	m.Scanner().Scan([]byte(strings.Repeat("a\n", 10)), 1, func(Line) bool { n++; return n < 3 })
	if n != 3 {
		t.Fatalf("%d lines after asking to stop at the third", n)
	}
	if _, err := Compile("a(b", Options{}); err == nil || !strings.Contains(err.Error(), "missing closing )") {
		t.Fatalf("bad regexp: %v", err)
	}
}

// Moved from internal/search with its cases unchanged.
func TestLowerASCII(t *testing.T) {
	src := []byte("Hello, WORLD! @[`{ AZaz09 ~\x7f and more TEXT to fill words")
	for n := range len(src) + 1 {
		dst := make([]byte, n)
		if !lowerASCII(dst, src[:n]) || !bytes.Equal(dst, bytes.ToLower(src[:n])) {
			t.Fatalf("%q lowered to %q", src[:n], dst)
		}
	}
	for _, s := range []string{"héllo", "abcdefgh\xc3\xa9", "\x80"} {
		if lowerASCII(make([]byte, len(s)), []byte(s)) {
			t.Fatalf("%q reported as ASCII", s)
		}
	}
}
