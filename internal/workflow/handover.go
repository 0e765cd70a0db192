package workflow

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
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
func (r *Runner) SetShippingAddress(ctx context.Context, in ShippingInput) (*ent.ShippingAddress, error) {
	return act(ctx, r, "set shipping address", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.ShippingAddress, error) {
		a, err := in.check()
		if err != nil {
			return nil, err
		}
		// One row per person: a second call replaces the first, also when two
		// calls race (the user_id column is unique).
		id, err := c.ShippingAddress.Create().SetUserID(v.UserID).SetRecipientName(a.RecipientName).
			SetAddress(strings.Join(a.StreetLines, "\n")).SetCity(a.City).SetRegion(a.Region).SetPostalCode(a.PostalCode).
			SetCountry(a.Country).SetPhone(a.Phone).
			OnConflictColumns(shippingaddress.FieldUserID).UpdateNewValues().ID(ctx)
		if err != nil {
			return nil, err
		}
		return c.ShippingAddress.Get(ctx, id)
	})
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
		return "", apierror.Invalid("logoURL", "must be the https address of the logo: %s", err)
	}
	if u, _ := url.Parse(s); u.Scheme != "https" {
		return "", apierror.Invalid("logoURL", "must be an https address")
	}
	return s, nil
}

// MessageTemplate is a message's wording in use, as staff see it.
type MessageTemplate = letters.Template

// SetMessageTemplate changes (or, with an empty subject and body, resets)
// the community's wording of one kind of message in one language. Staff
// only; a template that does not parse or render against the kind's sample
// data is refused (BAD_USER_INPUT naming subject or body) and nothing is stored.
func (r *Runner) SetMessageTemplate(ctx context.Context, communityID pulid.ID, t MessageTemplate) (MessageTemplate, error) {
	return act(ctx, r, "set message template", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (MessageTemplate, error) {
		// Locked: two staff editing different letters at once must not drop
		// each other's change to the one JSON column.
		com, err := lockCommunityForStaff(ctx, c, v, communityID, "letters")
		if err != nil {
			return MessageTemplate{}, err
		}
		stored, err := letters.Set(com.MessageTemplates, t)
		var fe *letters.FieldError
		if errors.As(err, &fe) {
			return MessageTemplate{}, apierror.Invalid(fe.Field, "%s", fe.Reason)
		}
		if err != nil {
			return MessageTemplate{}, err
		}
		if err := c.Community.UpdateOneID(com.ID).SetMessageTemplates(stored).Exec(ctx); err != nil {
			return MessageTemplate{}, err
		}
		return letters.Effective(stored, t.Kind, t.Language)
	})
}

// MessageTemplates lists the wording in use of every kind of message of a
// community in every language (or only those of kind and lang when given),
// for its staff; others get an empty list.
func MessageTemplates(ctx context.Context, com *ent.Community, kind *letters.Kind, lang *letters.Language) ([]MessageTemplate, error) {
	v := viewer.FromContext(ctx)
	if !v.IsStaff(com.ID) {
		return nil, nil
	}
	out := []MessageTemplate{}
	for _, k := range letters.Kinds() {
		if kind != nil && *kind != k {
			continue
		}
		for _, l := range letters.Languages {
			if lang != nil && *lang != l {
				continue
			}
			t, err := letters.Effective(com.MessageTemplates, k, l)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// check validates an address field by field and returns it trimmed.
func (in ShippingInput) check() (ShippingInput, error) {
	var out ShippingInput
	var err error
	if out.RecipientName, err = checkText("recipientName", in.RecipientName, 100); err != nil {
		return out, err
	}
	for _, l := range in.StreetLines {
		if l = strings.TrimSpace(l); l != "" {
			out.StreetLines = append(out.StreetLines, l)
		}
	}
	if len(out.StreetLines) == 0 || len(out.StreetLines) > 3 {
		return out, apierror.Invalid("streetLines", "give one to three street lines")
	}
	for _, l := range out.StreetLines {
		if utf8.RuneCountInString(l) > 100 || strings.ContainsAny(l, "\r\n") {
			return out, apierror.Invalid("streetLines", "each street line is one line of at most 100 characters")
		}
	}
	if out.City, err = checkText("city", in.City, 100); err != nil {
		return out, err
	}
	out.Region, out.PostalCode = strings.TrimSpace(in.Region), strings.TrimSpace(in.PostalCode)
	if utf8.RuneCountInString(out.Region) > 100 {
		return out, apierror.Invalid("region", "at most 100 characters")
	}
	if utf8.RuneCountInString(out.PostalCode) > 20 {
		return out, apierror.Invalid("postalCode", "at most 20 characters")
	}
	out.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	if err := policy.ValidateCountry(out.Country); err != nil {
		return out, apierror.Invalid("country", "%s", err)
	}
	out.Phone = strings.TrimSpace(in.Phone)
	if err := policy.ValidatePhone(out.Phone); err != nil {
		return out, apierror.Invalid("phone", "%s", err)
	}
	return out, nil
}
