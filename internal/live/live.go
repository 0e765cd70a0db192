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
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/broker"
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
}

// cursorPrefix marks our cursors so a cursor of another kind (a connection
// cursor pasted by mistake) is refused clearly.
const cursorPrefix = "chg:"

// Cursor encodes a change-log position for clients.
func Cursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.FormatInt(seq, 10)))
}

// ParseCursor decodes a cursor given as `after:`; nil means "from now".
func ParseCursor(s *string) (int64, bool, error) {
	if s == nil || *s == "" {
		return 0, false, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*s)
	if err != nil || !strings.HasPrefix(string(raw), cursorPrefix) {
		return 0, false, apierror.Invalid("after", "not a change cursor")
	}
	seq, err := strconv.ParseInt(strings.TrimPrefix(string(raw), cursorPrefix), 10, 64)
	if err != nil || seq < 0 {
		return 0, false, apierror.Invalid("after", "not a change cursor")
	}
	return seq, true, nil
}

// Source is what a stream needs: the broker, a client to load nodes with,
// and a way to reload a subscriber's roles.
type Source struct {
	Broker *broker.Broker
	Client *ent.Client
}

// Stream subscribes to the changes match accepts, after the cursor (or from
// now), and delivers them as items on the returned channel until ctx ends or
// the broker drops the subscription (then the channel closes; the client
// resumes with the last cursor it saw).
func (s Source) Stream(ctx context.Context, after *string, match func(*ent.Change) bool) (<-chan *Item, error) {
	seq, ok, err := ParseCursor(after)
	if err != nil {
		return nil, err
	}
	var sub *broker.Subscription
	if ok {
		sub, err = s.Broker.Subscribe(ctx, seq, match)
	} else {
		sub, err = s.Broker.SubscribeFromNow(ctx, match)
	}
	switch {
	case errors.Is(err, broker.ErrExpiredCursor):
		return nil, apierror.Invalid("after", "the cursor is too old: the change log no longer holds what followed it; reload and subscribe from now")
	case errors.Is(err, broker.ErrUnknownCursor):
		return nil, apierror.Invalid("after", "the cursor is ahead of the change log: it was not issued here")
	case err != nil:
		return nil, err
	}
	out := make(chan *Item)
	go func() {
		defer close(out)
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case c, ok := <-sub.C:
				if !ok {
					return
				}
				ctx = s.refreshViewer(ctx, c)
				item := &Item{Cursor: Cursor(c.ID), Seq: c.ID, Op: c.Op, At: c.CreatedAt,
					ActorID: pulid.ID(c.ActorID), Topic: c.Topic, Change: c}
				if c.Op != change.OpDELETED {
					node, err := s.Client.Noder(ctx, pulid.ID(c.NodeID), ent.WithNodeType(ent.IDToType))
					if err == nil {
						item.Node = node
					}
				}
				select {
				case out <- item:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// refreshViewer reloads the subscriber's roles when a change touches one of
// them, so a demoted organizer stops seeing what organizers see at the very
// next delivery.
func (s Source) refreshViewer(ctx context.Context, c *ent.Change) context.Context {
	v := viewer.FromContext(ctx)
	if c.Topic != "role" || !v.IsUser() {
		return ctx
	}
	sys := viewer.SystemContext(ctx)
	r, err := s.Client.Role.Query().Where(role.ID(pulid.ID(c.NodeID))).Select(role.FieldUserID).Only(sys)
	if err != nil || r.UserID != v.UserID {
		return ctx
	}
	fresh, err := authz.ViewerFor(ctx, s.Client, v.UserID, v.Token)
	if err != nil {
		return ctx
	}
	return viewer.NewContext(ctx, fresh)
}
