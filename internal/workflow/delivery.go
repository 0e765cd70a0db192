package workflow

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contact"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/jobs"
	"github.com/usergroups/usergroups/internal/letters"
	sendmail "github.com/usergroups/usergroups/internal/mail"
	"github.com/usergroups/usergroups/internal/policy"
)

// Sender sends one email to one recipient: *mail.Sender over SMTP, or
// mail.LogSender in development, which answers mail.ErrKept.
type Sender interface {
	Send(ctx context.Context, m sendmail.Message) error
}

// Outbound is how the outbox's messages leave: through which sender, from
// which address, and who counts each email's outcome.
type Outbound struct {
	// Sender sends each email.
	Sender Sender
	// From is the sender address (--mail-from); its domain names the Message-IDs.
	From string
	// Counted, if set, is told each email's outcome: sent, logged, retry,
	// bounced or skipped (metrics).
	Counted func(outcome string)
	// PublicURL is the server's address as people reach it (--public-url);
	// when set, notices carry a one-click unsubscribe link to it (RFC 8058).
	PublicURL string
}

func (o Outbound) count(outcome string) {
	if o.Counted != nil {
		o.Counted(outcome)
	}
}

// ErrUndeliverable is part of DeliverMessage's answer when the message was
// marked FAILED: every recipient bounced or has no usable address, so a
// retry cannot help (the worker cancels the job).
var ErrUndeliverable = errors.New("workflow: the message cannot be delivered")

// Delivery outcomes recorded per recipient in Message.deliveries; a
// recipient with one is done, and a retry sends only to the others.
const (
	deliverySent    = "sent"
	deliveryBounced = "bounced: "
	deliverySkipped = "skipped: "
)

// recipient is one email of a message: a person (UserID) or an address.
type recipient struct {
	key     string // the key in Message.deliveries
	userID  pulid.ID
	address string
	contact *ent.Contact // the person's address row, if any
}

// DeliverMessage sends the outbox message id: one email per recipient, so
// a bounce names one address. Each outcome is recorded in its own step
// before the next email goes out: a retry after a crash or a transient
// failure sends only to those not done yet, and a message already SENT or
// FAILED is not sent again. A transient failure records the attempt and
// returns the error (the queue retries with backoff); a permanent one
// marks the person's address as bouncing. When every recipient is done,
// the message is SENT if anyone got it, else FAILED, and the error wraps
// ErrUndeliverable. Under mail.LogSender nothing is sent and the message
// stays PENDING, for a server with SMTP (see RequeuePendingMessages).
func DeliverMessage(ctx context.Context, r *Runner, id pulid.ID, out Outbound) error {
	all := authz.Unfiltered(ctx)
	m, err := r.client.Message.Query().Where(message.ID(id)).WithCommunity().Only(all)
	if ent.IsNotFound(err) {
		out.count("skipped")
		return nil
	}
	if err != nil {
		return err
	}
	if m.Status != message.StatusPENDING {
		out.count("skipped")
		return nil
	}
	rcpts, err := recipientsOf(all, r.client, m)
	if err != nil {
		return err
	}
	from, err := mail.ParseAddress(out.From)
	if err != nil {
		return fmt.Errorf("deliver message: invalid --mail-from %q: %w", out.From, err)
	}
	base := messageID(m.ID, from.Address)
	kept := false
	for _, rc := range rcpts {
		if _, done := m.Deliveries[rc.key]; done {
			continue
		}
		if reason := unusable(rc); reason != "" {
			if err := recordDelivery(ctx, r, m.ID, base, rc, deliverySkipped+reason); err != nil {
				return err
			}
			out.count("skipped")
			continue
		}
		oneClickURL := ""
		if kind := letters.Kind(m.Template); out.PublicURL != "" && rc.userID != "" && oneClick(kind) {
			secret, err := noticeSecret(ctx, r, rc.userID)
			if err != nil {
				return err
			}
			oneClickURL = UnsubscribeURL(out.PublicURL, rc.userID, kind, UnsubscribeToken(secret, rc.userID, kind))
		}
		email := compose(m, rc, out.From, from.Address, base, len(rcpts) > 1)
		email.ListUnsubscribeURL = oneClickURL
		err := out.Sender.Send(ctx, email)
		switch {
		case err == nil:
			if err := recordDelivery(ctx, r, m.ID, base, rc, deliverySent); err != nil {
				return err
			}
			out.count("sent")
		case errors.Is(err, sendmail.ErrKept):
			kept = true
			out.count("logged")
		case sendmail.IsPermanent(err):
			if err := recordDelivery(ctx, r, m.ID, base, rc, deliveryBounced+reasonOf(err)); err != nil {
				return err
			}
			out.count("bounced")
		default:
			out.count("retry")
			if rerr := recordAttempt(ctx, r, m.ID, err); rerr != nil {
				return errors.Join(err, rerr)
			}
			return fmt.Errorf("deliver message %s: %w", m.ID, err)
		}
	}
	if kept {
		return nil
	}
	return finishDelivery(ctx, r, m.ID, len(rcpts))
}

// recipientsOf lists a message's emails: its person, its people, or its
// address, each person with their address row (nil when they gave none).
func recipientsOf(ctx context.Context, c *ent.Client, m *ent.Message) ([]recipient, error) {
	var out []recipient
	ids := m.RecipientIds
	if m.RecipientID != "" {
		ids = []pulid.ID{m.RecipientID}
	}
	for _, id := range ids {
		if !slices.ContainsFunc(out, func(r recipient) bool { return r.userID == id }) {
			out = append(out, recipient{key: string(id), userID: id})
		}
	}
	if len(ids) == 0 && m.ToAddress != "" {
		return []recipient{{key: "to:" + m.ToAddress, address: m.ToAddress}}, nil
	}
	if len(ids) == 0 {
		return nil, nil
	}
	contacts, err := c.Contact.Query().Where(contact.UserIDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		for _, ct := range contacts {
			if ct.UserID == out[i].userID {
				out[i].contact, out[i].address = ct, ct.Email
			}
		}
	}
	return out, nil
}

// unusable says why a recipient gets no email, or "".
func unusable(rc recipient) string {
	switch {
	case rc.address == "":
		return "no email address"
	case rc.contact != nil && rc.contact.EmailBouncedAt != nil:
		return "the address bounces"
	}
	return ""
}

// messageID is the Message-ID of a message (without angle brackets): its
// id at the sender's domain, the same on every retry.
func messageID(id pulid.ID, from string) string {
	domain := "localhost"
	if i := strings.LastIndex(from, "@"); i >= 0 && i+1 < len(from) {
		domain = from[i+1:]
	}
	return strings.ToLower(string(id)) + "@" + domain
}

// compose builds the email of m to rc. A letter to several people is one
// email each, whose Message-ID adds the person's id to the message's.
func compose(m *ent.Message, rc recipient, from, fromAddress, base string, several bool) sendmail.Message {
	id := base
	if several {
		local, domain, _ := strings.Cut(base, "@")
		id = local + "." + strings.ToLower(rc.key) + "@" + domain
	}
	e := sendmail.Message{
		From: from, To: rc.address, Subject: m.Subject, Text: m.Body, HTML: htmlBody(m.Body),
		MessageID: id, Kind: m.Template,
	}
	if rc.userID != "" && !policy.NoticeMandatory(letters.Kind(m.Template)) {
		e.ListUnsubscribeMailto = "mailto:" + fromAddress + "?subject=" + url.PathEscape("unsubscribe "+m.Template)
	}
	if m.Template == "official_recognition" && m.Edges.Community != nil {
		e.Attachments = append(e.Attachments, sendmail.Attachment{
			Name: "logo-pack.zip", ContentType: "application/zip", Data: LogoPack(m.Edges.Community.Name),
		})
	}
	return e
}

// reasonOf is the text recorded for a failure, bounded for the row.
func reasonOf(err error) string { return truncate(err.Error(), 500) }

// lockMessage locks a message's row and returns it as it is now: the steps
// of two deliveries of one message (a retry racing a rescued job) run one
// after the other, and the second sees the first's outcomes.
func lockMessage(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Message, error) {
	q := c.Message.Query().Where(message.ID(id))
	q.Modify(forUpdate)
	return q.Only(authz.Unfiltered(ctx))
}

// recordDelivery records one recipient's final outcome (and the attempt);
// a bounce marks the person's address, if it is still the one mailed.
func recordDelivery(ctx context.Context, r *Runner, id pulid.ID, base string, rc recipient, outcome string) error {
	_, err := run(ctx, r, "record delivery", func(ctx context.Context, c *ent.Client, now time.Time) (struct{}, error) {
		m, err := lockMessage(ctx, c, id)
		if err != nil {
			return struct{}{}, err
		}
		if _, done := m.Deliveries[rc.key]; done {
			return struct{}{}, nil
		}
		d := make(map[string]string, len(m.Deliveries)+1)
		for k, v := range m.Deliveries {
			d[k] = v
		}
		d[rc.key] = outcome
		up := c.Message.UpdateOneID(id).SetDeliveries(d).SetMessageID(base)
		if !strings.HasPrefix(outcome, deliverySkipped) {
			up.AddAttempts(1)
		}
		if outcome != deliverySent {
			up.SetLastError(truncate(outcome, 1000))
		}
		if err := up.Exec(ctx); err != nil {
			return struct{}{}, err
		}
		if reason, ok := strings.CutPrefix(outcome, deliveryBounced); ok && rc.contact != nil {
			err = c.Contact.Update().Where(contact.ID(rc.contact.ID), contact.Email(rc.address)).
				SetEmailBouncedAt(now).SetEmailBounceReason(reason).Exec(ctx)
		}
		return struct{}{}, err
	})
	return err
}

// recordAttempt records a transient failure on the message, before the
// queue retries it.
func recordAttempt(ctx context.Context, r *Runner, id pulid.ID, cause error) error {
	_, err := run(ctx, r, "record delivery attempt", func(ctx context.Context, c *ent.Client, _ time.Time) (struct{}, error) {
		if _, err := lockMessage(ctx, c, id); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, c.Message.UpdateOneID(id).AddAttempts(1).SetLastError(reasonOf(cause)).Exec(ctx)
	})
	return err
}

// finishDelivery ends a message whose recipients are all done: SENT if
// anyone got it, FAILED (and ErrUndeliverable) if nobody did.
func finishDelivery(ctx context.Context, r *Runner, id pulid.ID, recipients int) error {
	failed, err := run(ctx, r, "finish delivery", func(ctx context.Context, c *ent.Client, now time.Time) (string, error) {
		m, err := lockMessage(ctx, c, id)
		if err != nil || m.Status != message.StatusPENDING || len(m.Deliveries) < recipients {
			return "", err
		}
		for _, o := range m.Deliveries {
			if o == deliverySent {
				return "", c.Message.UpdateOneID(id).SetStatus(message.StatusSENT).SetSentAt(now).Exec(ctx)
			}
		}
		reason := "no recipient"
		if len(m.Deliveries) > 0 {
			reason = m.LastError
		}
		return reason, c.Message.UpdateOneID(id).SetStatus(message.StatusFAILED).SetLastError(reason).Exec(ctx)
	})
	if err != nil {
		return err
	}
	if failed != "" {
		return fmt.Errorf("%w: %s", ErrUndeliverable, failed)
	}
	return nil
}

// GiveUpMessage marks a still PENDING message FAILED with cause, when the
// queue has used up its delivery job's attempts: staff see why in the outbox.
func GiveUpMessage(ctx context.Context, r *Runner, id pulid.ID, cause error) error {
	_, err := run(ctx, r, "give up delivery", func(ctx context.Context, c *ent.Client, _ time.Time) (struct{}, error) {
		m, err := lockMessage(ctx, c, id)
		if err != nil || m.Status != message.StatusPENDING {
			return struct{}{}, err
		}
		return struct{}{}, c.Message.UpdateOneID(id).SetStatus(message.StatusFAILED).
			SetLastError(truncate("gave up: "+cause.Error(), 1000)).Exec(ctx)
	})
	return err
}

// RequeuePendingMessages queues a delivery job for every PENDING message,
// at startup of a server that sends mail: messages kept in the outbox by a
// server without SMTP (or whose job ran out of attempts) go out now. A
// message whose job still waits or runs is not queued twice (the job is
// unique per message). It returns how many messages it looked at.
func RequeuePendingMessages(ctx context.Context, r *Runner) (int, error) {
	return run(ctx, r, "requeue pending messages", func(ctx context.Context, c *ent.Client, _ time.Time) (int, error) {
		ms, err := c.Message.Query().Where(message.StatusEQ(message.StatusPENDING)).
			Select(message.FieldID, message.FieldSendAfter).All(authz.Unfiltered(ctx))
		if err != nil {
			return 0, err
		}
		for _, m := range ms {
			var after time.Time
			if m.SendAfter != nil {
				after = *m.SendAfter
			}
			if err := jobs.Add(ctx, jobs.DeliverMessage{ID: string(m.ID), Community: string(m.CommunityID)}, jobs.DeliveryOpts(after)); err != nil {
				return 0, err
			}
		}
		return len(ms), nil
	})
}
