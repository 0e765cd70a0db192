package workflow

import (
	"context"
	"fmt"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contact"
	"github.com/usergroups/usergroups/ent/contactmessage"
	"github.com/usergroups/usergroups/ent/contactthread"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/report"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Relayed contact: a signed-in person writes to an ambassador or to a
// group's organizers without either side seeing the other's address; the
// outbox carries the messages, and the receiving side's first reply
// reveals the addresses (ContactThread.revealed_at).

// ContactAmbassador starts a thread with an ambassador (a person holding
// an active AMBASSADOR role) of the community of that role; communityRef
// picks the community when they serve several.
func (r *Runner) ContactAmbassador(ctx context.Context, ambassador pulid.ID, communityRef *pulid.ID, subject, body string) (*ent.ContactThread, error) {
	return act(ctx, r, "contact ambassador", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.ContactThread, error) {
		if err := ref.Typed("ambassador", ambassador, "usr", "a person"); err != nil {
			return nil, err
		}
		all := authz.Unfiltered(ctx)
		q := c.Role.Query().Where(role.UserID(ambassador), role.KindEQ(role.KindAMBASSADOR), role.StatusEQ(role.StatusACTIVE))
		if communityRef != nil {
			comID, err := ref.Community(ctx, c, "community", *communityRef)
			if err != nil {
				return nil, err
			}
			q = q.Where(role.CommunityID(comID))
		}
		coms, err := q.Select(role.FieldCommunityID).Strings(all)
		if err != nil {
			return nil, err
		}
		switch {
		case len(coms) == 0:
			return nil, apierror.Invalid("ambassador", "ambassador holds no active ambassador role (in that community)")
		case ambassador == v.UserID:
			return nil, apierror.Invalid("ambassador", "you cannot write to yourself")
		}
		for _, com := range coms[1:] {
			if com != coms[0] {
				return nil, apierror.Invalid("community", "the ambassador serves several communities: name the community")
			}
		}
		return startThread(ctx, c, v, now, pulid.ID(coms[0]), subject, body, func(t *ent.ContactThreadCreate) {
			t.SetRecipientID(ambassador)
		}, []pulid.ID{ambassador})
	})
}

// ContactGroupOrganizers starts a thread with the active organizers of a
// running group, each of whom is told and may answer.
func (r *Runner) ContactGroupOrganizers(ctx context.Context, groupRef pulid.ID, subject, body string) (*ent.ContactThread, error) {
	return act(ctx, r, "contact group organizers", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.ContactThread, error) {
		gid, err := ref.Group(ctx, c, "group", groupRef)
		if err != nil {
			return nil, err
		}
		all := authz.Unfiltered(ctx)
		g, err := c.Group.Query().Where(group.ID(gid)).Only(all)
		if err != nil {
			return nil, notFound(err, "group")
		}
		if err := running(g); err != nil {
			return nil, err
		}
		to, err := organizersOf(all, c, g.ID)
		if err != nil {
			return nil, err
		}
		switch {
		case len(to) == 0:
			return nil, apierror.Conflictf("the group has no active organizer to write to")
		case containsID(to, v.UserID):
			return nil, apierror.Invalid("group", "you organize this group")
		}
		return startThread(ctx, c, v, now, g.CommunityID, subject, body, func(t *ent.ContactThreadCreate) {
			t.SetGroupID(g.ID)
		}, to)
	})
}

// organizersOf lists a group's active organizers.
func organizersOf(ctx context.Context, c *ent.Client, groupID pulid.ID) ([]pulid.ID, error) {
	ids, err := c.Role.Query().Where(role.GroupID(groupID), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).
		Select(role.FieldUserID).Strings(ctx)
	out := make([]pulid.ID, 0, len(ids))
	for _, id := range ids {
		if !containsID(out, pulid.ID(id)) {
			out = append(out, pulid.ID(id))
		}
	}
	return out, err
}

// contactAllowance refuses a message from v in community com beyond its
// contactsPerDay (counted from the messages v wrote there in the last 24
// hours), and any when the policy turns contact off (0).
func contactAllowance(ctx context.Context, c *ent.Client, v *viewer.Viewer, com *ent.Community, now time.Time) error {
	limit := com.Policy.ContactsPerDay
	if limit == 0 {
		return apierror.Forbiddenf("%s does not relay messages to ambassadors and organizers", com.Name)
	}
	// Locked: two messages sent at once are counted one after the other.
	if err := lockUser(authz.Unfiltered(ctx), c, v.UserID); err != nil {
		return err
	}
	n, err := c.ContactMessage.Query().Where(contactmessage.AuthorID(v.UserID), contactmessage.CreatedAtGT(now.Add(-24*time.Hour)),
		contactmessage.HasThreadWith(contactthread.CommunityID(com.ID))).Count(authz.Unfiltered(ctx))
	if err != nil {
		return err
	}
	if !policy.WithinDailyCap(n, limit) {
		return &apierror.Error{Code: apierror.RateLimited,
			Message: fmt.Sprintf("you have sent the %d messages a day %s relays; try again tomorrow", limit, com.Name)}
	}
	return nil
}

// startThread writes a thread and its first message and tells its
// receivers, by the outbox, without the sender's address.
func startThread(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time, comID pulid.ID, subject, body string,
	to func(*ent.ContactThreadCreate), receivers []pulid.ID) (*ent.ContactThread, error) {
	all := authz.Unfiltered(ctx)
	com, err := c.Community.Get(all, comID)
	if err != nil {
		return nil, err
	}
	if err := contactAllowance(ctx, c, v, com, now); err != nil {
		return nil, err
	}
	if subject, err = checkText("subject", subject, 200); err != nil {
		return nil, err
	}
	if body, err = checkText("body", body, 10000); err != nil {
		return nil, err
	}
	create := c.ContactThread.Create().SetCommunityID(comID).SetSenderID(v.UserID).SetSubject(subject)
	to(create)
	t, err := create.Save(ctx)
	if err != nil {
		return nil, err
	}
	m, err := c.ContactMessage.Create().SetThreadID(t.ID).SetAuthorID(v.UserID).SetBody(body).Save(ctx)
	if err != nil {
		return nil, err
	}
	return t, relay(all, c, t, m, receivers)
}

// relay queues message m of thread t to receivers. The letter names the
// author by their public name and handle only: no address of anyone.
func relay(ctx context.Context, c *ent.Client, t *ent.ContactThread, m *ent.ContactMessage, receivers []pulid.ID) error {
	if len(receivers) == 0 {
		return nil
	}
	author, err := c.User.Get(ctx, m.AuthorID)
	if err != nil {
		return err
	}
	return queueLetter(ctx, c, t.CommunityID, letters.KindContactMessage, letters.ContactMessage{
		Author: author.Name, Handle: author.Handle, Thread: t.Subject, ThreadID: string(t.ID), Body: m.Body,
	}, receivers, string(m.ID))
}

// receiving tells whether v is on the receiving side of t: the ambassador
// written to, or an active organizer of the group written to.
func receiving(ctx context.Context, c *ent.Client, v *viewer.Viewer, t *ent.ContactThread) (bool, error) {
	if t.RecipientID != "" {
		return t.RecipientID == v.UserID, nil
	}
	if t.GroupID == "" {
		return false, nil
	}
	return c.Role.Query().Where(role.GroupID(t.GroupID), role.UserID(v.UserID), role.KindEQ(role.KindORGANIZER),
		role.StatusEQ(role.StatusACTIVE)).Exist(authz.Unfiltered(ctx))
}

// ContactReply is replyToContact's result.
type ContactReply struct {
	Thread  *ent.ContactThread
	Message *ent.ContactMessage
}

// ReplyToContact answers in a thread the viewer is a side of. The
// receiving side's first answer reveals both addresses; the starter's
// messages count towards their daily cap.
func (r *Runner) ReplyToContact(ctx context.Context, threadID pulid.ID, body string) (*ContactReply, error) {
	return act(ctx, r, "reply to contact", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ContactReply, error) {
		if err := ref.Typed("thread", threadID, "cth", "a contact thread"); err != nil {
			return nil, err
		}
		q := c.ContactThread.Query().Where(contactthread.ID(threadID))
		q.Modify(forUpdate)
		t, err := q.Only(ctx)
		if err != nil {
			return nil, notFound(err, "contact thread")
		}
		all := authz.Unfiltered(ctx)
		recv, err := receiving(all, c, v, t)
		if err != nil {
			return nil, err
		}
		if !recv && t.SenderID != v.UserID {
			return nil, apierror.NotFoundf("no contact thread with that id")
		}
		var to []pulid.ID
		if recv {
			to = []pulid.ID{t.SenderID}
		} else {
			com, err := c.Community.Get(all, t.CommunityID)
			if err != nil {
				return nil, err
			}
			if err := contactAllowance(ctx, c, v, com, now); err != nil {
				return nil, err
			}
			if to = []pulid.ID{t.RecipientID}; t.GroupID != "" {
				if to, err = organizersOf(all, c, t.GroupID); err != nil {
					return nil, err
				}
			}
		}
		if body, err = checkText("body", body, 10000); err != nil {
			return nil, err
		}
		m, err := c.ContactMessage.Create().SetThreadID(t.ID).SetAuthorID(v.UserID).SetBody(body).Save(ctx)
		if err != nil {
			return nil, err
		}
		if recv && t.RevealedAt == nil {
			if t, err = c.ContactThread.UpdateOneID(t.ID).SetRevealedAt(now).Save(ctx); err != nil {
				return nil, err
			}
		}
		return &ContactReply{Thread: t, Message: m}, relay(all, c, t, m, to)
	})
}

// ReportContactMessage files a HARASSMENT report about a message the viewer
// received in a contact thread, linking the message so that the
// community's staff read it through the report.
func (r *Runner) ReportContactMessage(ctx context.Context, messageID pulid.ID, description string) (*ent.Report, error) {
	return act(ctx, r, "report contact message", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Report, error) {
		if err := noTokens(v); err != nil {
			return nil, err
		}
		if err := ref.Typed("message", messageID, "cms", "a contact message"); err != nil {
			return nil, err
		}
		m, err := c.ContactMessage.Query().Where(contactmessage.ID(messageID), contactmessage.HasThreadWith(authz.ContactThreadVisible(v))).
			WithThread().Only(ctx)
		if err != nil {
			return nil, notFound(err, "contact message")
		}
		if m.AuthorID == v.UserID {
			return nil, apierror.Invalid("message", "you wrote this message; report a message you received")
		}
		all := authz.Unfiltered(ctx)
		com, err := c.Community.Get(all, m.Edges.Thread.CommunityID)
		if err != nil {
			return nil, err
		}
		desc, err := checkText("description", description, 20000)
		if err != nil {
			return nil, err
		}
		if len([]rune(desc)) < 10 {
			return nil, apierror.Invalid("description", "description must say what is wrong (at least 10 characters)")
		}
		rep, err := c.Report.Create().SetCommunityID(com.ID).SetReporterID(v.UserID).SetKind(report.KindHARASSMENT).
			SetDescription(desc).SetOccurredAt(m.CreatedAt).SetSubjectUserID(m.AuthorID).SetContactMessageID(m.ID).
			SetNillableRespondBy(policy.ReportRespondBy(now, com.Policy.ReportResponseHours)).Save(ctx)
		if err != nil {
			return nil, err
		}
		return rep, tellStaffOfReport(all, c, rep, letters.KindReportReceived, string(rep.ID), true)
	})
}

// ContactThreads is a page of the threads the viewer is a side of, oldest
// first; empty for anyone not signed in and for API tokens.
func ContactThreads(ctx context.Context, c *ent.Client, after *entgql.Cursor[pulid.ID], first *int) (*ent.ContactThreadConnection, error) {
	return c.ContactThread.Query().Paginate(ctx, after, first, nil, nil)
}

// CounterpartEmails is, for each of the revealed threads among ids that
// the viewer is a side of, the other side's email: the replying
// ambassador's or organizer's for the sender, the sender's for a receiver.
// Threads not yet revealed, or not the viewer's, have no entry. Three
// queries, however many threads.
func CounterpartEmails(ctx context.Context, c *ent.Client, ids []pulid.ID) (map[pulid.ID]string, error) {
	v := viewer.FromContext(ctx)
	out := map[pulid.ID]string{}
	if !v.IsUser() || v.ViaToken() {
		return out, nil
	}
	// Read through the privacy rule: only the viewer's threads.
	threads, err := c.ContactThread.Query().Where(contactthread.IDIn(ids...), contactthread.RevealedAtNotNil()).All(ctx)
	if err != nil || len(threads) == 0 {
		return out, err
	}
	all := authz.Unfiltered(ctx)
	var groupThreads []pulid.ID
	for _, t := range threads {
		if t.SenderID == v.UserID && t.RecipientID == "" {
			groupThreads = append(groupThreads, t.ID)
		}
	}
	// For the sender of a thread to a group, the counterpart is the
	// organizer who answered first.
	firstAnswer := map[pulid.ID]pulid.ID{}
	if len(groupThreads) > 0 {
		msgs, err := c.ContactMessage.Query().Where(contactmessage.ThreadIDIn(groupThreads...), contactmessage.AuthorIDNEQ(v.UserID)).
			Order(ent.Asc(contactmessage.FieldCreatedAt), ent.Asc(contactmessage.FieldID)).All(all)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if _, ok := firstAnswer[m.ThreadID]; !ok {
				firstAnswer[m.ThreadID] = m.AuthorID
			}
		}
	}
	who := map[pulid.ID]pulid.ID{}
	var people []pulid.ID
	for _, t := range threads {
		other := t.SenderID
		if t.SenderID == v.UserID {
			other = t.RecipientID
			if other == "" {
				other = firstAnswer[t.ID]
			}
		}
		if other != "" {
			who[t.ID] = other
			people = append(people, other)
		}
	}
	contacts, err := c.Contact.Query().Where(contact.UserIDIn(people...)).All(all)
	if err != nil {
		return nil, err
	}
	email := map[pulid.ID]string{}
	for _, x := range contacts {
		email[x.UserID] = x.Email
	}
	for t, u := range who {
		if e, ok := email[u]; ok {
			out[t] = e
		}
	}
	return out, nil
}
