package ws

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestEncodeResponseMatchesEncode: the hand-written result encoder says
// exactly what the general one says, for every shape of response.
func TestEncodeResponseMatchesEncode(t *testing.T) {
	yes := true
	for name, r := range map[string]*graphql.Response{
		"data":             {Data: json.RawMessage(`{"a":{"b":[1,"<x>\u2028"]}}`)},
		"no data":          {},
		"null data":        {Data: json.RawMessage(`null`)},
		"errors and data":  {Data: json.RawMessage(`{"a":null}`), Errors: gqlerror.List{{Message: "m", Path: ast.Path{ast.PathName("a")}}}},
		"extensions":       {Data: json.RawMessage(`{}`), Extensions: map[string]any{"cost": 3}},
		"spaced data":      {Data: json.RawMessage(" { \"a\" : 1 } ")},
		"invalid data":     {Data: json.RawMessage(`{"a":`)},
		"incremental part": {Data: json.RawMessage(`{}`), HasNext: &yes, Label: "l"},
	} {
		for _, id := range []string{"1", "", `q"uo\te`, "é"} {
			want, got := decode(t, encode("next", id, r)), decode(t, encodeResponse("next", id, r))
			if !reflect.DeepEqual(want, got) {
				t.Errorf("%s, id %q: encode %v, encodeResponse %v", name, id, want, got)
			}
		}
	}
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return v
}
