package workflow

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contact"
	"github.com/usergroups/usergroups/ent/organization"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// ProfileUpdate is a change to the viewer's own public profile: a nil
// field keeps its value, an empty string clears an optional one (the name
// cannot be cleared), and a non-nil list replaces the stored one.
type ProfileUpdate struct {
	Name, Bio, AvatarURL, Affiliation, City, Country *string
	// Organization names the organization the person works for ("" clears it).
	Organization *pulid.ID
	Languages    []string
	Links        []schematype.Link
	// Consents to be shown on the community's public pages.
	ShowcaseConsent, PhotoConsent, LedgerPublic *bool
}

// UpdateProfile changes the viewer's own profile and consents. Every value
// given is checked first, and a refusal names its input field; consents
// take effect at once on what the public pages show.
func (r *Runner) UpdateProfile(ctx context.Context, in ProfileUpdate) (*ent.User, error) {
	return act(ctx, r, "update profile", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.User, error) {
		u := c.User.UpdateOneID(v.UserID)
		if in.Name != nil {
			name, err := checkText("name", *in.Name, 100)
			if err != nil {
				return nil, err
			}
			u.SetName(name)
		}
		texts := []struct {
			field string
			v     *string
			max   int
			set   func(string) *ent.UserUpdateOne
			clear func() *ent.UserUpdateOne
			check func(string) error
		}{
			{"bio", in.Bio, 2000, u.SetBio, u.ClearBio, nil},
			{"avatarURL", in.AvatarURL, 2048, u.SetAvatarURL, u.ClearAvatarURL, policy.ValidateURL},
			{"affiliation", in.Affiliation, 200, u.SetAffiliation, u.ClearAffiliation, nil},
			{"city", in.City, 100, u.SetCity, u.ClearCity, nil},
			{"country", in.Country, 2, u.SetCountry, u.ClearCountry, policy.ValidateCountry},
		}
		for _, f := range texts {
			if f.v == nil {
				continue
			}
			s := strings.TrimSpace(*f.v)
			if f.field == "country" {
				s = strings.ToUpper(s)
			}
			switch {
			case s == "":
				f.clear()
				continue
			case utf8.RuneCountInString(s) > f.max:
				return nil, apierror.Invalid(f.field, "%s must be at most %d characters", f.field, f.max)
			}
			if f.check != nil {
				if err := f.check(s); err != nil {
					return nil, apierror.Invalid(f.field, "%s %v", f.field, err)
				}
			}
			f.set(s)
		}
		if in.Organization != nil {
			if *in.Organization == "" {
				u.ClearOrganizationID()
			} else {
				ok, err := c.Organization.Query().Where(organization.ID(*in.Organization)).Exist(authz.Unfiltered(ctx))
				if err != nil {
					return nil, err
				}
				if !ok {
					nf := apierror.NotFoundf("no organization with that id")
					nf.Field = "organization"
					return nil, nf
				}
				u.SetOrganizationID(*in.Organization)
			}
		}
		if in.Languages != nil {
			if err := policy.CheckLanguages(in.Languages); err != nil {
				return nil, err
			}
			u.SetLanguages(in.Languages)
		}
		if in.Links != nil {
			pl := make([]policy.ProfileLink, len(in.Links))
			links := make([]schematype.Link, len(in.Links))
			for i, l := range in.Links {
				pl[i] = policy.ProfileLink{Label: l.Label, URL: strings.TrimSpace(l.URL)}
				links[i] = schematype.Link{Label: strings.TrimSpace(l.Label), URL: strings.TrimSpace(l.URL)}
			}
			if err := policy.CheckProfileLinks(pl); err != nil {
				return nil, err
			}
			u.SetLinks(links)
		}
		if in.ShowcaseConsent != nil {
			u.SetShowcaseConsent(*in.ShowcaseConsent)
		}
		if in.PhotoConsent != nil {
			u.SetPhotoConsent(*in.PhotoConsent)
		}
		if in.LedgerPublic != nil {
			u.SetLedgerPublic(*in.LedgerPublic)
		}
		if err := u.Exec(ctx); err != nil {
			return nil, err
		}
		return c.User.Get(ctx, v.UserID)
	})
}

// ContactInput is the viewer's private contact details, set as a whole:
// a phone or chat handle left out is cleared.
type ContactInput struct {
	Email     string
	Phone     *string
	Messaging *string
}

// SetContact creates or replaces the viewer's own private contact row.
// An email address belongs to one person: one already given by someone
// else is a CONFLICT. The row stays private (authz.ContactPolicy).
func (r *Runner) SetContact(ctx context.Context, in ContactInput) (*ent.Contact, error) {
	return act(ctx, r, "set contact", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Contact, error) {
		email := strings.TrimSpace(in.Email)
		if err := policy.ValidateEmail(email); err != nil {
			return nil, apierror.Invalid("email", "email %v", err)
		}
		phone := strings.TrimSpace(textOf(in.Phone))
		if phone != "" {
			if err := policy.ValidatePhone(phone); err != nil {
				return nil, apierror.Invalid("phone", "phone %v", err)
			}
		}
		messaging := strings.TrimSpace(textOf(in.Messaging))
		if utf8.RuneCountInString(messaging) > 100 {
			return nil, apierror.Invalid("messaging", "messaging must be at most 100 characters")
		}
		taken, err := c.Contact.Query().Where(contact.EmailEqualFold(email), contact.UserIDNEQ(v.UserID)).Exist(authz.Unfiltered(ctx))
		if err != nil {
			return nil, err
		}
		if taken {
			cf := apierror.Conflictf("that email address is already given by another person")
			cf.Field = "email"
			return nil, cf
		}
		// One row per person: a second call replaces the first, also when
		// two calls race (the user_id column is unique).
		cc := c.Contact.Create().SetUserID(v.UserID).SetEmail(email).SetMessaging(messaging)
		if phone != "" {
			cc.SetPhone(phone)
		}
		// A new address is a fresh start: the old one's bounce goes with it.
		old, err := c.Contact.Query().Where(contact.UserID(v.UserID)).Only(authz.Unfiltered(ctx))
		if err != nil && !ent.IsNotFound(err) {
			return nil, err
		}
		changed := old == nil || !strings.EqualFold(old.Email, email)
		id, err := cc.OnConflictColumns(contact.FieldUserID).UpdateNewValues().Update(func(u *ent.ContactUpsert) {
			if phone == "" {
				u.ClearPhone()
			}
			if changed {
				u.ClearEmailBouncedAt()
				u.ClearEmailBounceReason()
			}
		}).ID(ctx)
		if err != nil {
			return nil, err
		}
		return c.Contact.Get(ctx, id)
	})
}

// textOf is the text p points to, or "" when it was left out.
func textOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
