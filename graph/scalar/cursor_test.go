package scalar_test

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/graph/scalar"
)

func encode(t testing.TB, c ent.Cursor) string {
	var b bytes.Buffer
	scalar.MarshalCursor(c).MarshalGQL(&b)
	s, err := strconv.Unquote(b.String())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestUnmarshalCursor(t *testing.T) {
	id := pulid.ID("grp_01J00000000000000000000000")
	for name, tc := range map[string]struct {
		in string
		ok bool
	}{
		"id only":             {encode(t, ent.Cursor{ID: id}), true},
		"id and order values": {encode(t, ent.Cursor{ID: id, Value: []any{"Beijing", 3, 2.5, true, nil}}), true},
		"empty":               {"", false},
		"not base64":          {"%%%", false},
		"not msgpack":         {base64.RawStdEncoding.EncodeToString([]byte("hello")), false},
		"foreign id":          {encode(t, ent.Cursor{ID: "1 OR 1=1"}), false},
		"value not a list":    {encode(t, ent.Cursor{ID: id, Value: 7}), false},
		"nested list":         {encode(t, ent.Cursor{ID: id, Value: []any{[]any{1}}}), false},
		"map value":           {encode(t, ent.Cursor{ID: id, Value: []any{map[string]any{"a": 1}}}), false},
		"binary value":        {encode(t, ent.Cursor{ID: id, Value: []any{[]byte{1}}}), false},
		"uint64 beyond int64": {encode(t, ent.Cursor{ID: id, Value: []any{uint64(1 << 63)}}), false},
	} {
		c, err := scalar.UnmarshalCursor(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok %v", name, err, tc.ok)
			continue
		}
		if tc.ok && c.ID != id {
			t.Errorf("%s: id %q", name, c.ID)
		}
	}
	// Small integers come back as int64, whatever width msgpack chose.
	c, err := scalar.UnmarshalCursor(encode(t, ent.Cursor{ID: id, Value: []any{3}}))
	if err != nil || c.Value.([]any)[0] != int64(3) {
		t.Fatalf("got %#v %v", c.Value, err)
	}
}
