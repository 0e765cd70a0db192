package workflow

import (
	"context"

	"entgo.io/contrib/entgql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contact"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Outbox is a community's outbox, newest first, optionally of one status:
// for its staff (and admins), never through an API token, FORBIDDEN for
// anyone else. Confidential messages are left out for staff (see
// authz.MessageVisible).
func Outbox(ctx context.Context, c *ent.Client, communityRef pulid.ID, status *message.Status, after *entgql.Cursor[pulid.ID], first *int) (*ent.MessageConnection, error) {
	comID, err := ref.Community(ctx, c, "community", communityRef)
	if err != nil {
		return nil, err
	}
	v := viewer.FromContext(ctx)
	if v.ViaToken() || !(v.IsStaff(comID) || v.IsAdmin()) {
		return nil, apierror.Forbiddenf("only the community's staff read its outbox")
	}
	q := c.Message.Query().Where(message.CommunityID(comID))
	if status != nil {
		q = q.Where(message.StatusEQ(*status))
	}
	// Ids are ULIDs: by id descending is newest first, and a stable cursor.
	return q.Paginate(ctx, after, first, nil, nil, ent.WithMessageOrder(&ent.MessageOrder{
		Field: ent.DefaultMessageOrder.Field, Direction: entgql.OrderDirectionDesc}))
}

// MessageText is what the outbox shows of a message's subject and body:
// nothing (nil) of a confidential one, whoever reads it.
func MessageText(m *ent.Message) (subject, body *string) {
	if authz.ConfidentialMessage(m.Template) {
		return nil, nil
	}
	return &m.Subject, &m.Body
}

// MessageRecipients is the people a message goes to, as public profiles;
// a letter to an address (a mailing list) has none.
func MessageRecipients(ctx context.Context, c *ent.Client, m *ent.Message) ([]*ent.User, error) {
	ids := m.RecipientIds
	if m.RecipientID != "" {
		ids = []pulid.ID{m.RecipientID}
	}
	if len(ids) == 0 {
		return []*ent.User{}, nil
	}
	return c.User.Query().Where(user.IDIn(ids...)).Order(ent.Asc(user.FieldHandle)).All(ctx)
}

// EmailBounce is the person's address row when the viewer may read its
// bounce state (the person, or staff of a community they take part in)
// and it bounces; nil otherwise.
func EmailBounce(ctx context.Context, c *ent.Client, userID pulid.ID) (*ent.Contact, error) {
	v := viewer.FromContext(ctx)
	if !v.IsUser() && !v.IsSystem() {
		return nil, nil
	}
	ct, err := c.Contact.Query().Where(contact.UserID(userID), contact.EmailBouncedAtNotNil(),
		authz.EmailBounceVisible(v)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return ct, err
}
