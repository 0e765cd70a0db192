// Package changelog appends a Change row for every create, update and delete
// of the tracked entities, inside the transaction that makes the change, so
// subscriptions see exactly what was committed; and it writes the audit
// trail (Audit), which is kept apart from the change log because the log
// is pruned and the trail is not.
package changelog

import (
	"context"
	"errors"
	"fmt"
	"time"

	entgo "entgo.io/ent"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/auditentry"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/election"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
)

// Topics of the tracked entity families.
const (
	TopicGroup        = "group"
	TopicRole         = "role"
	TopicApplication  = "application"
	TopicReview       = "review"
	TopicEvent        = "event"
	TopicRegistration = "registration"
	TopicElection     = "election"
)

// ErrNoTransaction is returned when a tracked entity is written outside a
// transaction: its change row could not be atomic with it.
var ErrNoTransaction = errors.New("changelog: tracked entities must be written inside a transaction")

type actorKey struct{}

// WithActor records who is acting, for the change rows written under ctx.
func WithActor(ctx context.Context, userID pulid.ID) context.Context {
	return context.WithValue(ctx, actorKey{}, userID)
}

// ActorFrom returns the acting person recorded in ctx, if any.
func ActorFrom(ctx context.Context) (pulid.ID, bool) {
	id, ok := ctx.Value(actorKey{}).(pulid.ID)
	return id, ok && id != ""
}

// mutation is what every generated mutation of a tracked entity offers.
type mutation interface {
	entgo.Mutation
	Client() *ent.Client
	Tx() (*ent.Tx, error)
	IDs(context.Context) ([]pulid.ID, error)
	ID() (pulid.ID, bool)
}

// Hook returns the ent hook that logs mutations of one entity family.
func Hook(topic string) entgo.Hook {
	return func(next entgo.Mutator) entgo.Mutator {
		return entgo.MutateFunc(func(ctx context.Context, em entgo.Mutation) (entgo.Value, error) {
			m, ok := em.(mutation)
			if !ok {
				return nil, fmt.Errorf("changelog: unexpected mutation type %T", em)
			}
			if _, err := m.Tx(); err != nil {
				return nil, ErrNoTransaction
			}
			client := m.Client()
			// The hook runs inside the workflow step that makes the write,
			// whose capability creates the change row; the parents the row
			// hangs off are read whether or not the actor may see them.
			all := authz.Unfiltered(ctx)
			var (
				ids    []pulid.ID
				scopes map[pulid.ID]scope
				err    error
			)
			op := change.OpUPDATED
			switch {
			case m.Op().Is(entgo.OpCreate):
				op = change.OpCREATED
			case m.Op().Is(entgo.OpDelete | entgo.OpDeleteOne):
				op = change.OpDELETED
			}
			if op == change.OpUPDATED && onlyDerived(m) {
				// Counters kept by another entity's hook: that entity's own
				// change row already announces the change.
				return next.Mutate(ctx, m)
			}
			if op != change.OpCREATED {
				// The ids are those the write touches, not those the actor
				// may read: a token cancels its own registration without
				// being allowed to read registrations back.
				if ids, err = m.IDs(all); err != nil {
					return nil, err
				}
				if len(ids) == 0 {
					return next.Mutate(ctx, m)
				}
			}
			if op == change.OpDELETED {
				// Read the scope while the rows still exist.
				if scopes, err = lookup(all, client, topic, ids); err != nil {
					return nil, err
				}
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			if op == change.OpCREATED {
				id, ok := m.ID()
				if !ok {
					return nil, errors.New("changelog: created row has no id")
				}
				ids = []pulid.ID{id}
				// A new row carries its parent ids: at most one query,
				// which keeps bulk inserts (the demo data) cheap.
				s, err := createdScope(withBulk(all, ctx), client, topic, m, id)
				if err != nil {
					return nil, err
				}
				scopes = map[pulid.ID]scope{id: s}
			}
			if op == change.OpUPDATED {
				if scopes, err = lookup(all, client, topic, ids); err != nil {
					return nil, err
				}
			}
			actor, _ := ActorFrom(ctx)
			builders := make([]*ent.ChangeCreate, 0, len(ids))
			for _, id := range ids {
				s := scopes[id]
				builders = append(builders, client.Change.Create().
					SetTopic(topic).
					SetNodeType(m.Type()).
					SetNodeID(string(id)).
					SetOp(op).
					SetCommunityID(string(s.community)).
					SetGroupID(string(s.group)).
					SetActorID(string(actor)))
			}
			if b, ok := ctx.Value(bulkKey{}).(*bulk); ok {
				b.pending = append(b.pending, builders...)
				return v, nil
			}
			if err := save(ctx, client, topic, builders); err != nil {
				return nil, fmt.Errorf("changelog: %w", err)
			}
			return v, nil
		})
	}
}

type bulkKey struct{}

// bulk holds what Bulk defers: the change rows not yet written, and the
// scopes of the parents already looked up.
type bulk struct {
	pending []*ent.ChangeCreate
	parents map[pulid.ID]scope
}

// bulkChangeBatch is how many change rows one INSERT of Bulk's carries.
const bulkChangeBatch = 500

// Bulk runs fn, a bulk import of tracked rows, with the change log's work
// batched: the scope of each parent is read once, and the change rows are
// written together when fn returns, in the order of the writes, instead of
// one INSERT per row. ctx must be a workflow step's, and fn must write with
// the context it is given.
func Bulk(ctx context.Context, c *ent.Client, fn func(ctx context.Context) error) error {
	b := &bulk{parents: map[pulid.ID]scope{}}
	if err := fn(context.WithValue(ctx, bulkKey{}, b)); err != nil {
		return err
	}
	// Consecutive rows of one topic go together, so the collector reads
	// back the ids of the topics it wants only.
	for len(b.pending) > 0 {
		topic := builderTopic(b.pending[0])
		n := 1
		for n < len(b.pending) && n < bulkChangeBatch && builderTopic(b.pending[n]) == topic {
			n++
		}
		if err := save(ctx, c, topic, b.pending[:n]); err != nil {
			return fmt.Errorf("changelog: %w", err)
		}
		b.pending = b.pending[n:]
	}
	return nil
}

// withBulk carries from's bulk import, if any, into ctx.
func withBulk(ctx, from context.Context) context.Context {
	if b, ok := from.Value(bulkKey{}).(*bulk); ok {
		return context.WithValue(ctx, bulkKey{}, b)
	}
	return ctx
}

// parentScope is the scope of the parent row id, read by load, or remembered
// from an earlier row of the same bulk import.
func parentScope(ctx context.Context, id pulid.ID, load func() (scope, error)) (scope, error) {
	b, ok := ctx.Value(bulkKey{}).(*bulk)
	if !ok {
		return load()
	}
	if s, ok := b.parents[id]; ok {
		return s, nil
	}
	s, err := load()
	if err == nil {
		b.parents[id] = s
	}
	return s, err
}

// derivedFields are columns computed from other rows (see internal/attendance).
var derivedFields = map[string]bool{"going_count": true, "waitlist_count": true, "attended_count": true, "updated_at": true}

// onlyDerived reports whether an update touches derived columns only.
func onlyDerived(m mutation) bool {
	if len(m.ClearedFields()) > 0 {
		return false
	}
	for _, f := range append(m.Fields(), m.AddedFields()...) {
		if !derivedFields[f] {
			return false
		}
	}
	return true
}

// scope is where a change belongs, for routing it to subscribers.
type scope struct {
	community pulid.ID
	group     pulid.ID
}

// createdScope derives the scope of a row just created from its own fields.
func createdScope(ctx context.Context, c *ent.Client, topic string, m mutation, id pulid.ID) (scope, error) {
	field := func(name string) pulid.ID {
		v, _ := m.Field(name)
		fid, _ := v.(pulid.ID)
		return fid
	}
	switch topic {
	case TopicGroup:
		return scope{community: field("community_id"), group: id}, nil
	case TopicRole, TopicApplication, TopicElection:
		return scope{community: field("community_id"), group: field("group_id")}, nil
	case TopicReview:
		aid := field("application_id")
		return parentScope(ctx, aid, func() (scope, error) {
			a, err := c.Application.Query().Where(application.ID(aid)).
				Select(application.FieldCommunityID, application.FieldGroupID).Only(ctx)
			if err != nil {
				return scope{}, err
			}
			return scope{community: a.CommunityID, group: a.GroupID}, nil
		})
	case TopicEvent:
		gid := field("group_id")
		return parentScope(ctx, gid, func() (scope, error) {
			g, err := c.Group.Query().Where(group.ID(gid)).Select(group.FieldCommunityID).Only(ctx)
			if err != nil {
				return scope{}, err
			}
			return scope{community: g.CommunityID, group: gid}, nil
		})
	case TopicRegistration:
		eid := field("event_id")
		return parentScope(ctx, eid, func() (scope, error) {
			g, err := c.Event.Query().Where(event.ID(eid)).QueryGroup().
				Select(group.FieldID, group.FieldCommunityID).Only(ctx)
			if err != nil {
				return scope{}, err
			}
			return scope{community: g.CommunityID, group: g.ID}, nil
		})
	}
	return scope{}, fmt.Errorf("changelog: unknown topic %q", topic)
}

// lookup finds the community and group of each id with a constant number of
// queries per call (at most three, for registrations).
func lookup(ctx context.Context, c *ent.Client, topic string, ids []pulid.ID) (map[pulid.ID]scope, error) {
	out := make(map[pulid.ID]scope, len(ids))
	switch topic {
	case TopicGroup:
		rows, err := c.Group.Query().Where(group.IDIn(ids...)).Select(group.FieldID, group.FieldCommunityID).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = scope{community: r.CommunityID, group: r.ID}
		}
	case TopicRole:
		rows, err := c.Role.Query().Where(role.IDIn(ids...)).Select(role.FieldID, role.FieldCommunityID, role.FieldGroupID).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = scope{community: r.CommunityID, group: r.GroupID}
		}
	case TopicApplication:
		rows, err := c.Application.Query().Where(application.IDIn(ids...)).
			Select(application.FieldID, application.FieldCommunityID, application.FieldGroupID).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = scope{community: r.CommunityID, group: r.GroupID}
		}
	case TopicElection:
		rows, err := c.Election.Query().Where(election.IDIn(ids...)).
			Select(election.FieldID, election.FieldCommunityID, election.FieldGroupID).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = scope{community: r.CommunityID, group: r.GroupID}
		}
	case TopicReview:
		rows, err := c.Review.Query().Where(review.IDIn(ids...)).Select(review.FieldID, review.FieldApplicationID).All(ctx)
		if err != nil {
			return nil, err
		}
		parents, err := lookup(ctx, c, TopicApplication, uniq(rows, func(r *ent.Review) pulid.ID { return r.ApplicationID }))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = parents[r.ApplicationID]
		}
	case TopicEvent:
		rows, err := c.Event.Query().Where(event.IDIn(ids...)).Select(event.FieldID, event.FieldGroupID).All(ctx)
		if err != nil {
			return nil, err
		}
		parents, err := lookup(ctx, c, TopicGroup, uniq(rows, func(r *ent.Event) pulid.ID { return r.GroupID }))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = parents[r.GroupID]
		}
	case TopicRegistration:
		rows, err := c.Registration.Query().Where(registration.IDIn(ids...)).
			Select(registration.FieldID, registration.FieldEventID).All(ctx)
		if err != nil {
			return nil, err
		}
		parents, err := lookup(ctx, c, TopicEvent, uniq(rows, func(r *ent.Registration) pulid.ID { return r.EventID }))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = parents[r.EventID]
		}
	default:
		return nil, fmt.Errorf("changelog: unknown topic %q", topic)
	}
	return out, nil
}

func uniq[T any](rows []T, key func(T) pulid.ID) []pulid.ID {
	seen := make(map[pulid.ID]bool, len(rows))
	out := make([]pulid.ID, 0, len(rows))
	for _, r := range rows {
		if k := key(r); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// TopicAudit is the topic audit entries had when they were rows of the
// change log. They are AuditEntry rows now (see Audit); rows of this topic
// written before remain in the log until it is pruned, and are never
// delivered.
const TopicAudit = "audit"

// AuditRecord is what an audit entry says: what was done (auditentry's
// Action) to which node, in which community and group, and why when the
// actor said.
type AuditRecord struct {
	Action    auditentry.Action
	NodeType  string
	NodeID    string
	Community pulid.ID
	Group     pulid.ID
	Reason    string
}

// Audit records, in the caller's transaction (c must be its client, ctx
// its workflow step's, at its time), that the actor in ctx did what r
// says — an export of private data, a revocation, a change of settings.
// The entry is an AuditEntry, apart from the change log, so pruning the
// log never removes it; like a change row it commits or rolls back with
// the step that made it.
func Audit(ctx context.Context, c *ent.Client, at time.Time, r AuditRecord) error {
	actor, _ := ActorFrom(ctx)
	return c.AuditEntry.Create().SetAction(r.Action).SetNodeType(r.NodeType).SetNodeID(r.NodeID).
		SetCommunityID(string(r.Community)).SetGroupID(string(r.Group)).SetActorID(string(actor)).
		SetReason(r.Reason).SetCreatedAt(at).Exec(ctx)
}

// TopicCredential is the topic of credential changes (an API token
// revoked). It is private: no subscription delivers it to anyone; every
// replica's live source reads it to close the sockets the credential opened.
const TopicCredential = "credential"

// Credential records, in the caller's transaction (c must be its client,
// ctx its workflow step's), that a credential changed, so that every
// replica learns of it through the change log as it learns of any other
// change.
func Credential(ctx context.Context, c *ent.Client, nodeType string, nodeID pulid.ID) error {
	actor, _ := ActorFrom(ctx)
	return c.Change.Create().SetTopic(TopicCredential).SetNodeType(nodeType).SetNodeID(string(nodeID)).
		SetOp(change.OpUPDATED).SetActorID(string(actor)).Exec(ctx)
}

// TopicCommunity is the topic of changes to a community's own settings
// (its policy), which staff make through a workflow step.
const TopicCommunity = "community"

// Updated records, in the caller's transaction (c must be its client, ctx
// its workflow step's), that the actor in ctx changed a node that has no
// hook of its own (a community's policy), so subscribers hear of it like
// any tracked change. (A change of settings is also audited: see Audit.)
func Updated(ctx context.Context, c *ent.Client, topic, nodeType, nodeID string, community, group pulid.ID) error {
	actor, _ := ActorFrom(ctx)
	return c.Change.Create().SetTopic(topic).SetNodeType(nodeType).SetNodeID(nodeID).
		SetOp(change.OpUPDATED).SetCommunityID(string(community)).SetGroupID(string(group)).
		SetActorID(string(actor)).Exec(ctx)
}
