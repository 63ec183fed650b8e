package agent

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// The expected texts were produced by pi-ai's validateToolArguments (pi
// 0.74) on the same schema and arguments.
func TestValidationWordingMatchesPi(t *testing.T) {
	schema := `{"type":"object","properties":{"path":{"type":"string"},"offset":{"type":"number"},"flag":{"type":"boolean"},
		"items":{"type":"array","items":{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}},
		"mode":{"type":"string","enum":["x","y"]}},"required":["path"],"additionalProperties":false}`
	schema2 := `{"type":"object","properties":{"path":{"type":"string","minLength":2,"pattern":"^a"},"content":{"type":"string"},
		"n":{"type":"number","minimum":1,"maximum":5},"u":{"type":["string","number"]},"arr":{"type":"array","minItems":1,"maxItems":2,"items":{"type":"string"}},
		"c":{"const":"x"},"o":{"anyOf":[{"type":"number"},{"type":"boolean"}]}},"required":["path","content"]}`
	cases := []struct {
		schema, args string
		errs         []string // "" means valid
		coerced      string
	}{
		{schema, `{}`, []string{"path: must have required properties path"}, ""},
		{schema, `{"path":1}`, nil, `{"path":"1"}`},
		{schema, `{"path":"a","offset":"12"}`, nil, `{"offset":12,"path":"a"}`},
		{schema, `{"path":"a","offset":"abc"}`, []string{"offset: must be number"}, ""},
		{schema, `{"path":null}`, nil, `{"path":""}`},
		{schema, `{"path":"a","flag":"yes"}`, []string{"flag: must be boolean"}, ""},
		{schema, `{"path":"a","flag":"true"}`, nil, `{"flag":true,"path":"a"}`},
		{schema, `{"path":"a","items":[{"a":"1.5"}]}`, []string{"items.0.a: must be integer"}, ""},
		{schema, `{"path":"a","items":[{}]}`, []string{"items.0.a: must have required properties a"}, ""},
		{schema, `{"path":"a","extra":1}`, []string{"extra: schema is false", "root: must not have additional properties"}, ""},
		{schema, `{"path":"a","mode":"z"}`, []string{"mode: must be equal to one of the allowed values"}, ""},
		{schema, `{"path":{}}`, []string{"path: must be string"}, ""},
		{schema, `{"offset":"x"}`, []string{"path: must have required properties path", "offset: must be number"}, ""},
		{schema, `{"path":"a","items":"no"}`, []string{"items: must be array"}, ""},
		{schema, `[]`, []string{"root: must be object"}, ""},
		{schema2, `{}`, []string{"path: must have required properties path, content"}, ""},
		{schema2, `{"path":"ab","content":"x","n":0}`, []string{"n: must be >= 1"}, ""},
		{schema2, `{"path":"ab","content":"x","n":9}`, []string{"n: must be <= 5"}, ""},
		{schema2, `{"path":"ab","content":"x","u":{}}`, []string{"u: must be either string or number"}, ""},
		{schema2, `{"path":"ab","content":"x","arr":[]}`, []string{"arr: must not have fewer than 1 items"}, ""},
		{schema2, `{"path":"ab","content":"x","arr":[1,2,3]}`, []string{"arr: must not have more than 2 items"}, ""},
		{schema2, `{"path":"ab","content":"x","c":"y"}`, []string{"c: must be equal to constant"}, ""},
		{schema2, `{"path":"ab","content":"x","o":"1"}`, nil, `{"content":"x","o":1,"path":"ab"}`},
		{schema2, `{"path":"ab","content":"x","n":"3"}`, nil, `{"content":"x","n":3,"path":"ab"}`},
		{schema2, `{"path":"a","content":"x"}`, []string{"path: must not have fewer than 2 characters"}, ""},
		{schema2, `{"path":"bc","content":"x"}`, []string{`path: must match pattern "^a"`}, ""},
	}
	for _, c := range cases {
		e := newToolEntry(&fakeTool{name: "t", schema: c.schema})
		got, err := e.validate(&ai.Content{Name: "t", Arguments: json.RawMessage(c.args)})
		if c.errs == nil {
			if err != nil {
				t.Errorf("%s: unexpected error %v", c.args, err)
			} else if string(got) != c.coerced {
				t.Errorf("%s: coerced to %s, want %s", c.args, got, c.coerced)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted as %s", c.args, got)
			continue
		}
		var pretty bytes.Buffer
		_ = json.Indent(&pretty, []byte(c.args), "", "  ")
		want := "Validation failed for tool \"t\":\n  - " + strings.Join(c.errs, "\n  - ") + "\n\nReceived arguments:\n" + pretty.String()
		if err.Error() != want {
			t.Errorf("%s:\n got %q\nwant %q", c.args, err.Error(), want)
		}
	}
}

type preparingTool struct{ fakeTool }

// PrepareArguments parses an object sent as a JSON string, as models do.
func (p *preparingTool) PrepareArguments(raw json.RawMessage) json.RawMessage {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return json.RawMessage(s)
	}
	return raw
}

func TestArgumentsArePreparedBeforeValidation(t *testing.T) {
	e := newToolEntry(&preparingTool{fakeTool{name: "t", schema: `{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}`}})
	got, err := e.validate(&ai.Content{Name: "t", Arguments: json.RawMessage(`"{\"path\":\"a.go\"}"`)})
	if err != nil || string(got) != `{"path":"a.go"}` {
		t.Fatalf("got %s, %v", got, err)
	}
}
