package live

import (
	"context"
	"slices"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/election"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/limits"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// A community's change feed is read two ways with one cursor: followed
// live (the `changes` subscription, Follow) or polled a page at a time
// (the `changes` query, Page), for tools that sync at night without a
// socket. Both read the change log through the broker (Subscribe's replay
// and Read share its reader and its refusals), both keep the changes a
// token may not read the area of out, and both show each node as the
// viewer may see it. A page differs in two ways: its nodes are loaded in
// one query per type through the privacy rules (the subscription shares a
// load between subscribers instead, see load.go; the rules are the same),
// and a change whose node is gone is not skipped: it is a tombstone, its
// id and type, for those authz.CanSeeTombstone shows it to, so a poller
// learns of every deletion it may.

// feedTopics are the topics of the change feed: every topic but the
// private ones (see private), in the order of the ChangeTopic enum.
var feedTopics = []string{changelog.TopicGroup, changelog.TopicRole, changelog.TopicApplication, changelog.TopicReview,
	changelog.TopicEvent, changelog.TopicRegistration, changelog.TopicElection, changelog.TopicCommunity}

// Feed is a community's change feed, of some topics (all when empty).
type Feed struct {
	Community pulid.ID
	Topics    []string
}

// topics returns the topics of f that v may follow: an API token needs the
// changes area (FORBIDDEN naming it otherwise) and follows only the topics
// whose area it may read (policy.TopicArea).
func (f Feed) topics(v *viewer.Viewer) ([]string, error) {
	if !v.CanRead(viewer.AreaChanges) {
		return nil, apierror.MissingScope(viewer.ScopeName(viewer.AreaChanges), "the change feed")
	}
	asked := f.Topics
	if len(asked) == 0 {
		asked = feedTopics
	}
	var out []string
	for _, t := range asked {
		if slices.Contains(feedTopics, t) && v.CanRead(policy.TopicArea(t)) && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// Follow subscribes v, the viewer in ctx, to the feed after the cursor (or
// from now); see Subscribe. Items are then delivered with Deliver.
func (s *Source) Follow(ctx context.Context, f Feed, after *string) (*Subscription, error) {
	topics, err := f.topics(viewer.FromContext(ctx))
	if err != nil {
		return nil, err
	}
	return s.Subscribe(ctx, after, func(c *ent.Change) bool {
		return c.CommunityID == string(f.Community) && slices.Contains(topics, c.Topic)
	})
}

// FeedPage is one page of a change feed.
type FeedPage struct {
	// Items are the page's changes the viewer may see, in log order; a
	// tombstone's Node is nil (and its Actor too: it names nobody).
	Items []*Item
	// Next is the cursor to continue after: the last change read when
	// there are more (More), else the position the query reflects.
	Next string
	// More reports that more changes of the feed follow Next.
	More bool
}

// Page reads, through c (the client of the query's snapshot, whose
// position is reflected: its changeCursor), the first changes of the feed
// after the cursor. Without a cursor the page is empty and Next is
// reflected: the feed from now. first defaults to limits.DefaultPageSize
// and is at most limits.MaxPageSize. Changes the viewer may not see are
// left out of the page but still passed over by Next, so a page may be
// short, or empty, and yet More.
func (s *Source) Page(ctx context.Context, c *ent.Client, f Feed, after *string, first *int, reflected string) (*FeedPage, error) {
	if err := s.available(); err != nil {
		return nil, err
	}
	v := viewer.FromContext(ctx)
	topics, err := f.topics(v)
	if err != nil {
		return nil, err
	}
	n := limits.DefaultPageSize
	if first != nil {
		if n = *first; n < 1 || n > limits.MaxPageSize {
			return nil, apierror.Invalid("first", "first must be between 1 and %d, got %d", limits.MaxPageSize, n)
		}
	}
	from, ok, err := ParseCursor(after)
	if err != nil || !ok {
		return &FeedPage{Next: reflected}, err
	}
	at, _, err := ParseCursor(&reflected)
	if err != nil {
		return nil, err
	}
	page, err := s.Broker.Read(ctx, c, from, at,
		change.And(change.CommunityID(string(f.Community)), change.TopicIn(topics...)), n)
	if err != nil {
		return nil, cursorError(err)
	}
	out := &FeedPage{Next: Cursor(page.Next), More: page.More}
	shown, exists, err := pageNodes(ctx, c, page.Changes)
	if err != nil {
		return nil, err
	}
	var actors []pulid.ID
	for _, d := range page.Changes {
		id := pulid.ID(d.NodeID)
		node := shown[id]
		switch {
		case node != nil:
		case exists[id]:
			continue // hidden from the viewer
		case !authz.CanSeeTombstone(v, d.Change):
			continue // deleted or gone, and the viewer may not learn of it
		}
		it := &Item{Cursor: Cursor(d.After), Seq: d.ID, Op: d.Op, At: d.CreatedAt, Topic: d.Topic, Change: d.Change, Node: node}
		if node != nil && d.ActorID != "" {
			it.ActorID = pulid.ID(d.ActorID)
			actors = append(actors, it.ActorID)
		}
		out.Items = append(out.Items, it)
	}
	return out, pageActors(ctx, c, out.Items, actors)
}

// pageNodes loads the nodes of a page's changes with one query per type:
// those the viewer in ctx may see (shown), and whether the others still
// exist (hidden from the viewer) or are gone. A deleted change loads
// nothing: its node is gone.
func pageNodes(ctx context.Context, c *ent.Client, ds []*broker.Delivery) (shown map[pulid.ID]ent.Noder, exists map[pulid.ID]bool, err error) {
	byType := map[string][]pulid.ID{}
	for _, d := range ds {
		if d.Op != change.OpDELETED {
			byType[d.NodeType] = append(byType[d.NodeType], pulid.ID(d.NodeID))
		}
	}
	shown, exists = map[pulid.ID]ent.Noder{}, map[pulid.ID]bool{}
	for typ, ids := range byType {
		nodes, err := loadNodes(ctx, c, typ, ids)
		if err != nil {
			return nil, nil, err
		}
		var hidden []pulid.ID
		for _, id := range ids {
			if n, ok := nodes[id]; ok {
				shown[id] = n
			} else if !slices.Contains(hidden, id) {
				hidden = append(hidden, id)
			}
		}
		if len(hidden) == 0 {
			continue
		}
		rows, err := loadNodes(viewer.SystemContext(ctx), c, typ, hidden)
		if err != nil {
			return nil, nil, err
		}
		for id := range rows {
			exists[id] = true
		}
	}
	return shown, exists, nil
}

// loadNodes loads the nodes of type typ with ids through c as the viewer
// in ctx may see them, by id, in one query. A type without a case here
// (a tracked entity added since) is loaded one node at a time, which is
// right if slower.
func loadNodes(ctx context.Context, c *ent.Client, typ string, ids []pulid.ID) (map[pulid.ID]ent.Noder, error) {
	switch typ {
	case "Group":
		rows, err := c.Group.Query().Where(group.IDIn(ids...)).All(ctx)
		return keyed(rows, err, func(r *ent.Group) pulid.ID { return r.ID })
	case "Role":
		rows, err := c.Role.Query().Where(role.IDIn(ids...)).All(ctx)
		return keyed(rows, err, func(r *ent.Role) pulid.ID { return r.ID })
	case "Application":
		rows, err := c.Application.Query().Where(application.IDIn(ids...)).All(ctx)
		return keyed(rows, err, func(r *ent.Application) pulid.ID { return r.ID })
	case "Review":
		rows, err := c.Review.Query().Where(review.IDIn(ids...)).All(ctx)
		return keyed(rows, err, func(r *ent.Review) pulid.ID { return r.ID })
	case "Event":
		rows, err := c.Event.Query().Where(event.IDIn(ids...)).All(ctx)
		return keyed(rows, err, func(r *ent.Event) pulid.ID { return r.ID })
	case "Registration":
		rows, err := c.Registration.Query().Where(registration.IDIn(ids...)).All(ctx)
		return keyed(rows, err, func(r *ent.Registration) pulid.ID { return r.ID })
	case "Election":
		rows, err := c.Election.Query().Where(election.IDIn(ids...)).All(ctx)
		return keyed(rows, err, func(r *ent.Election) pulid.ID { return r.ID })
	case "Community":
		rows, err := c.Community.Query().Where(community.IDIn(ids...)).All(ctx)
		return keyed(rows, err, func(r *ent.Community) pulid.ID { return r.ID })
	}
	// Noder narrows the columns it loads to the GraphQL selection in ctx,
	// which is the feed's, not the node's: load on a context without it.
	lctx, cancel := context.WithCancel(viewer.NewContext(context.Background(), viewer.FromContext(ctx)))
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	out := map[pulid.ID]ent.Noder{}
	for _, id := range ids {
		n, err := c.Noder(lctx, id, ent.WithNodeType(ent.IDToType))
		switch {
		case ent.IsNotFound(err):
		case err != nil:
			return nil, err
		default:
			out[id] = n
		}
	}
	return out, nil
}

// keyed indexes loaded rows by id.
func keyed[T ent.Noder](rows []T, err error, id func(T) pulid.ID) (map[pulid.ID]ent.Noder, error) {
	if err != nil {
		return nil, err
	}
	out := make(map[pulid.ID]ent.Noder, len(rows))
	for _, r := range rows {
		out[id(r)] = r
	}
	return out, nil
}

// pageActors sets the actors of items, loaded in one query as the system
// (profiles are public), as a subscription's items have them.
func pageActors(ctx context.Context, c *ent.Client, items []*Item, ids []pulid.ID) error {
	if len(ids) == 0 {
		return nil
	}
	users, err := c.User.Query().Where(user.IDIn(ids...)).All(viewer.SystemContext(ctx))
	if err != nil {
		return err
	}
	byID := make(map[pulid.ID]*ent.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	for _, it := range items {
		if u := byID[it.ActorID]; u != nil {
			cp := *u // each item resolves its own copy
			it.Actor = &cp
		}
	}
	return nil
}
