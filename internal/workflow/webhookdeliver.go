package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/ent/webhookdelivery"
	"github.com/usergroups/usergroups/ent/webhookendpoint"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/jobs"
	"github.com/usergroups/usergroups/internal/webhook"
)

// WebhookMessage is the JSON body of a delivery: the Standard Webhooks
// envelope (type, timestamp, data).
type WebhookMessage struct {
	// Type is the topic and what happened, e.g. "application.updated".
	Type string `json:"type"`
	// Timestamp is when the change was committed.
	Timestamp time.Time `json:"timestamp"`
	// Data is the change.
	Data WebhookChange `json:"data"`
}

// WebhookChange is one change as an endpoint receives it: the change-log
// row and the public fields of the node, what a token with the read scope
// could read. A registration's change carries no registrant, no answers and
// not even the registration's id: only its event's counts.
type WebhookChange struct {
	ChangeID    int64  `json:"changeId"`
	Topic       string `json:"topic"`
	Op          string `json:"op"`
	NodeType    string `json:"nodeType"`
	NodeID      string `json:"nodeId,omitempty"`
	CommunityID string `json:"communityId,omitempty"`
	GroupID     string `json:"groupId,omitempty"`
	ActorID     string `json:"actorId,omitempty"`
	// Node is the node's public fields as they are when the fan-out ran;
	// absent once it is deleted.
	Node map[string]any `json:"node,omitempty"`
	// Event is, for a registration's change, its event's id and counts.
	Event map[string]any `json:"event,omitempty"`
}

// FanOutWebhooks writes one delivery for each active endpoint that wants
// each change (its topic, and its group for a group's endpoint) and queues
// its delivery job, in one step. Deliveries already written (a retried
// fan-out) are skipped, and the unique index on endpoint and change keeps
// a concurrent duplicate from committing. It runs as the system.
func FanOutWebhooks(ctx context.Context, r *Runner, changeIDs []int64) (int, error) {
	return run(ctx, r, "fan out webhooks", func(ctx context.Context, c *ent.Client, now time.Time) (int, error) {
		all := authz.Unfiltered(ctx)
		changes, err := c.Change.Query().Where(change.IDIn(changeIDs...)).Order(ent.Asc(change.FieldID)).All(all)
		if err != nil || len(changes) == 0 {
			return 0, err
		}
		var communities []pulid.ID
		for _, ch := range changes {
			if id := pulid.ID(ch.CommunityID); id != "" && !slices.Contains(communities, id) {
				communities = append(communities, id)
			}
		}
		endpoints, err := c.WebhookEndpoint.Query().
			Where(webhookendpoint.CommunityIDIn(communities...), webhookendpoint.StatusEQ(webhookendpoint.StatusACTIVE)).
			All(all)
		if err != nil || len(endpoints) == 0 {
			return 0, err
		}
		epIDs := make([]pulid.ID, len(endpoints))
		for i, ep := range endpoints {
			epIDs[i] = ep.ID
		}
		type key struct {
			endpoint pulid.ID
			change   int64
		}
		done := map[key]bool{}
		existing, err := c.WebhookDelivery.Query().
			Where(webhookdelivery.EndpointIDIn(epIDs...), webhookdelivery.ChangeIDIn(changeIDs...)).
			Select(webhookdelivery.FieldEndpointID, webhookdelivery.FieldChangeID).All(all)
		if err != nil {
			return 0, err
		}
		for _, d := range existing {
			done[key{d.EndpointID, d.ChangeID}] = true
		}
		nodes, err := loadWebhookNodes(all, c, changes)
		if err != nil {
			return 0, err
		}
		var creates []*ent.WebhookDeliveryCreate
		for _, ch := range changes {
			var body []byte
			for _, ep := range endpoints {
				if !wants(ep, ch) || done[key{ep.ID, ch.ID}] {
					continue
				}
				if body == nil {
					if body, err = json.Marshal(nodes.message(ch)); err != nil {
						return 0, err
					}
				}
				create := c.WebhookDelivery.Create().SetEndpointID(ep.ID).SetCommunityID(ep.CommunityID).
					SetChangeID(ch.ID).SetEventType(eventType(ch)).SetPayload(string(body)).
					SetNextAttemptAt(now).SetCreatedAt(now).SetUpdatedAt(now)
				if ep.GroupID != "" {
					create.SetGroupID(ep.GroupID)
				}
				creates = append(creates, create)
			}
		}
		n := 0
		for chunk := range slices.Chunk(creates, 500) {
			rows, err := c.WebhookDelivery.CreateBulk(chunk...).Save(ctx)
			if err != nil {
				return n, err
			}
			for _, d := range rows {
				if err := jobs.Add(ctx, WebhookDeliver{DeliveryID: d.ID, Community: d.CommunityID}, deliverOpts()); err != nil {
					return n, err
				}
			}
			n += len(rows)
		}
		return n, nil
	})
}

// wants reports whether ep receives ch.
func wants(ep *ent.WebhookEndpoint, ch *ent.Change) bool {
	if ch.CommunityID != string(ep.CommunityID) || !slices.Contains(ep.Topics, ch.Topic) {
		return false
	}
	return ep.GroupID == "" || ch.GroupID == string(ep.GroupID)
}

// eventType is a change's payload type: topic and operation.
func eventType(ch *ent.Change) string {
	return ch.Topic + "." + strings.ToLower(string(ch.Op))
}

// webhookNodes are the public fields of the nodes of a fan-out's changes,
// read once for all of them (a query per topic), as the system: the
// fields picked here are the only ones that leave.
type webhookNodes struct {
	nodes map[string]map[string]any
	// events maps a registration's id to its event's counts.
	events map[string]map[string]any
}

func loadWebhookNodes(ctx context.Context, c *ent.Client, changes []*ent.Change) (*webhookNodes, error) {
	ids := map[string][]pulid.ID{}
	for _, ch := range changes {
		if ch.Op != change.OpDELETED {
			ids[ch.Topic] = append(ids[ch.Topic], pulid.ID(ch.NodeID))
		}
	}
	w := &webhookNodes{nodes: map[string]map[string]any{}, events: map[string]map[string]any{}}
	if len(ids[changelog.TopicApplication]) > 0 {
		rows, err := c.Application.Query().Where(application.IDIn(ids[changelog.TopicApplication]...)).
			Select(application.FieldID, application.FieldKind, application.FieldStatus, application.FieldCommunityID,
				application.FieldGroupID, application.FieldDecidedAt, application.FieldCreatedAt).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range rows {
			w.nodes[string(a.ID)] = map[string]any{"id": a.ID, "kind": a.Kind, "status": a.Status,
				"communityId": a.CommunityID, "groupId": a.GroupID, "decidedAt": a.DecidedAt, "createdAt": a.CreatedAt}
		}
	}
	if len(ids[changelog.TopicRole]) > 0 {
		rows, err := c.Role.Query().Where(role.IDIn(ids[changelog.TopicRole]...)).
			Select(role.FieldID, role.FieldKind, role.FieldStatus, role.FieldUserID, role.FieldCommunityID,
				role.FieldRegionID, role.FieldGroupID, role.FieldTermEnd).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			w.nodes[string(r.ID)] = map[string]any{"id": r.ID, "kind": r.Kind, "status": r.Status, "userId": r.UserID,
				"communityId": r.CommunityID, "regionId": r.RegionID, "groupId": r.GroupID, "termEnd": r.TermEnd}
		}
	}
	if len(ids[changelog.TopicGroup]) > 0 {
		rows, err := c.Group.Query().Where(group.IDIn(ids[changelog.TopicGroup]...)).
			Select(group.FieldID, group.FieldName, group.FieldSlug, group.FieldStatus, group.FieldCity,
				group.FieldCountry, group.FieldCommunityID).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, g := range rows {
			w.nodes[string(g.ID)] = map[string]any{"id": g.ID, "name": g.Name, "slug": g.Slug, "status": g.Status,
				"city": g.City, "country": g.Country, "communityId": g.CommunityID}
		}
	}
	eventIDs := ids[changelog.TopicEvent]
	regEvent := map[pulid.ID]pulid.ID{}
	if len(ids[changelog.TopicRegistration]) > 0 {
		rows, err := c.Registration.Query().Where(registration.IDIn(ids[changelog.TopicRegistration]...)).
			Select(registration.FieldID, registration.FieldEventID).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			regEvent[r.ID] = r.EventID
			eventIDs = append(eventIDs, r.EventID)
		}
	}
	if len(eventIDs) > 0 {
		rows, err := c.Event.Query().Where(event.IDIn(eventIDs...)).
			Select(event.FieldID, event.FieldGroupID, event.FieldCommunityID, event.FieldTitle, event.FieldKind,
				event.FieldStatus, event.FieldVisibility, event.FieldStartsAt, event.FieldEndsAt, event.FieldTimeZone,
				event.FieldCapacity, event.FieldGoingCount, event.FieldWaitlistCount).All(ctx)
		if err != nil {
			return nil, err
		}
		counts := map[pulid.ID]map[string]any{}
		for _, e := range rows {
			w.nodes[string(e.ID)] = map[string]any{"id": e.ID, "groupId": e.GroupID, "communityId": e.CommunityID,
				"title": e.Title, "kind": e.Kind, "status": e.Status, "visibility": e.Visibility,
				"startsAt": e.StartsAt, "endsAt": e.EndsAt, "timeZone": e.TimeZone, "capacity": e.Capacity,
				"goingCount": e.GoingCount, "waitlistCount": e.WaitlistCount}
			counts[e.ID] = map[string]any{"id": e.ID, "capacity": e.Capacity, "goingCount": e.GoingCount, "waitlistCount": e.WaitlistCount}
		}
		for reg, ev := range regEvent {
			if m, ok := counts[ev]; ok {
				w.events[string(reg)] = m
			}
		}
	}
	return w, nil
}

// message is the body of ch's deliveries.
func (w *webhookNodes) message(ch *ent.Change) WebhookMessage {
	data := WebhookChange{ChangeID: ch.ID, Topic: ch.Topic, Op: string(ch.Op), NodeType: ch.NodeType,
		CommunityID: ch.CommunityID, GroupID: ch.GroupID}
	if ch.Topic == changelog.TopicRegistration {
		// Counts only: who registered, and the registration itself, are
		// not for third-party tools.
		data.Event = w.events[ch.NodeID]
	} else {
		data.NodeID, data.ActorID = ch.NodeID, ch.ActorID
		data.Node = w.nodes[ch.NodeID]
	}
	return WebhookMessage{Type: eventType(ch), Timestamp: ch.CreatedAt.UTC(), Data: data}
}

// WebhookAttempt is the outcome of one delivery attempt, for the worker.
type WebhookAttempt struct {
	// Outcome counts the attempt in the metrics: "sent", "retry",
	// "failed" or "skipped" (nothing to send any more).
	Outcome string
	// Retry tells the worker to fail the job so the queue tries again.
	Retry bool
	// Err is why the attempt failed (nil when sent or skipped).
	Err error
}

// DeliverWebhook makes attempt number attempt (of maxAttempts) of a
// delivery: it POSTs the stored body with the Standard Webhooks headers,
// signed with every valid secret of the endpoint, through client (which
// refuses internal addresses and redirects), and records the status, the
// error and the first KiB of the response in a step. A 2xx succeeds; a
// retryable failure before the last attempt stays pending; otherwise the
// delivery fails, and the endpoint is disabled (its owner told) after
// WebhookDisableAfter failed deliveries in a row or once retries ran out.
func DeliverWebhook(ctx context.Context, r *Runner, client *http.Client, id pulid.ID, attempt, maxAttempts int) (WebhookAttempt, error) {
	all := authz.Unfiltered(ctx)
	d, err := r.client.WebhookDelivery.Query().Where(webhookdelivery.ID(id)).WithEndpoint().Only(all)
	if ent.IsNotFound(err) {
		return WebhookAttempt{Outcome: "skipped"}, nil // its endpoint was deleted
	}
	if err != nil {
		return WebhookAttempt{}, err
	}
	if d.Status != webhookdelivery.StatusPENDING {
		return WebhookAttempt{Outcome: "skipped"}, nil // a duplicate job: already settled
	}
	ep := d.Edges.Endpoint
	now := r.now()
	if ep.Status != webhookendpoint.StatusACTIVE {
		_, err := run(ctx, r, "skip webhook delivery", func(ctx context.Context, c *ent.Client, now time.Time) (struct{}, error) {
			return struct{}{}, c.WebhookDelivery.Update().
				Where(webhookdelivery.ID(id), webhookdelivery.StatusEQ(webhookdelivery.StatusPENDING)).
				SetStatus(webhookdelivery.StatusFAILED).SetLastError("endpoint disabled").ClearNextAttemptAt().
				SetUpdatedAt(now).Exec(ctx)
		})
		return WebhookAttempt{Outcome: "skipped"}, err
	}
	secrets := []string{ep.Secret}
	if ep.PreviousSecret != "" && ep.PreviousSecretExpiresAt != nil && now.Before(*ep.PreviousSecretExpiresAt) {
		secrets = append(secrets, ep.PreviousSecret)
	}
	res := post(ctx, client, ep.URL, secrets, string(d.ID), now, []byte(d.Payload))
	return run(ctx, r, "record webhook attempt", func(ctx context.Context, c *ent.Client, now time.Time) (WebhookAttempt, error) {
		q := c.WebhookDelivery.Query().Where(webhookdelivery.ID(id))
		q.Modify(forUpdate)
		d, err := q.Only(all)
		if ent.IsNotFound(err) {
			return WebhookAttempt{Outcome: "skipped"}, nil
		}
		if err != nil {
			return WebhookAttempt{}, err
		}
		log := append(d.AttemptLog, schematype.WebhookAttempt{At: now, StatusCode: res.status, Error: res.errText()})
		log = log[max(0, len(log)-schematype.WebhookAttemptsKept):]
		up := c.WebhookDelivery.UpdateOne(d).AddAttempts(1).SetLastAttemptAt(now).SetUpdatedAt(now).
			SetResponseBody(res.body).SetLastError(res.errText()).SetAttemptLog(log)
		if res.status != 0 {
			up.SetLastStatusCode(res.status)
		} else {
			up.ClearLastStatusCode()
		}
		out := WebhookAttempt{Err: res.err}
		switch {
		case res.outcome == webhook.Delivered:
			out.Outcome = "sent"
			up.SetStatus(webhookdelivery.StatusSUCCEEDED).SetDeliveredAt(now).ClearNextAttemptAt()
		case res.outcome == webhook.Retry && attempt < maxAttempts:
			out.Outcome, out.Retry = "retry", true
			up.SetNextAttemptAt(now.Add(webhook.Schedule{}.Backoff(attempt)))
		default:
			out.Outcome = "failed"
			up.SetStatus(webhookdelivery.StatusFAILED).ClearNextAttemptAt()
		}
		if err := up.Exec(ctx); err != nil {
			return WebhookAttempt{}, err
		}
		if out.Outcome == "retry" {
			return out, nil
		}
		// Some failures disable the endpoint at once: retries that ran out
		// (it failed for over a day), or a receiver asking us to stop.
		var disable string
		switch res.outcome {
		case webhook.Retry:
			disable = "a delivery failed on every attempt for more than a day"
		case webhook.Disable:
			disable = "the endpoint answered 410 Gone"
		}
		return out, settleEndpoint(ctx, c, d.EndpointID, out.Outcome == "sent", disable, now)
	})
}

// settleEndpoint counts a finished delivery on its endpoint: a success
// clears the failures in a row; a failure adds one, and disables the
// endpoint (telling its owner) at WebhookDisableAfter, or at once for the
// reason disable when it is not empty.
func settleEndpoint(ctx context.Context, c *ent.Client, id pulid.ID, ok bool, disable string, now time.Time) error {
	q := c.WebhookEndpoint.Query().Where(webhookendpoint.ID(id))
	q.Modify(forUpdate)
	ep, err := q.Only(authz.Unfiltered(ctx))
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if ok {
		if ep.ConsecutiveFailures == 0 {
			return nil
		}
		return c.WebhookEndpoint.UpdateOne(ep).SetConsecutiveFailures(0).Exec(ctx)
	}
	failures := ep.ConsecutiveFailures + 1
	up := c.WebhookEndpoint.UpdateOne(ep).SetConsecutiveFailures(failures)
	if ep.Status != webhookendpoint.StatusACTIVE || (disable == "" && failures < WebhookDisableAfter) {
		return up.Exec(ctx)
	}
	reason := disable
	if reason == "" {
		reason = fmt.Sprintf("%d deliveries in a row failed", failures)
	}
	ep, err = up.SetStatus(webhookendpoint.StatusDISABLED).SetDisabledReason(reason).SetDisabledAt(now).SetUpdatedAt(now).Save(ctx)
	if err != nil {
		return err
	}
	return webhookDisabledMessage(ctx, c, ep, reason, now)
}

// posted is what one POST got.
type posted struct {
	status  int
	body    string
	outcome webhook.Outcome
	err     error
}

func (p posted) errText() string {
	if p.err == nil {
		return ""
	}
	return truncateBytes(p.err.Error(), 500)
}

// post sends one attempt. Network failures are retried, except a refused
// destination (an internal address), which retrying cannot fix.
func post(ctx context.Context, client *http.Client, url string, secrets []string, id string, now time.Time, body []byte) posted {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return posted{outcome: webhook.Failed, err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "usergroups-webhooks/1")
	if err := webhook.SetHeaders(req.Header, secrets, id, now, body); err != nil {
		return posted{outcome: webhook.Failed, err: err}
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, webhook.ErrForbiddenAddress) {
			return posted{outcome: webhook.Failed, err: err}
		}
		return posted{outcome: webhook.Retry, err: err}
	}
	raw, rerr := webhook.ReadLimited(resp, webhook.MaxStoredBody)
	p := posted{status: resp.StatusCode, body: storable(raw), outcome: webhook.Classify(resp.StatusCode)}
	if p.outcome != webhook.Delivered {
		p.err = fmt.Errorf("the endpoint answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	} else if rerr != nil {
		p.err = nil // the receiver accepted it; a body cut short does not matter
	}
	return p
}

// storable makes a response body safe to store as text: valid UTF-8
// without NUL bytes (PostgreSQL refuses both), within MaxStoredBody bytes.
func storable(b []byte) string {
	s := strings.ToValidUTF8(string(b), "")
	s = strings.ReplaceAll(s, "\x00", "")
	return truncateBytes(s, webhook.MaxStoredBody)
}

// truncateBytes cuts s to at most n bytes on a rune boundary.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
