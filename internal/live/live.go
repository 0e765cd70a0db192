// Package live turns the change log into GraphQL subscription streams: it
// subscribes to the broker with a filter, and for every change loads the
// changed node as the subscriber — privacy rules applied at delivery time,
// not at subscription time — so a subscriber sees exactly what a query would
// show them at that moment.
package live

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Item is one delivered change: where it stands in the log (Cursor), what
// happened, and the node as the subscriber may see it now (nil when it was
// deleted or is not visible to them any more).
type Item struct {
	Cursor  string
	Seq     int64
	Op      change.Op
	At      time.Time
	ActorID pulid.ID
	Topic   string
	Change  *ent.Change
	Node    ent.Noder
	// Actor is who made the change: the subscriber's own copy of a profile
	// loaded once for all (profiles are public); nil for the system or when
	// unknown.
	Actor *ent.User

	loaded *loaded // the change's shared loads
}

// cursorPrefix marks our cursors so a cursor of another kind (a connection
// cursor pasted by mistake) is refused clearly.
const cursorPrefix = "chg:"

// Cursor encodes a change-log position for clients: "chg:" and the
// sequence number, then, if some ids below it had not committed yet, ":"
// and those holes ("7-9,12"), all in base64 so that it stays opaque. A
// position without holes encodes as it always has.
func Cursor(p broker.Position) string {
	b := strconv.AppendInt([]byte(cursorPrefix), p.Seq, 10)
	for i, h := range p.Holes {
		sep := byte(',')
		if i == 0 {
			sep = ':'
		}
		b = strconv.AppendInt(append(b, sep), h.From, 10)
		if h.To != h.From {
			b = strconv.AppendInt(append(b, '-'), h.To, 10)
		}
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// IsCursor reports whether s is a change cursor rather than a connection
// cursor: both travel in the API's Cursor scalar, which tells them apart
// by this.
func IsCursor(s string) bool {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && strings.HasPrefix(string(raw), cursorPrefix)
}

// ParseCursor decodes a cursor given as `after:`; nil means "from now".
func ParseCursor(s *string) (broker.Position, bool, error) {
	if s == nil || *s == "" {
		return broker.Position{}, false, nil
	}
	bad := apierror.Invalid("after", "not a change cursor")
	raw, err := base64.RawURLEncoding.DecodeString(*s)
	if err != nil || !strings.HasPrefix(string(raw), cursorPrefix) {
		return broker.Position{}, false, bad
	}
	seq, holes, hasHoles := strings.Cut(strings.TrimPrefix(string(raw), cursorPrefix), ":")
	var p broker.Position
	if p.Seq, err = strconv.ParseInt(seq, 10, 64); err != nil {
		return broker.Position{}, false, bad
	}
	if hasHoles {
		// Bounded before splitting: a hole takes at least two bytes.
		if strings.Count(holes, ",") >= broker.MaxHoles {
			return broker.Position{}, false, bad
		}
		for h := range strings.SplitSeq(holes, ",") {
			from, to, isRange := strings.Cut(h, "-")
			var r broker.Range
			if r.From, err = strconv.ParseInt(from, 10, 64); err != nil {
				return broker.Position{}, false, bad
			}
			r.To = r.From
			if isRange {
				if r.To, err = strconv.ParseInt(to, 10, 64); err != nil || r.To == r.From {
					return broker.Position{}, false, bad
				}
			}
			p.Holes = append(p.Holes, r)
		}
	}
	if p.Validate() != nil {
		return broker.Position{}, false, bad
	}
	return p, true, nil
}

// Source is what a stream needs: the broker and a client to load nodes and
// viewers with. Use it by pointer: it shares node loads, delivery workers
// and the current viewers of credentials (see credentials.go) between its
// subscribers.
type Source struct {
	Broker *broker.Broker
	Client *ent.Client
	// Clock times the expiry of credentials; nil is the system clock.
	Clock Clock

	once  sync.Once
	loads *loader
	pumps *hub
	creds *credentials
}

func (s *Source) init() {
	s.once.Do(func() {
		s.loads = newLoader(s.Client)
		s.pumps = newHub()
		s.creds = newCredentials(s.Client, s.Broker, s.Clock)
	})
}

func (s *Source) credentials() *credentials {
	s.init()
	return s.creds
}

// Attach makes v, just authenticated for a long-lived connection (a
// websocket), follow the credential while ctx lasts. The returned context
// carries v as a live viewer: the credential's current roles, shared by
// every connection of it on this replica and reloaded when the change log
// shows them change, so whatever runs under it — deliveries, but also
// queries sent over the socket — is decided with the viewer as it is at
// that moment. The context ends, with ErrRevoked or ErrExpired as its
// cause, once the credential is revoked or expires. An anonymous viewer is
// returned in ctx as is: there is nothing to follow.
func (s *Source) Attach(ctx context.Context, v *viewer.Viewer) (context.Context, error) {
	if !v.IsUser() {
		return viewer.NewContext(ctx, v), nil
	}
	return s.credentials().attach(ctx, v)
}

// Subscribers is the number of the broker's subscriptions that serve
// clients: all but the one the source keeps to follow credentials.
func (s *Source) Subscribers() int64 {
	return s.Broker.Metrics().Subscribers - s.credentials().own.Load()
}

func (s *Source) loader() *loader {
	s.init()
	return s.loads
}

func (s *Source) workers() *hub {
	s.init()
	return s.pumps
}

// Subscription is a subscriber's place in the change log, opened by
// Subscribe; Deliver turns it into a stream of values.
type Subscription struct {
	src *Source
	sub *broker.Subscription
	// scope, when set, keeps only the changes whose node, as the system
	// loaded it (every column), it accepts: for filters the change log
	// cannot express, such as a registration's event.
	scope func(ent.Noder) bool
}

// available refuses on a server without live updates (a nil Source).
func (s *Source) available() error {
	if s == nil {
		return apierror.Unavailablef("live updates are not available on this server")
	}
	return nil
}

// Subscribe subscribes to the changes match accepts, after the cursor (or
// from now). Nothing is delivered until Deliver is called; meanwhile the
// broker queues the changes. A bad or expired cursor (CURSOR_EXPIRED, with
// extensions.oldestCursor) is refused here, so
// that the subscription fails before it starts; so is any subscription on
// a nil Source, a server without live updates (UNAVAILABLE).
func (s *Source) Subscribe(ctx context.Context, after *string, match func(*ent.Change) bool) (*Subscription, error) {
	if err := s.available(); err != nil {
		return nil, err
	}
	if cursor, resumed := ctx.Value(resumeKey{}).(string); resumed {
		after = &cursor
	}
	from, ok, err := ParseCursor(after)
	if err != nil {
		return nil, err
	}
	if match == nil {
		match = func(*ent.Change) bool { return true }
	}
	filter := match
	match = func(c *ent.Change) bool { return !private(c.Topic) && filter(c) }
	var sub *broker.Subscription
	if ok {
		sub, err = s.Broker.Subscribe(ctx, from, match)
	} else {
		sub, err = s.Broker.SubscribeFromNow(ctx, match)
	}
	if err != nil {
		return nil, cursorError(err)
	}
	return &Subscription{src: s, sub: sub}, nil
}

// cursorError is the client's error for a cursor the broker refused, the
// same for a subscription and a polled page: CURSOR_EXPIRED with the
// oldest cursor still resumable, or BAD_USER_INPUT for one not issued
// here; any other error as it is.
func cursorError(err error) error {
	var expired *broker.ExpiredCursorError
	switch {
	case errors.As(err, &expired):
		return apierror.CursorExpiredf("after", Cursor(expired.Oldest),
			"the cursor is too old: the change log no longer holds the changes that followed it; "+
				"query again and subscribe after the query's changeCursor (extensions.oldestCursor resumes from the oldest change kept, without those pruned)")
	case errors.Is(err, broker.ErrUnknownCursor):
		return apierror.Invalid("after", "the cursor is ahead of the change log: it was not issued here")
	}
	return err
}

type resumeKey struct{}

// ResumeAfter returns ctx in which Subscribe continues after cursor,
// whatever position it is asked for: a subscriber that leaves a shared
// execution (internal/transport/ws's groups) runs its operation again on
// its own from the last item it was sent.
func ResumeAfter(ctx context.Context, cursor string) context.Context {
	return context.WithValue(ctx, resumeKey{}, cursor)
}

// private reports whether a topic is never delivered to anyone: credential
// changes (read by the source itself, see credentials.go) and the audit
// entries written to the change log before the audit trail had its own
// table (who exported whose contact details).
func private(topic string) bool {
	return topic == changelog.TopicCredential || topic == changelog.TopicAudit
}

// maxReflected bounds the change ids read above the broker's low-water mark
// for a query's cursor. Past it the cursor stops at the last id read: what
// the snapshot shows above it would be delivered again, never lost.
const maxReflected = 10000

// Reflected returns the cursor of the change-log position that the reads
// through c reflect, c being the client of one snapshot of the database (a
// query's read, see workflow.Runner.Read) on which this is the first read.
// Every change up to the broker's low-water mark had committed (or never
// will) before the snapshot began, so it shows them all; above it the
// snapshot shows exactly the change rows it can read, each committed with
// the writes it announces, and those it cannot read are the cursor's holes.
// A subscriber resuming from the cursor therefore gets exactly the changes
// the query did not see. A server without live updates answers UNAVAILABLE.
func (s *Source) Reflected(ctx context.Context, c *ent.Client) (string, error) {
	if err := s.available(); err != nil {
		return "", err
	}
	settled, err := s.Broker.Settled(ctx)
	if err != nil {
		return "", err
	}
	low := settled.Low()
	ids, err := c.Change.Query().Where(change.IDGT(low)).Order(change.ByID()).Limit(maxReflected).
		IDs(viewer.SystemContext(ctx))
	if err != nil {
		return "", err
	}
	return Cursor(broker.Reflected(low, ids)), nil
}

// Stream subscribes to the changes match accepts, after the cursor (or from
// now), and delivers them as items on the returned channel until ctx ends or
// the broker drops the subscription (then the channel closes; the client
// resumes with the last cursor it saw).
func (s *Source) Stream(ctx context.Context, after *string, match func(*ent.Change) bool) (<-chan *Item, error) {
	sub, err := s.Subscribe(ctx, after, match)
	if err != nil {
		return nil, err
	}
	return Deliver(ctx, sub, func(it *Item) (*Item, bool) { return it, true }), nil
}

// Deliver delivers sub's changes as items, converted by convert (which
// drops an item by returning false), on the returned channel until ctx ends
// or the broker drops the subscription; then the channel closes. The
// loading, converting and sending run on the Source's shared workers (see
// pump.go), so convert must not block for long; an idle subscription parks
// no goroutine here.
func Deliver[T any](ctx context.Context, sub *Subscription, convert func(*Item) (T, bool)) <-chan T {
	p := &pump[T]{hub: sub.src.workers(), src: sub.src, sub: sub.sub, scope: sub.scope, convert: convert,
		out: make(chan T, outBuffer), ctx: ctx, hold: sub.src.credentials().holdFrom(ctx), after: sub.sub.Start()}
	sub.sub.Notify(p.wake)
	return p.out
}
