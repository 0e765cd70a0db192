package bench

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/auth/secret"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/webhook"
)

// createPeople makes n people named prefix0, prefix1, … (handles in lower
// case, names capitalised), a few hundred per statement.
func createPeople(ctx context.Context, c *ent.Client, prefix string, n int) ([]*ent.User, error) {
	creates := make([]*ent.UserCreate, n)
	for i := range creates {
		creates[i] = c.User.Create().SetHandle(fmt.Sprintf("%s%d", prefix, i)).SetName(fmt.Sprintf("%s %d", capital(prefix), i))
	}
	var made []*ent.User
	err := inBatches(ctx, creates, func(b []*ent.UserCreate) error {
		us, err := c.User.CreateBulk(b...).Save(ctx)
		made = append(made, us...)
		return err
	})
	return made, err
}

// makeStaff makes each of people a community manager of community.
func makeStaff(ctx context.Context, c *ent.Client, community pulid.ID, people []*ent.User) error {
	roles := make([]*ent.RoleCreate, len(people))
	for i, u := range people {
		roles[i] = c.Role.Create().SetUserID(u.ID).SetCommunityID(community).SetKind(role.KindCOMMUNITY_MANAGER)
	}
	return inBatches(ctx, roles, func(b []*ent.RoleCreate) error { return c.Role.CreateBulk(b...).Exec(ctx) })
}

// issueTokens gives each of people an API token named name with scopes and
// returns the secrets, in the same order.
func issueTokens(ctx context.Context, c *ent.Client, people []*ent.User, name string, scopes ...string) ([]string, error) {
	secrets := make([]string, len(people))
	creates := make([]*ent.APITokenCreate, len(people))
	for i, u := range people {
		s, err := secret.New()
		if err != nil {
			return nil, err
		}
		secrets[i] = s
		creates[i] = c.APIToken.Create().SetOwnerID(u.ID).SetName(name).SetScopes(scopes).SetTokenHash(secret.Hash(s)).SetHint(secret.Hint(s))
	}
	return secrets, inBatches(ctx, creates, func(b []*ent.APITokenCreate) error { return c.APIToken.CreateBulk(b...).Exec(ctx) })
}

// openAll opens n things (sockets) with open, workers at a time, and returns
// those it opened, in order, with the first error: on one, each worker
// stops, and the caller closes what was opened.
func openAll[T comparable](ctx context.Context, n, workers int, what string, open func(i int) (T, error)) ([]T, error) {
	out := make([]T, n)
	var (
		next    atomic.Int64
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	for range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				v, err := open(i)
				if err != nil {
					errOnce.Do(func() { first = fmt.Errorf("bench: %s %d: %w", what, i, err) })
					return
				}
				out[i] = v
			}
		})
	}
	wg.Wait()
	var zero T
	out = slices.DeleteFunc(out, func(v T) bool { return v == zero })
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return out, first
}

// nextMonth is 18:00 UTC on today's date next month: every fixture event
// starts after it, so that registrations stay open for the whole run.
func nextMonth() time.Time {
	return time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 1, 0).Add(18 * time.Hour)
}

// publishedMeetup creates a public, published two-hour meetup of group with
// capacity seats.
func publishedMeetup(ctx context.Context, c *ent.Client, group pulid.ID, title string, start time.Time, capacity int) (*ent.Event, error) {
	return c.Event.Create().SetGroupID(group).SetKind(event.KindMEETUP).
		SetTitle(title).SetStartsAt(start).SetEndsAt(start.Add(2 * time.Hour)).
		SetTimeZone("Europe/Paris").SetCapacity(capacity).SetVisibility(event.VisibilityPUBLIC).
		SetStatus(event.StatusPUBLISHED).Save(ctx)
}

// registrationWebhook points a webhook endpoint of community, owned by
// owner, at url for registration changes, so that each one queues its
// fan-out job.
func registrationWebhook(ctx context.Context, c *ent.Client, community, owner pulid.ID, url string) error {
	whsec, err := webhook.NewSecret()
	if err != nil {
		return err
	}
	return c.WebhookEndpoint.Create().SetCommunityID(community).SetOwnerID(owner).SetURL(url).
		SetTopics([]string{changelog.TopicRegistration}).SetSecret(whsec).Exec(ctx)
}
