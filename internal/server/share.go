package server

import (
	"context"
	"encoding/json"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/live"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/transport/ws"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Subscribers of the same document share one execution when their viewers
// are in one class (see ws.Sharing and authz's classes). A viewer's class
// is the person's (authz.ViewerClass), except on an approvalQueue whose
// document selects only fields the rules decide by role for the
// community's staff (authz.StaffField), followed by one of that
// community's staff without assignedToMe: then the class leaves the person
// out (authz.StaffClass), so that ten thousand reviewers share one render.
// Only documents that select the item's cursor share, so that a member
// whose viewer leaves the class can go on alone from its last item.

type sharedKey struct{}

// sharedExecution reports whether ctx is a shared execution's, whose
// subscribers were each admitted when they joined.
func sharedExecution(ctx context.Context) bool { return ctx.Value(sharedKey{}) != nil }

// shareConfig is the websocket transport's sharing, nil when off.
func shareConfig(client *ent.Client, cfg Config) *ws.Sharing {
	if cfg.UnsharedSubscriptions || cfg.Live == nil {
		return nil
	}
	return sharing(client, cfg.MaxPageSize)
}

// sharing classifies subscriptions for the websocket transport.
func sharing(client *ent.Client, maxPage int) *ws.Sharing {
	return &ws.Sharing{
		Classify: func(ctx context.Context, rc *graphql.OperationContext) (ws.Share, bool) {
			return classify(ctx, client, rc, maxPage)
		},
		Resume: live.ResumeAfter,
	}
}

func classify(ctx context.Context, client *ent.Client, rc *graphql.OperationContext, maxPage int) (ws.Share, bool) {
	root := rootField(rc)
	if root == nil {
		return ws.Share{}, false
	}
	// A member that leaves its group (its viewer left the class) goes on
	// alone from the last cursor it was sent: documents without one run
	// alone from the start.
	cursor := cursorOf(root)
	if cursor == nil {
		return ws.Share{}, false
	}
	v := viewer.FromContext(ctx)
	if v.IsSystem() {
		return ws.Share{}, false
	}
	args := root.ArgumentMap(rc.Variables)
	class := authz.ViewerClass(v)
	classOf := func(v *viewer.Viewer) (string, bool) { return authz.ViewerClass(v), true }
	if com, ok := staffShareable(ctx, client, root, args); ok {
		if staff, ok := authz.StaffClass(v, com); ok {
			class = staff
			classOf = func(v *viewer.Viewer) (string, bool) { return authz.StaffClass(v, com) }
		}
	}
	belongs := inClass(classOf, class)
	// Admitted here, per subscriber, as a lone operation would be when it
	// starts; a refusal runs it alone, to be refused there.
	if _, err := admit(ctx, rc, maxPage); err != nil {
		return ws.Share{}, false
	}
	fixed := *v
	return ws.Share{
		Class: class,
		Fresh: args["after"] != nil,
		Context: func() context.Context {
			// Detached from the socket; the viewer is fixed to this one of
			// the class (a live one would follow its person out of it).
			// The credential hold Attach put in ctx stays, so deliveries
			// wait for role changes to be applied (see live's pump).
			gctx := context.WithValue(context.WithoutCancel(ctx), sharedKey{}, true)
			return viewer.NewContext(gctx, &fixed)
		},
		Member: belongs,
		Cursor: cursor,
	}, true
}

// rootField is a subscription's one root field, or nil.
func rootField(rc *graphql.OperationContext) *ast.Field {
	op := rc.Operation
	if op == nil || op.Operation != ast.Subscription || len(op.SelectionSet) != 1 {
		return nil
	}
	f, _ := op.SelectionSet[0].(*ast.Field)
	return f
}

// staffShareable returns the community of an approvalQueue subscription
// that a staff class may share: every field it selects is a StaffField
// and it does not ask for the viewer's own assignments.
func staffShareable(ctx context.Context, client *ent.Client, root *ast.Field, args map[string]any) (pulid.ID, bool) {
	if root.Name != "approvalQueue" || !staffFields(root.SelectionSet) {
		return "", false
	}
	if filter, _ := args["filter"].(map[string]any); filter != nil {
		if mine, _ := filter["assignedToMe"].(bool); mine {
			return "", false
		}
	}
	ref0, _ := args["community"].(string)
	com, err := ref.Community(ctx, client, "community", pulid.ID(ref0))
	if err != nil {
		return "", false
	}
	return com, true
}

// staffFields reports whether a selection reads only StaffFields.
func staffFields(set ast.SelectionSet) bool {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			typ := ""
			if s.ObjectDefinition != nil {
				typ = s.ObjectDefinition.Name
			}
			if !authz.StaffField(typ, s.Name) || len(s.Arguments) > 0 || !staffFields(s.SelectionSet) {
				return false
			}
		case *ast.InlineFragment:
			if !staffFields(s.SelectionSet) {
				return false
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || !staffFields(s.Definition.SelectionSet) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// cursorOf reads the change cursor of a subscription's response, where
// its document selects `cursor` on the root field; nil when it does not.
func cursorOf(root *ast.Field) func(*graphql.Response) string {
	key := ""
	for _, s := range root.SelectionSet {
		if f, ok := s.(*ast.Field); ok && f.Name == "cursor" && len(f.Directives) == 0 {
			key = f.Alias
		}
	}
	if key == "" {
		return nil
	}
	rootKey := root.Alias
	return func(resp *graphql.Response) string {
		var data map[string]json.RawMessage
		if json.Unmarshal(resp.Data, &data) != nil {
			return ""
		}
		var item map[string]json.RawMessage
		if json.Unmarshal(data[rootKey], &item) != nil {
			return ""
		}
		var cursor string
		_ = json.Unmarshal(item[key], &cursor)
		return cursor
	}
}

// inClass reports whether a member's current viewer is still of class.
// It runs for every member at every delivery, so the answer is kept for
// the viewer it was computed for: a live viewer is replaced, never changed,
// when its roles change, so a new pointer is all that needs a new answer.
func inClass(classOf func(*viewer.Viewer) (string, bool), class string) func(context.Context) bool {
	type answer struct {
		v  *viewer.Viewer
		in bool
	}
	var last atomic.Pointer[answer]
	return func(ctx context.Context) bool {
		v := viewer.FromContext(ctx)
		if a := last.Load(); a != nil && a.v == v {
			return a.in
		}
		c, ok := classOf(v)
		in := ok && c == class
		last.Store(&answer{v: v, in: in})
		return in
	}
}
