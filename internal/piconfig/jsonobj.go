package piconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Object is a JSON object that keeps its keys in file order and its values as
// raw JSON, so a file read and written back keeps every key it had, unknown
// ones included, where the user put them. (encoding/json maps sort keys and
// would reorder a hand-edited settings.json on every write.)
type Object struct {
	keys []string
	vals map[string]json.RawMessage
}

// NewObject returns an empty object.
func NewObject() *Object { return &Object{vals: map[string]json.RawMessage{}} }

// ParseObject parses data, which must be a JSON object.
func ParseObject(data []byte) (*Object, error) {
	o := NewObject()
	if err := o.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	return o, nil
}

// Keys returns the keys in order.
func (o *Object) Keys() []string { return slices.Clone(o.keys) }

// Len returns the number of keys.
func (o *Object) Len() int { return len(o.keys) }

// Has reports whether key is present.
func (o *Object) Has(key string) bool {
	_, ok := o.vals[key]
	return ok
}

// Raw returns the raw value of key.
func (o *Object) Raw(key string) (json.RawMessage, bool) {
	v, ok := o.vals[key]
	return v, ok
}

// Decode unmarshals the value of key into dst; it reports false when the key
// is absent or its value does not fit dst.
func (o *Object) Decode(key string, dst any) bool {
	v, ok := o.vals[key]
	if !ok {
		return false
	}
	return json.Unmarshal(v, dst) == nil
}

// Object returns the value of key as an object.
func (o *Object) Object(key string) (*Object, bool) {
	v, ok := o.vals[key]
	if !ok {
		return nil, false
	}
	child, err := ParseObject(v)
	if err != nil {
		return nil, false
	}
	return child, true
}

// SetRaw sets key to a raw JSON value, keeping its position if present.
func (o *Object) SetRaw(key string, v json.RawMessage) {
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = slices.Clone(v)
}

// Set sets key to the JSON encoding of v.
func (o *Object) Set(key string, v any) error {
	data, err := marshalNoEscape(v)
	if err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	o.SetRaw(key, data)
	return nil
}

// Delete removes key.
func (o *Object) Delete(key string) {
	if _, ok := o.vals[key]; !ok {
		return
	}
	delete(o.vals, key)
	o.keys = slices.DeleteFunc(o.keys, func(k string) bool { return k == key })
}

// Clone returns a deep copy.
func (o *Object) Clone() *Object {
	c := &Object{keys: slices.Clone(o.keys), vals: make(map[string]json.RawMessage, len(o.vals))}
	for k, v := range o.vals {
		c.vals[k] = slices.Clone(v)
	}
	return c
}

// MarshalJSON writes the object compactly, keys in order.
func (o *Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		key, err := marshalNoEscape(k)
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		if err := json.Compact(&b, o.vals[k]); err != nil {
			return nil, fmt.Errorf("value of %s: %w", k, err)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a JSON object; a duplicate key keeps its first
// position and its last value, as JavaScript's JSON.parse does.
func (o *Object) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("not a JSON object")
	}
	o.keys, o.vals = nil, map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		o.SetRaw(key, v)
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON object")
	}
	return nil
}

// Indented returns the object as JSON.stringify(obj, null, 2) writes it.
func (o *Object) Indented() ([]byte, error) {
	compact, err := o.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := json.Indent(&b, compact, "", "  "); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// marshalNoEscape is json.Marshal without HTML escaping, so "<" and "&" in
// values stay readable in files users edit.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
