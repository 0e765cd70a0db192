package scalar

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/usergroups/usergroups/internal/policy"
)

// timeLayouts are the forms a Time input may take: gqlgen's, so that
// clients keep working.
var timeLayouts = []string{time.RFC3339Nano, time.RFC3339, time.DateTime}

// MarshalTime writes an instant in RFC 3339 with the precision it has.
func MarshalTime(t time.Time) graphql.ContextMarshaler {
	if t.IsZero() {
		return graphql.Null
	}
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, strconv.Quote(t.Format(time.RFC3339Nano)))
		return err
	})
}

// UnmarshalTime reads a Time input and refuses one outside the range the
// API accepts (policy.CheckTimeRange) as bad input on the field it was
// given for: every Time argument, input field and filter comes through
// here, so none reaches the database (where year 0 failed as an internal
// error).
func UnmarshalTime(ctx context.Context, v any) (time.Time, error) {
	field := inputField(ctx)
	s, ok := v.(string)
	if !ok {
		return time.Time{}, &policy.FieldError{Field: field, Reason: "must be a string in RFC 3339 form, such as 2026-12-03T11:00:00Z"}
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, policy.CheckTimeRange(field, t)
		}
	}
	return time.Time{}, &policy.FieldError{Field: field, Reason: "must be a date and time in RFC 3339 form, such as 2026-12-03T11:00:00Z"}
}

// inputField names the argument or input field being read: the last name
// on the input path (list indexes skipped).
func inputField(ctx context.Context) string {
	path := graphql.GetPath(ctx)
	for i := len(path) - 1; i >= 0; i-- {
		if name, ok := path[i].(ast.PathName); ok {
			return string(name)
		}
	}
	return ""
}
