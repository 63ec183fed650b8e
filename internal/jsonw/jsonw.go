// Package jsonw writes compact JSON objects key by key, quoting strings the
// way JavaScript's JSON.stringify does, so lines written here are identical
// to the ones pi writes. encoding/json cannot do either: it has no per-key
// control on one struct and always escapes U+2028/U+2029 (and, through
// Marshal, <, > and &).
package jsonw

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Obj builds one JSON object.
type Obj struct {
	b     []byte
	first bool
	err   error
}

// NewObj starts an object, appending to buf (which may be nil).
func NewObj(buf []byte) *Obj { return &Obj{b: append(buf, '{'), first: true} }

// Begin starts an object in a zero Obj, appending to buf; a stack Obj
// started this way writes without allocating.
func (o *Obj) Begin(buf []byte) {
	o.b, o.first, o.err = append(buf, '{'), true, nil
}

// Open starts a nested object under key k; Close ends it.
func (o *Obj) Open(k string) {
	o.Key(k)
	o.b = append(o.b, '{')
	o.first = true
}

// Close ends the object Open started.
func (o *Obj) Close() {
	o.b = append(o.b, '}')
	o.first = false
}

// Key writes the next key; a value must follow.
func (o *Obj) Key(k string) {
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	o.b = AppendString(o.b, k)
	o.b = append(o.b, ':')
}

// Str writes a string field.
func (o *Obj) Str(k, v string) { o.Key(k); o.b = AppendString(o.b, v) }

// OptStr writes a string field unless v is empty.
func (o *Obj) OptStr(k, v string) {
	if v != "" {
		o.Str(k, v)
	}
}

// StrOrNull writes v, or null when v is empty.
func (o *Obj) StrOrNull(k, v string) {
	o.Key(k)
	if v == "" {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = AppendString(o.b, v)
}

// Int writes an integer field.
func (o *Obj) Int(k string, v int64) { o.Key(k); o.b = strconv.AppendInt(o.b, v, 10) }

// Bool writes a boolean field.
func (o *Obj) Bool(k string, v bool) { o.Key(k); o.b = strconv.AppendBool(o.b, v) }

// Raw writes already-encoded JSON.
func (o *Obj) Raw(k string, v []byte) { o.Key(k); o.b = append(o.b, v...) }

// OptRaw writes already-encoded JSON unless it is empty.
func (o *Obj) OptRaw(k string, v []byte) {
	if len(v) > 0 {
		o.Raw(k, v)
	}
}

// RawOrNull writes already-encoded JSON, or null when it is empty.
func (o *Obj) RawOrNull(k string, v []byte) {
	if len(v) == 0 {
		v = []byte("null")
	}
	o.Raw(k, v)
}

// Value writes any value with encoding/json, without HTML escaping.
func (o *Obj) Value(k string, v any) {
	o.Key(k)
	b, err := Marshal(v)
	if err != nil && o.err == nil {
		o.err = err
	}
	o.b = append(o.b, b...)
}

// Fail records err as the object's error (the first one wins).
func (o *Obj) Fail(err error) {
	if o.err == nil {
		o.err = err
	}
}

// Done closes the object and returns it with the first error, if any.
func (o *Obj) Done() ([]byte, error) { return append(o.b, '}'), o.err }

// Marshal is json.Marshal without HTML escaping and without the trailing
// newline of json.Encoder.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// AppendString quotes s as JSON.stringify does: only ", \ and control
// characters are escaped. Invalid UTF-8 becomes U+FFFD, as Node does when it
// decodes the bytes.
func AppendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, "\ufffd"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
