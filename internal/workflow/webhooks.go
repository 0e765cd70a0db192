package workflow

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/riverqueue/river"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/webhookdelivery"
	"github.com/usergroups/usergroups/ent/webhookendpoint"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/jobs"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/webhook"
)

// Webhooks: staff (and, for their group, organizers) register endpoints
// that receive the change log's changes of chosen topics, signed per the
// Standard Webhooks specification. A unit that wrote changes of those
// topics queues one fan-out job in its own transaction (see Runner.Unit);
// the fan-out writes one delivery per endpoint and change and queues its
// delivery job; each delivery job POSTs and records the attempt.

// WebhookTopics are the change-log topics an endpoint may receive: the ones
// whose public fields a read token could read (a registration's change
// carries its event's counts only).
var WebhookTopics = []string{
	changelog.TopicApplication, changelog.TopicRole, changelog.TopicEvent,
	changelog.TopicRegistration, changelog.TopicGroup,
}

// The webhook job kinds.
const (
	JobWebhookFanOut  = "webhook_fanout"  // deliveries for the changes one unit committed
	JobWebhookDeliver = "webhook_deliver" // one delivery's attempts
)

// WebhookFanOut is the job that turns the changes one unit committed into
// deliveries. It carries the change ids, one job per unit, never per row.
type WebhookFanOut struct {
	ChangeIDs []int64 `json:"change_ids"`
}

// Kind of WebhookFanOut.
func (WebhookFanOut) Kind() string { return JobWebhookFanOut }

// WebhookDeliver is the job that sends one delivery. Round counts manual
// redeliveries, so that each is a new job although the delivery (and its
// webhook-id) stays the same.
type WebhookDeliver struct {
	DeliveryID pulid.ID `json:"delivery_id"`
	Round      int      `json:"round"`
	// Community is the endpoint's community, so its staff see the job.
	Community pulid.ID `json:"community,omitempty"`
}

// JobCommunity is the community whose staff see the job.
func (d WebhookDeliver) JobCommunity() string { return string(d.Community) }

// Kind of WebhookDeliver.
func (WebhookDeliver) Kind() string { return JobWebhookDeliver }

// Webhook limits.
const (
	// webhookRotationDefault is how long the previous secret keeps signing
	// after a rotation, unless the rotation says otherwise.
	webhookRotationDefault = 24 * time.Hour
	// webhookRotationMax bounds the overlap a rotation may ask for.
	webhookRotationMax = 7 * 24 * time.Hour
	// WebhookDisableAfter is how many deliveries in a row may fail (their
	// retries exhausted, or refused by the receiver) before the endpoint is
	// disabled. A delivery that exhausted its retries alone disables it
	// too: the endpoint then failed for more than a day.
	WebhookDisableAfter = 3
	// fanOutAttempts bounds a failing fan-out's retries.
	fanOutAttempts = 10
)

// SetWebhooksAllowPrivate lets endpoints use http and internal addresses
// (loopback, private networks): for tests and local development only. Call
// it before the runner serves anyone.
func (r *Runner) SetWebhooksAllowPrivate(allow bool) { r.webhooksAllowPrivate = allow }

// queueWebhookFanOut queues the fan-out of the webhook-topic changes the
// unit wrote, as one job in the unit's transaction, when the communities
// they belong to have an active endpoint at all.
func queueWebhookFanOut(ctx context.Context, c *ent.Client, col *changelog.Collector) error {
	rows := col.Take()
	if len(rows) == 0 {
		return nil
	}
	var communities []pulid.ID
	ids := make([]int64, len(rows))
	for i, w := range rows {
		ids[i] = w.ID
		if w.Community != "" && !slices.Contains(communities, pulid.ID(w.Community)) {
			communities = append(communities, pulid.ID(w.Community))
		}
	}
	if len(communities) == 0 {
		return nil
	}
	exists, err := c.WebhookEndpoint.Query().
		Where(webhookendpoint.CommunityIDIn(communities...), webhookendpoint.StatusEQ(webhookendpoint.StatusACTIVE)).
		Exist(authz.Unfiltered(ctx))
	if err != nil || !exists {
		return err
	}
	return jobs.Add(ctx, WebhookFanOut{ChangeIDs: ids}, &river.InsertOpts{MaxAttempts: fanOutAttempts})
}

// NewWebhookEndpoint describes an endpoint to register.
type NewWebhookEndpoint struct {
	// Community is the community's id or slug.
	Community pulid.ID
	// Group, when set, limits the endpoint to one group's changes; a
	// group's organizers may only register endpoints of their group.
	Group       *pulid.ID
	URL         string
	Topics      []string
	Description *string
}

// IssuedWebhookEndpoint is an endpoint with its new signing secret, shown
// this once.
type IssuedWebhookEndpoint struct {
	Endpoint *ent.WebhookEndpoint
	Secret   string
}

// webhookManager refuses API tokens and anonymous viewers: an endpoint
// receives a community's changes, so it is set up by a person signed in.
func webhookManager(v *viewer.Viewer) error {
	switch {
	case v.ViaToken():
		return apierror.TokenScopef("webhook endpoints are managed by a signed-in person, not with an API token")
	case !v.IsUser():
		return apierror.Unauthenticatedf("sign in to manage webhook endpoints")
	}
	return nil
}

// CreateWebhookEndpoint registers an endpoint and returns it with its
// secret. The community's staff register endpoints for the community or
// any of its groups; a group's organizers for their group only.
func (r *Runner) CreateWebhookEndpoint(ctx context.Context, in NewWebhookEndpoint) (IssuedWebhookEndpoint, error) {
	return act(ctx, r, "create webhook endpoint", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (IssuedWebhookEndpoint, error) {
		if err := webhookManager(v); err != nil {
			return IssuedWebhookEndpoint{}, err
		}
		comID, err := ref.Community(ctx, c, "community", in.Community)
		if err != nil {
			return IssuedWebhookEndpoint{}, err
		}
		var groupID pulid.ID
		if in.Group != nil {
			if groupID, err = ref.Group(ctx, c, "group", *in.Group); err != nil {
				return IssuedWebhookEndpoint{}, err
			}
			ok, err := c.Group.Query().Where(group.ID(groupID), group.CommunityID(comID)).Exist(authz.Unfiltered(ctx))
			if err != nil {
				return IssuedWebhookEndpoint{}, err
			}
			if !ok {
				return IssuedWebhookEndpoint{}, apierror.Invalid("group", "the group is not in that community")
			}
		}
		if !authz.CanManageWebhookEndpoint(v, comID, groupID) {
			return IssuedWebhookEndpoint{}, apierror.Forbiddenf("only the community's staff, or the group's organizers for their group, register webhook endpoints")
		}
		u, err := webhookURL(in.URL, r.webhooksAllowPrivate)
		if err != nil {
			return IssuedWebhookEndpoint{}, err
		}
		topics, err := webhookTopics(in.Topics)
		if err != nil {
			return IssuedWebhookEndpoint{}, err
		}
		secret, err := webhook.NewSecret()
		if err != nil {
			return IssuedWebhookEndpoint{}, err
		}
		create := c.WebhookEndpoint.Create().SetCommunityID(comID).SetOwnerID(v.UserID).
			SetURL(u).SetTopics(topics).SetSecret(secret).SetCreatedAt(now).SetUpdatedAt(now)
		if groupID != "" {
			create.SetGroupID(groupID)
		}
		if in.Description != nil {
			create.SetDescription(strings.TrimSpace(*in.Description))
		}
		ep, err := create.Save(ctx)
		if err != nil {
			return IssuedWebhookEndpoint{}, err
		}
		return IssuedWebhookEndpoint{Endpoint: ep, Secret: secret}, nil
	})
}

// WebhookEndpointChanges are the edits updateWebhookEndpoint makes; nil
// fields stay as they are.
type WebhookEndpointChanges struct {
	URL         *string
	Topics      []string
	Description *string
	// Enabled re-enables a disabled endpoint (clearing its failures) or
	// disables an active one by hand.
	Enabled *bool
	// EndRotation stops signing with the previous secret now.
	EndRotation bool
}

// UpdateWebhookEndpoint edits an endpoint its viewer manages.
func (r *Runner) UpdateWebhookEndpoint(ctx context.Context, id pulid.ID, ch WebhookEndpointChanges) (*ent.WebhookEndpoint, error) {
	return act(ctx, r, "update webhook endpoint", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.WebhookEndpoint, error) {
		ep, err := managedEndpoint(ctx, c, v, id)
		if err != nil {
			return nil, err
		}
		up := c.WebhookEndpoint.UpdateOne(ep).SetUpdatedAt(now)
		if ch.URL != nil {
			u, err := webhookURL(*ch.URL, r.webhooksAllowPrivate)
			if err != nil {
				return nil, err
			}
			up.SetURL(u)
		}
		if ch.Topics != nil {
			topics, err := webhookTopics(ch.Topics)
			if err != nil {
				return nil, err
			}
			up.SetTopics(topics)
		}
		if ch.Description != nil {
			up.SetDescription(strings.TrimSpace(*ch.Description))
		}
		if ch.Enabled != nil {
			switch {
			case *ch.Enabled && ep.Status == webhookendpoint.StatusDISABLED:
				up.SetStatus(webhookendpoint.StatusACTIVE).SetDisabledReason("").ClearDisabledAt().SetConsecutiveFailures(0)
			case !*ch.Enabled && ep.Status == webhookendpoint.StatusACTIVE:
				up.SetStatus(webhookendpoint.StatusDISABLED).SetDisabledReason("disabled by hand").SetDisabledAt(now)
			}
		}
		if ch.EndRotation {
			up.SetPreviousSecret("").ClearPreviousSecretExpiresAt()
		}
		return up.Save(ctx)
	})
}

// RotateWebhookSecret gives an endpoint a new secret, shown this once. The
// previous one keeps signing too (each delivery carries both signatures)
// for keepPrevious (24 hours when nil, at most a week, 0 to stop at once),
// or until updateWebhookEndpoint ends the rotation.
func (r *Runner) RotateWebhookSecret(ctx context.Context, id pulid.ID, keepPrevious *time.Duration) (IssuedWebhookEndpoint, error) {
	keep := webhookRotationDefault
	if keepPrevious != nil {
		keep = *keepPrevious
	}
	if keep < 0 || keep > webhookRotationMax {
		return IssuedWebhookEndpoint{}, apierror.Invalid("keepPreviousHours", "the previous secret may keep signing for 0 to %d hours", int(webhookRotationMax.Hours()))
	}
	return act(ctx, r, "rotate webhook secret", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (IssuedWebhookEndpoint, error) {
		ep, err := managedEndpoint(ctx, c, v, id)
		if err != nil {
			return IssuedWebhookEndpoint{}, err
		}
		secret, err := webhook.NewSecret()
		if err != nil {
			return IssuedWebhookEndpoint{}, err
		}
		up := c.WebhookEndpoint.UpdateOne(ep).SetSecret(secret).SetUpdatedAt(now)
		if keep > 0 {
			up.SetPreviousSecret(ep.Secret).SetPreviousSecretExpiresAt(now.Add(keep))
		} else {
			up.SetPreviousSecret("").ClearPreviousSecretExpiresAt()
		}
		if ep, err = up.Save(ctx); err != nil {
			return IssuedWebhookEndpoint{}, err
		}
		return IssuedWebhookEndpoint{Endpoint: ep, Secret: secret}, nil
	})
}

// DeleteWebhookEndpoint removes an endpoint and its deliveries; delivery
// jobs still queued find nothing to send.
func (r *Runner) DeleteWebhookEndpoint(ctx context.Context, id pulid.ID) (pulid.ID, error) {
	return act(ctx, r, "delete webhook endpoint", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (pulid.ID, error) {
		ep, err := managedEndpoint(ctx, c, v, id)
		if err != nil {
			return "", err
		}
		if _, err := c.WebhookDelivery.Delete().Where(webhookdelivery.EndpointID(ep.ID)).Exec(ctx); err != nil {
			return "", err
		}
		return ep.ID, c.WebhookEndpoint.DeleteOne(ep).Exec(ctx)
	})
}

// RedeliverWebhook queues a new attempt of a delivery that succeeded or
// failed, with the same webhook-id and body (receivers deduplicate on the
// id). A delivery still pending, or of a disabled endpoint, is a CONFLICT.
func (r *Runner) RedeliverWebhook(ctx context.Context, id pulid.ID) (*ent.WebhookDelivery, error) {
	return act(ctx, r, "redeliver webhook", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.WebhookDelivery, error) {
		if err := webhookManager(v); err != nil {
			return nil, err
		}
		if err := ref.Typed("id", id, "whd", "a webhook delivery"); err != nil {
			return nil, err
		}
		q := c.WebhookDelivery.Query().Where(webhookdelivery.ID(id))
		q.Modify(forUpdate)
		d, err := q.Only(authz.Unfiltered(ctx))
		if err != nil {
			return nil, notFound(err, "webhook delivery")
		}
		ep, err := managedEndpoint(ctx, c, v, d.EndpointID)
		if err != nil {
			return nil, notFound(err, "webhook delivery")
		}
		if ep.Status != webhookendpoint.StatusACTIVE {
			return nil, apierror.Conflictf("the endpoint is disabled: re-enable it first")
		}
		if d.Status == webhookdelivery.StatusPENDING {
			return nil, apierror.Conflictf("the delivery is still pending")
		}
		d, err = c.WebhookDelivery.UpdateOne(d).SetStatus(webhookdelivery.StatusPENDING).AddRedeliveries(1).
			SetNextAttemptAt(now).SetUpdatedAt(now).Save(ctx)
		if err != nil {
			return nil, err
		}
		return d, jobs.Add(ctx, WebhookDeliver{DeliveryID: d.ID, Round: d.Redeliveries, Community: d.CommunityID}, deliverOpts())
	})
}

// deliverOpts are a delivery job's options: webhook.MaxAttempts attempts
// (at least a day, with the worker's backoff), unique per delivery and
// round, so a retried fan-out never sends one twice.
func deliverOpts() *river.InsertOpts {
	return &river.InsertOpts{MaxAttempts: webhook.MaxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// managedEndpoint locks and returns an endpoint v may manage; any other is
// NOT_FOUND, as it is to v's reads.
func managedEndpoint(ctx context.Context, c *ent.Client, v *viewer.Viewer, id pulid.ID) (*ent.WebhookEndpoint, error) {
	if err := webhookManager(v); err != nil {
		return nil, err
	}
	if err := ref.Typed("id", id, "whe", "a webhook endpoint"); err != nil {
		return nil, err
	}
	q := c.WebhookEndpoint.Query().Where(webhookendpoint.ID(id))
	q.Modify(forUpdate)
	ep, err := q.Only(authz.Unfiltered(ctx))
	if err != nil {
		return nil, notFound(err, "webhook endpoint")
	}
	if !authz.CanManageWebhookEndpoint(v, ep.CommunityID, ep.GroupID) {
		return nil, apierror.NotFoundf("no webhook endpoint with that id")
	}
	return ep, nil
}

// webhookURL checks an endpoint's URL: absolute https (http only when
// private destinations are allowed), no credentials or fragment, and no
// internal address named literally (the delivery client refuses those that
// resolve to one anyway).
func webhookURL(raw string, allowPrivate bool) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || !u.IsAbs() {
		return "", apierror.Invalid("url", "give an absolute https URL")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowPrivate:
	default:
		return "", apierror.Invalid("url", "the URL must use https")
	}
	if u.User != nil || u.Fragment != "" {
		return "", apierror.Invalid("url", "the URL may not carry credentials or a fragment")
	}
	if !allowPrivate {
		host := strings.ToLower(u.Hostname())
		if host == "localhost" || strings.HasSuffix(host, ".localhost") {
			return "", apierror.Invalid("url", "the URL may not point at this machine")
		}
		if ip, err := netip.ParseAddr(host); err == nil && !webhook.PublicAddress(ip) {
			return "", apierror.Invalid("url", "the URL may not point at a loopback, private or link-local address")
		}
	}
	return u.String(), nil
}

// webhookTopics checks and orders the topics an endpoint asks for.
func webhookTopics(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, apierror.Invalid("topics", "choose at least one topic")
	}
	set := map[string]bool{}
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		if !slices.Contains(WebhookTopics, t) {
			return nil, apierror.Invalid("topics", "unknown topic %q", t)
		}
		set[t] = true
	}
	var out []string
	for _, t := range WebhookTopics {
		if set[t] {
			out = append(out, t)
		}
	}
	return out, nil
}

// WebhookEndpoints lists a community's endpoints the viewer may see (all
// of them for its staff, their groups' for organizers), or one group's,
// oldest first.
func WebhookEndpoints(ctx context.Context, c *ent.Client, communityRef pulid.ID, groupRef *pulid.ID) ([]*ent.WebhookEndpoint, error) {
	comID, err := ref.Community(ctx, c, "community", communityRef)
	if err != nil {
		return nil, err
	}
	q := c.WebhookEndpoint.Query().Where(webhookendpoint.CommunityID(comID))
	if groupRef != nil {
		gid, err := ref.Group(ctx, c, "group", *groupRef)
		if err != nil {
			return nil, err
		}
		q = q.Where(webhookendpoint.GroupID(gid))
	}
	return q.Order(ent.Asc(webhookendpoint.FieldCreatedAt), ent.Asc(webhookendpoint.FieldID)).All(ctx)
}

// WebhookDeliveries lists an endpoint's deliveries in order (newest first
// when nil), optionally of one status; an endpoint the viewer may not see
// is NOT_FOUND.
func WebhookDeliveries(ctx context.Context, c *ent.Client, endpoint pulid.ID, status *webhookdelivery.Status,
	after *entgql.Cursor[pulid.ID], first *int, order *ent.WebhookDeliveryOrder) (*ent.WebhookDeliveryConnection, error) {
	if _, err := c.WebhookEndpoint.Get(ctx, endpoint); err != nil {
		return nil, missing(err, "endpoint", "webhook endpoint")
	}
	q := c.WebhookDelivery.Query().Where(webhookdelivery.EndpointID(endpoint))
	if status != nil {
		q = q.Where(webhookdelivery.StatusEQ(*status))
	}
	if order == nil {
		order = &ent.WebhookDeliveryOrder{Field: ent.WebhookDeliveryOrderFieldCreatedAt, Direction: entgql.OrderDirectionDesc}
	}
	return q.Paginate(ctx, after, first, nil, nil, ent.WithWebhookDeliveryOrder(order))
}

// webhookDisabledMessage is the owner's notice that an endpoint stopped.
func webhookDisabledMessage(ctx context.Context, c *ent.Client, ep *ent.WebhookEndpoint, reason string, now time.Time) error {
	return queueMessage(ctx, c, ep.CommunityID, ep.OwnerID, letters.KindWebhookDisabled,
		letters.WebhookDisabled{URL: ep.URL, Endpoint: string(ep.ID), Reason: reason},
		fmt.Sprintf("webhook_disabled:%s:%d", ep.ID, now.Unix()))
}
