package workflow

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/ent/shippingaddress"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// ShippingInput is where a person's swag kit goes.
type ShippingInput struct {
	RecipientName                   string
	StreetLines                     []string
	City, Region, PostalCode, Phone string
	Country                         string
}

// SetShippingAddress gives or replaces the viewer's own shipping address.
// The row is private (authz.ShippingAddressPolicy): the person and staff of
// the communities they take part in read it.
func SetShippingAddress(ctx context.Context, c *ent.Client, in ShippingInput) (*ent.ShippingAddress, error) {
	v, err := requireWriter(ctx)
	if err != nil {
		return nil, err
	}
	name, err := checkText("recipientName", in.RecipientName, 100)
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, l := range in.StreetLines {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 || len(lines) > 3 {
		return nil, apierror.Invalid("streetLines", "give one to three street lines")
	}
	for _, l := range lines {
		if utf8.RuneCountInString(l) > 100 || strings.ContainsAny(l, "\r\n") {
			return nil, apierror.Invalid("streetLines", "each street line is one line of at most 100 characters")
		}
	}
	city, err := checkText("city", in.City, 100)
	if err != nil {
		return nil, err
	}
	region, postal := strings.TrimSpace(in.Region), strings.TrimSpace(in.PostalCode)
	if utf8.RuneCountInString(region) > 100 {
		return nil, apierror.Invalid("region", "at most 100 characters")
	}
	if utf8.RuneCountInString(postal) > 20 {
		return nil, apierror.Invalid("postalCode", "at most 20 characters")
	}
	country := strings.ToUpper(strings.TrimSpace(in.Country))
	if err := policy.ValidateCountry(country); err != nil {
		return nil, apierror.Invalid("country", "%s", err)
	}
	phone := strings.TrimSpace(in.Phone)
	if err := policy.ValidatePhone(phone); err != nil {
		return nil, apierror.Invalid("phone", "%s", err)
	}
	// One row per person: a second call replaces the first, also when two
	// calls race (the user_id column is unique).
	id, err := c.ShippingAddress.Create().SetUserID(v.UserID).SetRecipientName(name).
		SetAddress(strings.Join(lines, "\n")).SetCity(city).SetRegion(region).SetPostalCode(postal).
		SetCountry(country).SetPhone(phone).
		OnConflictColumns(shippingaddress.FieldUserID).UpdateNewValues().ID(ctx)
	if err != nil {
		return nil, err
	}
	return c.ShippingAddress.Get(ctx, id)
}

// completeAddress is an address the courier can use: given through
// SetShippingAddress, or older rows that carry a country and a phone.
func completeAddress(a *ent.ShippingAddress) bool {
	return a.Country != "" && a.Phone != "" && strings.TrimSpace(a.Address) != ""
}

// checkLogoURL accepts the https address of a received logo (pack).
func checkLogoURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if err := policy.ValidateURL(s); err != nil {
		return "", apierror.Invalid("logoUrl", "must be the https address of the logo: %s", err)
	}
	if u, _ := url.Parse(s); u.Scheme != "https" {
		return "", apierror.Invalid("logoUrl", "must be an https address")
	}
	return s, nil
}

// queueLetter renders a community's letter of kind once and queues it as
// one message to all recipients together, so a group's leaders get one
// letter they all see, and a retried step does not queue it twice.
func queueLetter(ctx context.Context, c *ent.Client, com *ent.Community, kind string, d letters.Data, to []pulid.ID, dedupe string) error {
	if len(to) == 0 {
		return nil
	}
	l, err := letters.Render(com.MessageTemplates, kind, "en", d)
	if err != nil {
		return err
	}
	return c.Message.Create().SetCommunityID(com.ID).SetRecipientIds(to).SetTemplate(kind).
		SetSubject(l.Subject).SetBody(l.Body).SetDedupeKey(kind + ":" + dedupe).Exec(ctx)
}

// MessageTemplate is a letter's wording in use, as staff see it.
type MessageTemplate = letters.Template

// SetMessageTemplate changes (or, with an empty subject and body, resets)
// the community's wording of one letter. Staff only; a template that does
// not parse or render against sample data is refused.
func SetMessageTemplate(ctx context.Context, c *ent.Client, communityID pulid.ID, t schematype.MessageTemplate) (MessageTemplate, error) {
	v, err := requireWriter(ctx)
	if err != nil {
		return MessageTemplate{}, err
	}
	// Locked: two staff editing different letters at once must not drop
	// each other's change to the one JSON column.
	q := c.Community.Query().Where(community.ID(communityID))
	q.Modify(forUpdate)
	com, err := q.Only(bookkeeping(ctx))
	if ent.IsNotFound(err) {
		return MessageTemplate{}, apierror.NotFoundf("no community with that id")
	}
	if err != nil {
		return MessageTemplate{}, err
	}
	if !v.IsStaff(com.ID) {
		return MessageTemplate{}, apierror.Forbiddenf("only the community's staff may change its letters")
	}
	stored, err := letters.Set(com.MessageTemplates, t)
	var fe *letters.FieldError
	if errors.As(err, &fe) {
		return MessageTemplate{}, apierror.Invalid(fe.Field, "%s", fe.Reason)
	}
	if err != nil {
		return MessageTemplate{}, err
	}
	if err := c.Community.UpdateOneID(com.ID).SetMessageTemplates(stored).Exec(bookkeeping(ctx)); err != nil {
		return MessageTemplate{}, err
	}
	return letters.Effective(stored, t.Kind, t.Language)
}

// MessageTemplates lists the wording of every letter of a community in
// every language, for its staff; others get an empty list.
func MessageTemplates(ctx context.Context, com *ent.Community) ([]MessageTemplate, error) {
	v := viewer.FromContext(ctx)
	if !v.IsStaff(com.ID) {
		return nil, nil
	}
	var out []MessageTemplate
	for _, k := range letters.Kinds() {
		for _, l := range letters.Languages {
			t, err := letters.Effective(com.MessageTemplates, k, l)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
	}
	return out, nil
}
