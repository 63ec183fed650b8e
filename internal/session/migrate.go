package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/pi-forge/pi-forge/internal/jsonw"
	"strconv"
)

// orderedObj is a JSON object that keeps its key order, so a migrated line
// differs from the original only where the migration changed it (new keys go
// last, as they do when JavaScript assigns a new property).
type orderedObj []struct {
	key string
	val json.RawMessage
}

func parseOrdered(b []byte) (orderedObj, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("session: not a JSON object")
	}
	var o orderedObj
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		o = append(o, struct {
			key string
			val json.RawMessage
		}{k, v})
	}
	return o, nil
}

func (o orderedObj) get(k string) (json.RawMessage, bool) {
	for _, kv := range o {
		if kv.key == k {
			return kv.val, true
		}
	}
	return nil, false
}

func (o *orderedObj) set(k string, v json.RawMessage) {
	for i := range *o {
		if (*o)[i].key == k {
			(*o)[i].val = v
			return
		}
	}
	*o = append(*o, struct {
		key string
		val json.RawMessage
	}{k, v})
}

func (o *orderedObj) del(k string) {
	for i := range *o {
		if (*o)[i].key == k {
			*o = append((*o)[:i], (*o)[i+1:]...)
			return
		}
	}
}

func (o orderedObj) encode() []byte {
	b := []byte{'{'}
	for i, kv := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.AppendString(b, kv.key)
		b = append(b, ':')
		var c bytes.Buffer
		if json.Compact(&c, kv.val) == nil {
			b = append(b, c.Bytes()...)
		} else {
			b = append(b, kv.val...)
		}
	}
	return append(b, '}')
}

func (o orderedObj) str(k string) string {
	v, ok := o.get(k)
	if !ok {
		return ""
	}
	var s string
	_ = json.Unmarshal(v, &s)
	return s
}

// migrate brings the lines of a file (header first) from version to
// CurrentVersion, as pi does on load: v1 gets ids and a parentId chain and
// compaction indexes become ids; v2 renames the hookMessage role to custom.
// Lines that are not JSON objects are dropped, as pi's rewrite drops them.
func migrate(lines [][]byte, version int, newID func(taken map[string]bool) string) ([][]byte, error) {
	objs := make([]orderedObj, 0, len(lines))
	for _, l := range lines {
		if o, err := parseOrdered(l); err == nil {
			objs = append(objs, o)
		}
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("session: migrate: no header")
	}
	if version < 2 {
		migrateV1(objs, newID)
	}
	if version < 3 {
		if err := migrateV2(objs); err != nil {
			return nil, err
		}
	}
	out := make([][]byte, len(objs))
	for i, o := range objs {
		out[i] = o.encode()
	}
	return out, nil
}

func migrateV1(objs []orderedObj, newID func(map[string]bool) string) {
	taken := map[string]bool{}
	ids := make([]string, len(objs))
	prev := json.RawMessage("null")
	for i := range objs {
		o := &objs[i]
		if o.str("type") == TypeSession {
			o.set("version", json.RawMessage("2"))
			continue
		}
		id := newID(taken)
		taken[id] = true
		ids[i] = id
		idJSON := jsonw.AppendString(nil, id)
		o.set("id", idJSON)
		o.set("parentId", prev)
		prev = idJSON
		if o.str("type") != TypeCompaction {
			continue
		}
		raw, ok := o.get("firstKeptEntryIndex")
		if !ok {
			continue
		}
		if idx, err := strconv.Atoi(string(raw)); err == nil && idx >= 0 && idx < len(objs) && ids[idx] != "" {
			o.set("firstKeptEntryId", jsonw.AppendString(nil, ids[idx]))
		}
		o.del("firstKeptEntryIndex")
	}
}

func migrateV2(objs []orderedObj) error {
	for i := range objs {
		o := &objs[i]
		switch o.str("type") {
		case TypeSession:
			o.set("version", json.RawMessage("3"))
		case TypeMessage:
			raw, ok := o.get("message")
			if !ok {
				continue
			}
			msg, err := parseOrdered(raw)
			if err != nil || msg.str("role") != "hookMessage" {
				continue
			}
			msg.set("role", json.RawMessage(`"custom"`))
			o.set("message", msg.encode())
		}
	}
	return nil
}
