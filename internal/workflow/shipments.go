package workflow

import (
	"context"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/shipment"
	"github.com/usergroups/usergroups/ent/shippingaddress"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/letters"
)

// ReasonNoAddress is extensions.reason of the refusal to mark a parcel
// shipped to a person who gave no shipping address.
const ReasonNoAddress = "NO_ADDRESS"

// ShipmentSent is what staff record when a parcel leaves.
type ShipmentSent struct {
	Shipment     pulid.ID
	Carrier      *string
	TrackingCode *string
}

// MarkShipmentShipped records that a parcel a community owed a person was
// sent (its staff only), with the courier and tracking code when known,
// and tells the person. A parcel goes to an address: without the person's
// shipping address it is refused (CONFLICT, reason NO_ADDRESS); a parcel
// is sent once (CONFLICT, status SHIPPED).
func (r *Runner) MarkShipmentShipped(ctx context.Context, in ShipmentSent) (*ent.Shipment, error) {
	return act(ctx, r, "mark shipment shipped", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Shipment, error) {
		all := authz.Unfiltered(ctx)
		q := c.Shipment.Query().Where(shipment.ID(in.Shipment))
		q.Modify(forUpdate)
		s, err := q.Only(ctx)
		if err != nil {
			return nil, notFound(err, "shipment")
		}
		if !v.IsStaff(s.CommunityID) {
			return nil, apierror.Forbiddenf("only the community's staff send its parcels")
		}
		if s.Status == shipment.StatusSHIPPED {
			return nil, statusConflict(s.Status, "the parcel was already marked shipped")
		}
		carrier, tracking := shipmentText(in.Carrier), shipmentText(in.TrackingCode)
		for field, val := range map[string]string{"carrier": carrier, "trackingCode": tracking} {
			if len([]rune(val)) > 100 {
				return nil, apierror.Invalid(field, "%s must be at most 100 characters", field)
			}
		}
		has, err := c.ShippingAddress.Query().Where(shippingaddress.UserID(s.UserID)).Exist(all)
		if err != nil {
			return nil, err
		}
		if !has {
			e := apierror.Conflictf("the person has not given a shipping address yet (setShippingAddress); ask them for one")
			e.Extensions = map[string]any{"reason": ReasonNoAddress}
			return nil, e
		}
		s, err = c.Shipment.UpdateOneID(s.ID).SetStatus(shipment.StatusSHIPPED).SetShippedAt(now).SetShippedByID(v.UserID).
			SetCarrier(carrier).SetTrackingCode(tracking).Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := queueMessage(ctx, c, s.CommunityID, s.UserID, letters.KindShipmentSent, letters.ShipmentSent{
			Souvenir: s.Kind == shipment.KindSOUVENIR, Carrier: carrier, Tracking: tracking}, string(s.ID)); err != nil {
			return nil, err
		}
		return s, nil
	})
}

func shipmentText(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

// oweSouvenir owes a new member the community's souvenir where its policy
// gives one, once per membership (see joined).
func oweSouvenir(ctx context.Context, c *ent.Client, ro *ent.Role, com *ent.Community) error {
	if !com.Policy.JoinSouvenir {
		return nil
	}
	return c.Shipment.Create().SetCommunityID(com.ID).SetUserID(ro.UserID).SetRoleID(ro.ID).
		SetKind(shipment.KindSOUVENIR).SetDedupeKey("souvenir:" + string(ro.ID)).Exec(ctx)
}

// UserCaseShortlisting is staff shortlisting a user case for a summit.
type UserCaseShortlisting struct {
	Contribution pulid.ID
	Year         int
}

// ShortlistUserCase shortlists a verified user case for the community's
// annual summit of a year (its staff only).
func (r *Runner) ShortlistUserCase(ctx context.Context, in UserCaseShortlisting) (*ent.Contribution, error) {
	return act(ctx, r, "shortlist user case", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Contribution, error) {
		if in.Year < 2000 || in.Year > 2200 {
			return nil, apierror.Invalid("year", "year must be between 2000 and 2200")
		}
		ct, err := userCaseForStaff(ctx, c, v, in.Contribution)
		if err != nil {
			return nil, err
		}
		return c.Contribution.UpdateOneID(ct.ID).SetShortlistedYear(in.Year).Save(ctx)
	})
}

// UnshortlistUserCase takes a user case off the summit shortlist (staff).
func (r *Runner) UnshortlistUserCase(ctx context.Context, id pulid.ID) (*ent.Contribution, error) {
	return act(ctx, r, "unshortlist user case", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Contribution, error) {
		ct, err := userCaseForStaff(ctx, c, v, id)
		if err != nil {
			return nil, err
		}
		return c.Contribution.UpdateOneID(ct.ID).ClearShortlistedYear().Save(ctx)
	})
}

// userCaseForStaff loads a contribution the viewer may see and refuses
// anyone but its community's staff and anything but a verified user case.
func userCaseForStaff(ctx context.Context, c *ent.Client, v *viewer.Viewer, id pulid.ID) (*ent.Contribution, error) {
	ct, err := c.Contribution.Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "contribution")
	}
	if !v.IsStaff(ct.CommunityID) {
		return nil, apierror.Forbiddenf("only the community's staff shortlist user cases for its summit")
	}
	if ct.Kind != contribution.KindUSER_CASE {
		return nil, apierror.Invalid("id", "only a user case can be shortlisted for the summit (this is %s)", ct.Kind)
	}
	if ct.Status != contribution.StatusVERIFIED {
		return nil, statusConflict(ct.Status, "only a verified user case can be shortlisted (this one is %s)", ct.Status)
	}
	return ct, nil
}

// SummitShortlist is the user cases shortlisted for a community's summit
// of a year, oldest first, as the viewer may see them (a ledger is public
// only with its owner's consent).
func SummitShortlist(ctx context.Context, c *ent.Client, communityRef pulid.ID, year int) ([]*ent.Contribution, error) {
	id, err := ref.Community(ctx, c, "community", communityRef)
	if err != nil {
		return nil, err
	}
	return c.Contribution.Query().Where(contribution.CommunityID(id), contribution.ShortlistedYear(year),
		contribution.KindEQ(contribution.KindUSER_CASE), contribution.StatusEQ(contribution.StatusVERIFIED)).
		Order(ent.Asc(contribution.FieldOccurredOn), ent.Asc(contribution.FieldID)).All(ctx)
}

// ShipmentAddress is the address a parcel goes to, as the viewer may see
// it (the person and staff; see authz.ShippingAddressVisible), or nil.
func ShipmentAddress(ctx context.Context, c *ent.Client, s *ent.Shipment) (*ent.ShippingAddress, error) {
	// By the shipment's id: the row a resolver holds may lack its user_id.
	a, err := c.ShippingAddress.Query().Where(shippingaddress.HasUserWith(user.HasShipmentsWith(shipment.ID(s.ID)))).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return a, err
}
