// Package scalar holds the GraphQL scalars whose decoding is ours rather
// than the generated code's.
package scalar

import (
	"errors"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/internal/live"
)

// errCursor is what a client learns about a cursor it made up: cursors are
// opaque, and how ours decode is nobody's business.
var errCursor = errors.New("not a cursor this API issued")

// The Cursor scalar carries two kinds of position, both opaque: a
// connection cursor (entgql's, an id and order values) and a change cursor
// (a position in the change log, see internal/live), which is an
// ent.Cursor with no id and the change cursor's text as its value.

// ChangePosition is a change cursor's text inside the Cursor scalar: a type
// of its own, so that one given to a connection fails there with an error
// internal/errmap recognises (entgql names the type) and answers as bad
// input.
type ChangePosition string

// ChangeCursor wraps a change cursor's text for the Cursor scalar.
func ChangeCursor(text string) ent.Cursor { return ent.Cursor{Value: ChangePosition(text)} }

// ChangeText is the text of a change cursor given as an argument, nil for
// none; a connection cursor gives text that live.ParseCursor refuses.
func ChangeText(c *ent.Cursor) *string {
	if c == nil {
		return nil
	}
	text, ok := c.Value.(ChangePosition)
	if !ok || c.ID != "" {
		text = "a connection cursor"
	}
	s := string(text)
	return &s
}

// MarshalCursor writes a connection cursor as entgql encodes it, and a
// change cursor as its text.
func MarshalCursor(c ent.Cursor) graphql.Marshaler {
	if text, ok := c.Value.(ChangePosition); ok && c.ID == "" {
		return graphql.MarshalString(string(text))
	}
	return c
}

// UnmarshalCursor decodes a connection cursor and refuses one that entgql
// would decode but the database could not use: an id that is not one of
// ours, or order values that are not a flat list of plain values. Without
// this check such a cursor reached the SQL builder and failed there as an
// internal error.
func UnmarshalCursor(v any) (ent.Cursor, error) {
	if text, ok := v.(string); ok && live.IsCursor(text) {
		return ChangeCursor(text), nil
	}
	var c ent.Cursor
	if err := c.UnmarshalGQL(v); err != nil {
		return c, errCursor
	}
	if c.ID.Prefix() == "" {
		return c, errCursor
	}
	if c.Value == nil {
		return c, nil
	}
	values, ok := c.Value.([]any)
	if !ok {
		return c, errCursor
	}
	for i, x := range values {
		n, ok := plain(x)
		if !ok {
			return c, errCursor
		}
		values[i] = n
	}
	c.Value = values
	return c, nil
}

// plain normalises a decoded order value to a type every driver accepts,
// and reports false for anything else (maps, nested lists, binary).
func plain(x any) (any, bool) {
	switch x := x.(type) {
	case nil, string, bool, int64, float64, time.Time:
		return x, true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		if x > 1<<63-1 {
			return nil, false
		}
		return int64(x), true
	case float32:
		return float64(x), true
	}
	return nil, false
}
