package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// toolEntry is a tool with its spec and compiled argument schema.
type toolEntry struct {
	tool       Tool
	spec       ai.ToolSpec
	schema     *jsonschema.Schema
	schemaDoc  any // the schema as plain JSON values, for coercion
	compileErr error
}

func newToolEntry(t Tool) *toolEntry {
	e := &toolEntry{tool: t, spec: t.Spec()}
	params := e.spec.Parameters
	if len(params) == 0 {
		params = json.RawMessage(`{"type":"object"}`)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(params))
	if err != nil {
		e.compileErr = fmt.Errorf("invalid parameter schema for tool %q: %w", e.spec.Name, err)
		return e
	}
	const loc = "tool-parameters.json"
	c := jsonschema.NewCompiler()
	if err := c.AddResource(loc, doc); err != nil {
		e.compileErr = fmt.Errorf("invalid parameter schema for tool %q: %w", e.spec.Name, err)
		return e
	}
	if e.schema, err = c.Compile(loc); err != nil {
		e.compileErr = fmt.Errorf("invalid parameter schema for tool %q: %w", e.spec.Name, err)
	}
	e.schemaDoc = doc
	return e
}

// validate checks a call's arguments against the tool's schema after
// coercing primitives the way pi does (AJV coerceTypes: "12" for a number,
// "true" for a boolean, 3 for a string, null for anything). It returns the
// arguments to run the tool with: the raw ones when nothing was coerced.
func (e *toolEntry) validate(call *ai.Content) (json.RawMessage, error) {
	raw := call.Arguments
	if len(raw) == 0 {
		raw = json.RawMessage("{}")
	}
	if p, ok := e.tool.(ArgumentPreparer); ok {
		raw = p.PrepareArguments(raw)
	}
	if e.compileErr != nil {
		return nil, e.compileErr
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, validationError(call.Name, []string{"  - root: must be object"}, raw)
	}
	v, changed := coerce(v, e.schemaDoc)
	if err := e.schema.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, err
		}
		return nil, validationError(call.Name, formatValidation(ve, e.schemaDoc), raw)
	}
	if !changed {
		return raw, nil
	}
	return json.Marshal(v)
}

// validationError is pi's message for arguments that fail their schema.
func validationError(tool string, lines []string, raw json.RawMessage) error {
	var pretty bytes.Buffer
	if json.Indent(&pretty, raw, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(raw)
	}
	list := strings.Join(lines, "\n")
	if list == "" {
		list = "Unknown validation error"
	}
	//lint:ignore ST1005 pi's wording, which the model reads
	return fmt.Errorf("Validation failed for tool \"%s\":\n%s\n\nReceived arguments:\n%s", tool, list, pretty.String())
}

// formatValidation flattens the error tree into pi's "  - path: message"
// lines, with the wording of TypeBox (which pi validates with). Missing
// properties come first, as TypeBox reports them.
func formatValidation(ve *jsonschema.ValidationError, doc any) []string {
	var required, other []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		path := strings.Join(e.InstanceLocation, ".")
		at := func(msg string) string {
			if path == "" {
				return "  - root: " + msg
			}
			return "  - " + path + ": " + msg
		}
		switch k := e.ErrorKind.(type) {
		case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
			for _, c := range e.Causes {
				walk(c)
			}
		case *kind.AnyOf:
			for _, c := range e.Causes {
				walk(c)
			}
			other = append(other, at("must match a schema in anyOf"))
		case *kind.OneOf:
			for _, c := range e.Causes {
				walk(c)
			}
			other = append(other, at("must match exactly one schema in oneOf"))
		case *kind.Required:
			name := k.Missing[0]
			if path != "" {
				name = path + "." + name
			}
			required = append(required, "  - "+name+": must have required properties "+strings.Join(k.Missing, ", "))
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				other = append(other, "  - "+strings.TrimPrefix(path+"."+p, ".")+": schema is false")
			}
			other = append(other, at("must not have additional properties"))
		case *kind.Type:
			other = append(other, at(typeMessage(declaredTypes(doc, e.SchemaURL, k.Want))))
		default:
			other = append(other, at(kindMessage(e.ErrorKind)))
			for _, c := range e.Causes {
				walk(c)
			}
		}
	}
	walk(ve)
	return append(required, other...)
}

// kindMessage words one failed keyword as TypeBox does, falling back to the
// library's own text for rare keywords.
func kindMessage(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return typeMessage(k.Want)
	case *kind.Enum:
		return "must be equal to one of the allowed values"
	case *kind.Const:
		return "must be equal to constant"
	case *kind.FalseSchema:
		return "schema is false"
	case *kind.MinLength:
		return fmt.Sprintf("must not have fewer than %d characters", k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("must not have more than %d characters", k.Want)
	case *kind.MinItems:
		return fmt.Sprintf("must not have fewer than %d items", k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("must not have more than %d items", k.Want)
	case *kind.MinProperties:
		return fmt.Sprintf("must not have fewer than %d properties", k.Want)
	case *kind.MaxProperties:
		return fmt.Sprintf("must not have more than %d properties", k.Want)
	case *kind.Minimum:
		return "must be >= " + ratString(k.Want)
	case *kind.Maximum:
		return "must be <= " + ratString(k.Want)
	case *kind.ExclusiveMinimum:
		return "must be > " + ratString(k.Want)
	case *kind.ExclusiveMaximum:
		return "must be < " + ratString(k.Want)
	case *kind.MultipleOf:
		return "must be multiple of " + ratString(k.Want)
	case *kind.Pattern:
		return "must match pattern " + strconv.Quote(k.Want)
	case *kind.Format:
		return "must match format " + strconv.Quote(k.Want)
	case *kind.UniqueItems:
		return "must not have duplicate items"
	}
	return k.LocalizedString(message.NewPrinter(language.English))
}

func typeMessage(want []string) string {
	if len(want) == 1 {
		return "must be " + want[0]
	}
	return "must be either " + strings.Join(want[:len(want)-1], ", ") + " or " + want[len(want)-1]
}

// declaredTypes returns the types in the order the schema at schemaURL lists
// them (the library sorts them; pi names them as declared), or want.
func declaredTypes(doc any, schemaURL string, want []string) []string {
	_, frag, _ := strings.Cut(schemaURL, "#")
	node := doc
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch n := node.(type) {
		case map[string]any:
			node = n[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n) {
				return want
			}
			node = n[i]
		default:
			return want
		}
	}
	s, ok := node.(map[string]any)
	if !ok {
		return want
	}
	declared := schemaTypes(s)
	if len(declared) != len(want) {
		return want
	}
	return declared
}

func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// coerce converts v toward the schema's declared types, in place where it
// can, and reports whether anything changed. It follows pi's rules (pi-ai's
// coerceWithJsonSchema); no Go schema library coerces, so it is written
// here. Unions only try primitive conversions against each branch's "type".
func coerce(v any, schema any) (any, bool) {
	s, ok := schema.(map[string]any)
	if !ok {
		return v, false
	}
	changed := false
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			var c bool
			v, c = coerce(v, sub)
			changed = changed || c
		}
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		if branches, ok := s[key].([]any); ok {
			var c bool
			v, c = coerceUnion(v, branches)
			changed = changed || c
		}
	}
	types := schemaTypes(s)
	if len(types) > 0 && !(len(types) > 1 && slices.ContainsFunc(types, func(t string) bool { return matchesType(v, t) })) {
		for _, t := range types {
			if cand, ok := coercePrimitive(v, t); ok {
				v, changed = cand, true
				break
			}
		}
	}
	if slices.Contains(types, "object") {
		if obj, ok := v.(map[string]any); ok && coerceObject(obj, s) {
			changed = true
		}
	}
	if slices.Contains(types, "array") {
		if arr, ok := v.([]any); ok && coerceArray(arr, s) {
			changed = true
		}
	}
	return v, changed
}

func coerceObject(obj, s map[string]any) bool {
	changed := false
	props, _ := s["properties"].(map[string]any)
	for k, sub := range props {
		if val, ok := obj[k]; ok {
			nv, c := coerce(val, sub)
			obj[k] = nv
			changed = changed || c
		}
	}
	if extra, ok := s["additionalProperties"].(map[string]any); ok {
		for k, val := range obj {
			if _, defined := props[k]; defined {
				continue
			}
			nv, c := coerce(val, extra)
			obj[k] = nv
			changed = changed || c
		}
	}
	return changed
}

func coerceArray(arr []any, s map[string]any) bool {
	changed := false
	switch items := s["items"].(type) {
	case []any:
		for i := range min(len(arr), len(items)) {
			nv, c := coerce(arr[i], items[i])
			arr[i], changed = nv, changed || c
		}
	case map[string]any:
		for i := range arr {
			nv, c := coerce(arr[i], items)
			arr[i], changed = nv, changed || c
		}
	}
	return changed
}

// coerceUnion takes the first branch a primitive converts to.
func coerceUnion(v any, branches []any) (any, bool) {
	switch v.(type) {
	case map[string]any, []any:
		return v, false
	}
	for _, b := range branches {
		s, ok := b.(map[string]any)
		if !ok {
			continue
		}
		types := schemaTypes(s)
		if slices.ContainsFunc(types, func(t string) bool { return matchesType(v, t) }) {
			return v, false
		}
		for _, t := range types {
			if cand, ok := coercePrimitive(v, t); ok {
				return cand, true
			}
		}
	}
	return v, false
}

func schemaTypes(s map[string]any) []string {
	switch t := s["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if str, ok := x.(string); ok {
				out = append(out, str)
			}
		}
		return out
	}
	return nil
}

func matchesType(v any, t string) bool {
	switch t {
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		r, ok := new(big.Rat).SetString(n.String())
		return ok && r.IsInt()
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "null":
		return v == nil
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

// coercePrimitive converts v to type t, reporting false when it cannot (or
// v already is a t).
func coercePrimitive(v any, t string) (any, bool) {
	switch t {
	case "number", "integer":
		switch x := v.(type) {
		case nil:
			return json.Number("0"), true
		case bool:
			if x {
				return json.Number("1"), true
			}
			return json.Number("0"), true
		case string:
			if strings.TrimSpace(x) == "" {
				return v, false
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil || (t == "integer" && f != float64(int64(f))) {
				return v, false
			}
			return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), true
		}
	case "boolean":
		switch x := v.(type) {
		case nil:
			return false, true
		case string:
			if x == "true" || x == "false" {
				return x == "true", true
			}
		case json.Number:
			switch x.String() {
			case "1":
				return true, true
			case "0":
				return false, true
			}
		}
	case "string":
		switch x := v.(type) {
		case nil:
			return "", true
		case bool:
			return strconv.FormatBool(x), true
		case json.Number:
			if f, err := x.Float64(); err == nil {
				return strconv.FormatFloat(f, 'f', -1, 64), true
			}
			return x.String(), true
		}
	case "null":
		switch x := v.(type) {
		case string:
			if x == "" {
				return nil, true
			}
		case bool:
			if !x {
				return nil, true
			}
		case json.Number:
			if f, err := x.Float64(); err == nil && f == 0 {
				return nil, true
			}
		}
	}
	return v, false
}
