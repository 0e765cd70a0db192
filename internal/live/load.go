package live

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/viewer"
)

// A change fans out to every subscriber whose filter accepts it, and each
// of them must see the node as their own viewer may. Loading it once per
// subscriber made a commit cost one query per subscriber (10,000 queries
// for 10,000 reviewers on one queue), so a loader shares the work:
//
//   - the node and its actor are loaded once per change, as the system;
//   - applications are then checked per subscriber in memory, by
//     authz.CanSeeApplication, the in-memory twin of the privacy rule;
//   - every other node is loaded through the privacy rules once per viewer
//     class: subscribers whose viewers are identical for the rules (same
//     person, credential kind, scopes and roles) share one load.
//
// Loads run on their own context (the system's, or a copy of the viewer
// without the subscriber's request), so one subscriber going away does not
// fail a load others wait for, and a GraphQL field context cannot narrow
// the columns loaded for everyone.

// loadTimeout bounds one shared load.
const loadTimeout = 10 * time.Second

// keepLoads is how many changes the loader remembers: enough for every
// subscriber to reach a burst of changes while its entry is still there;
// one arriving later loads again.
const keepLoads = 1024

// loader shares node loads between the subscribers of one Source.
type loader struct {
	client *ent.Client

	mu      sync.Mutex
	changes map[int64]*loaded
	order   []int64 // insertion order, for eviction
}

// loaded is what one change needs for every subscriber.
type loaded struct {
	done   chan struct{} // closed once the fields below are set
	nodeID pulid.ID
	node   ent.Noder // as the system sees it; nil if deleted or gone
	actor  *ent.User

	mu      sync.Mutex
	classes map[string]*classLoad
	related map[string]*classLoad // other rows the rules need, as the system sees them, by id
}

// classLoad is a node as one viewer class sees it.
type classLoad struct {
	done chan struct{}
	node ent.Noder
}

func newLoader(c *ent.Client) *loader {
	return &loader{client: c, changes: map[int64]*loaded{}}
}

// change returns the shared loads of c, loading them on first use.
func (l *loader) change(ctx context.Context, c *ent.Change) (*loaded, bool) {
	l.mu.Lock()
	e, ok := l.changes[c.ID]
	if !ok {
		e = &loaded{done: make(chan struct{}), nodeID: pulid.ID(c.NodeID)}
		l.changes[c.ID] = e
		l.order = append(l.order, c.ID)
		if len(l.order) > keepLoads {
			drop := l.order[:len(l.order)-keepLoads]
			for _, id := range drop {
				delete(l.changes, id)
			}
			l.order = slices.Delete(l.order, 0, len(drop))
		}
	}
	l.mu.Unlock()
	if !ok {
		l.load(e, c)
	}
	select {
	case <-e.done:
		return e, true
	case <-ctx.Done():
		return nil, false
	}
}

func (l *loader) load(e *loaded, c *ent.Change) {
	defer close(e.done)
	ctx, cancel := context.WithTimeout(viewer.SystemContext(context.Background()), loadTimeout)
	defer cancel()
	if c.Op != change.OpDELETED {
		_ = retry(ctx, func() (err error) {
			e.node, err = l.client.Noder(ctx, pulid.ID(c.NodeID), ent.WithNodeType(ent.IDToType))
			return err
		})
	}
	if c.ActorID != "" {
		_ = retry(ctx, func() (err error) {
			e.actor, err = l.client.User.Get(ctx, pulid.ID(c.ActorID))
			return err
		})
	}
}

// retry runs load until it succeeds, finds nothing, or ctx ends. One load
// serves every subscriber, so a transient failure (a SQLite table locked by
// a writer, a dropped connection) must not silently leave all of them
// without the node or its actor.
func retry(ctx context.Context, load func() error) error {
	wait := 5 * time.Millisecond
	for {
		err := load()
		if err == nil || ent.IsNotFound(err) || ctx.Err() != nil {
			return err
		}
		select {
		case <-time.After(wait):
			wait = min(2*wait, 500*time.Millisecond)
		case <-ctx.Done():
			return err
		}
	}
}

// nodeFor returns the node of e as v may see it now, or nil.
func (l *loader) nodeFor(ctx context.Context, e *loaded, v *viewer.Viewer) ent.Noder {
	switch n := e.node.(type) {
	case nil:
		return nil // the system cannot see it: nobody can
	case *ent.Application:
		if !authz.CanSeeApplication(v, n) {
			return nil
		}
		cp := *n // each subscriber resolves its own copy
		return &cp
	case *ent.Registration:
		ev, _ := l.related(ctx, e, n.EventID).(*ent.Event)
		if ev == nil || !authz.CanSeeRegistration(v, n, ev) {
			return nil
		}
		cp := *n
		return &cp
	}
	if v.IsSystem() {
		return e.node
	}
	return e.once(ctx, &e.classes, viewerClass(v), func() ent.Noder {
		lctx, cancel := context.WithTimeout(viewer.NewContext(context.Background(), v), loadTimeout)
		defer cancel()
		n, err := l.client.Noder(lctx, e.nodeID, ent.WithNodeType(ent.IDToType))
		if err != nil {
			return nil // hidden from the class, or gone (a failed load holds a typed nil)
		}
		return n
	})
}

// related returns the node with id as the system sees it (every column),
// loaded once per change for all subscribers: a row an in-memory rule
// needs besides the changed node (a registration's event), or one every
// subscriber is sent with it (the event's live counts). Nil when it is
// gone or ctx ends first.
func (l *loader) related(ctx context.Context, e *loaded, id pulid.ID) ent.Noder {
	return e.once(ctx, &e.related, string(id), func() (n ent.Noder) {
		lctx, cancel := context.WithTimeout(viewer.SystemContext(context.Background()), loadTimeout)
		defer cancel()
		if retry(lctx, func() (err error) {
			n, err = l.client.Noder(lctx, id, ent.WithNodeType(ent.IDToType))
			return err
		}) != nil {
			return nil // gone (a failed load holds a typed nil)
		}
		return n
	})
}

// once returns what load gives for key in loads, running it for the first
// subscriber that asks and making the others wait for it; nil if ctx ends
// first.
func (e *loaded) once(ctx context.Context, loads *map[string]*classLoad, key string, load func() ent.Noder) ent.Noder {
	e.mu.Lock()
	if *loads == nil {
		*loads = map[string]*classLoad{}
	}
	cl, ok := (*loads)[key]
	if !ok {
		cl = &classLoad{done: make(chan struct{})}
		(*loads)[key] = cl
	}
	e.mu.Unlock()
	if !ok {
		func() {
			defer close(cl.done)
			cl.node = load()
		}()
	}
	select {
	case <-cl.done:
		return cl.node
	case <-ctx.Done():
		return nil
	}
}

// viewerClass is v's class for node loads: the person's (see
// authz.ViewerClass), exact for every node.
func viewerClass(v *viewer.Viewer) string { return authz.ViewerClass(v) }
