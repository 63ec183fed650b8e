package jsonw

import (
	"encoding/json"
	"testing"
)

func TestAppendStringMatchesJSONStringify(t *testing.T) {
	for in, want := range map[string]string{
		"plain":               `"plain"`,
		`quote " and \ slash`: `"quote \" and \\ slash"`,
		"<b>&amp;</b>":        `"<b>&amp;</b>"`,
		"line\nfeed\ttab\r":   `"line\nfeed\ttab\r"`,
		"\x00\x1f\b\f":        `"\u0000\u001f\b\f"`,
		"sep\u2028\u2029":     "\"sep\u2028\u2029\"",
		"émoji 🎉":             `"émoji 🎉"`,
		"bad\xffbyte":         "\"bad\ufffdbyte\"",
	} {
		got := string(AppendString(nil, in))
		if got != want {
			t.Errorf("%q: got %s want %s", in, got, want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Errorf("%q: not valid JSON: %v", in, err)
		}
	}
}

func TestObjKeepsKeyOrderAndSkipsEmpty(t *testing.T) {
	o := NewObj(nil)
	o.Str("type", "x")
	o.OptStr("skip", "")
	o.StrOrNull("parentId", "")
	o.Int("n", 42)
	o.Bool("ok", true)
	o.Raw("raw", []byte(`{"a":1}`))
	o.Value("v", map[string]string{"h": "<tag>"})
	b, err := o.Done()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"x","parentId":null,"n":42,"ok":true,"raw":{"a":1},"v":{"h":"<tag>"}}`; string(b) != want {
		t.Fatalf("got %s", b)
	}
}
