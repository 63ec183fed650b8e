package openai

import (
	"strings"
	"testing"
)

// Expected values printed by pi-ai's shortHash under Node.
func TestShortHashMatchesPi(t *testing.T) {
	cases := map[string]string{
		"":                            "k4n83c7h0j2b",
		"abc":                         "y0biex7f9bbh",
		"fc_0123456789abcdef+/=":      "1q775cp1f8nvft",
		strings.Repeat("msg_ü🙈x", 20): "dluxfe1520szz",
	}
	for in, want := range cases {
		if got := shortHash(in); got != want {
			t.Errorf("shortHash(%q) = %s, want %s", in, got, want)
		}
	}
}
