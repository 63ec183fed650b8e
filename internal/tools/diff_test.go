package tools

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Whatever path the diff takes, its parts must rebuild both texts.
func TestDiffLinesRebuildsBothSides(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"a", "b", "c", "", "d"}
	gen := func() string {
		var lines []string
		for i := r.IntN(12); i > 0; i-- {
			lines = append(lines, words[r.IntN(len(words))])
		}
		s := strings.Join(lines, "\n")
		if r.IntN(2) == 0 {
			s += "\n"
		}
		return s
	}
	for i := 0; i < 2000; i++ {
		a, b := gen(), gen()
		var oldB, newB strings.Builder
		for _, p := range diffLines(a, b) {
			if !p.added {
				oldB.WriteString(p.value)
			}
			if !p.removed {
				newB.WriteString(p.value)
			}
		}
		if oldB.String() != a || newB.String() != b {
			t.Fatalf("diff of %q -> %q rebuilds %q -> %q", a, b, oldB.String(), newB.String())
		}
	}
}

func TestToFixedRoundsLikeJavaScript(t *testing.T) {
	for x, want := range map[float64]string{1.25: "1.3", 1.35: "1.4", 0.05: "0.1", 2.0: "2.0", 1.45: "1.4", 99.95: "100.0"} {
		if got := toFixed(x, 1); got != want {
			t.Errorf("toFixed(%v, 1) = %q, want %q", x, got, want)
		}
	}
	if got := FormatSize(1280); got != "1.3KB" {
		t.Errorf("FormatSize(1280) = %q", got)
	}
}

func TestDecodeUTF8LikeNode(t *testing.T) {
	for in, want := range map[string]string{
		"ok":           "ok",
		"\xff":         "\uFFFD",
		"\xe2\x82":     "\uFFFD",             // one maximal subpart
		"\xe2\x82A":    "\uFFFDA",            // cut sequence then ASCII
		"\xf0\x9f\x98": "\uFFFD",             // cut 4-byte sequence
		"\xed\xa0\x80": "\uFFFD\uFFFD\uFFFD", // surrogate: each byte
		"\xc0\xaf":     "\uFFFD\uFFFD",
	} {
		if got := decodeUTF8([]byte(in)); got != want {
			t.Errorf("decode %q = %q, want %q", in, got, want)
		}
	}
}
