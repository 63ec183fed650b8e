package piconfig

import (
	"encoding/json"
	"testing"
)

func TestObjectKeepsOrderAndUnknownValues(t *testing.T) {
	in := `{"zeta": 1, "alpha": {"b": [1, 2.50, "x"], "a": null}, "mid": "<&>"}`
	o, err := ParseObject([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	o.Delete("zeta")
	if err := o.Set("new", map[string]string{"k": "a<b"}); err != nil {
		t.Fatal(err)
	}
	o.SetRaw("alpha", json.RawMessage(`{"replaced":true}`)) // keeps its position
	got, err := o.Indented()
	if err != nil {
		t.Fatal(err)
	}
	// JSON.stringify(obj, null, 2) layout, no HTML escaping, values verbatim.
	want := "{\n  \"alpha\": {\n    \"replaced\": true\n  },\n  \"mid\": \"<&>\",\n  \"new\": {\n    \"k\": \"a<b\"\n  }\n}"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestObjectDuplicateKeyLastValueWins(t *testing.T) {
	o, err := ParseObject([]byte(`{"a":1,"b":2,"a":3}`))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := o.MarshalJSON()
	if string(got) != `{"a":3,"b":2}` {
		t.Errorf("got %s", got)
	}
}

func TestParseObjectRejects(t *testing.T) {
	for _, in := range []string{``, `[]`, `"x"`, `null`, `{"a":1`, `{"a":1} {}`, `{"a":1}x`} {
		if _, err := ParseObject([]byte(in)); err == nil {
			t.Errorf("ParseObject(%q) succeeded", in)
		}
	}
}

func TestObjectAccessors(t *testing.T) {
	o, _ := ParseObject([]byte(`{"n": 5, "o": {"x": 1}, "s": "str"}`))
	var n int
	if !o.Decode("n", &n) || n != 5 {
		t.Errorf("Decode n = %d", n)
	}
	if o.Decode("s", &n) || o.Decode("missing", &n) {
		t.Error("Decode of a wrong type or missing key succeeded")
	}
	if _, ok := o.Object("s"); ok {
		t.Error("Object of a string succeeded")
	}
	child, ok := o.Object("o")
	if !ok || !child.Has("x") || o.Len() != 3 {
		t.Error("Object/Has/Len")
	}
	c := o.Clone()
	c.Delete("n")
	if !o.Has("n") {
		t.Error("Clone shares state")
	}
}
