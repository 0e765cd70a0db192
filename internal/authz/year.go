package authz

import (
	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/awardnomination"
	"github.com/usergroups/usergroups/ent/certificate"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/privacy"
	"github.com/usergroups/usergroups/ent/shipment"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/viewer"
)

// ContributionVisible is the contributions v may see: verified ones of
// people who made their ledger public, the viewer's own, those the viewer
// reviews (organizers and ambassadors of the group credited) and those of
// the communities v manages. How many a person has is public either way;
// resolvers count those without this filter.
func ContributionVisible(v *viewer.Viewer) predicate.Contribution {
	return contribution.Or(
		contribution.And(contribution.StatusEQ(contribution.StatusVERIFIED), contribution.HasUserWith(user.LedgerPublic(true))),
		contribution.UserID(v.UserID),
		contribution.GroupIDIn(v.OrganizerGroups()...),
		contribution.GroupIDIn(v.AmbassadorGroups()...),
		contribution.CommunityIDIn(v.StaffCommunities()...),
	)
}

// ContributionPolicy: a member's ledger is public only with their consent
// (User.ledgerPublic); see ContributionVisible.
func ContributionPolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowed[*ent.ContributionQuery](ContributionVisible),
		Mutation: writes(),
	}
}

// AwardSelectionPolicy: that a community selects outstanding members for a
// year is public; the tally and nominations have rules of their own.
func AwardSelectionPolicy() ent.Policy { return publicPolicy() }

// AwardNominationVisible is the nominations v may see: staff of the
// community and the organizers and ambassadors of the nominee's group.
func AwardNominationVisible(v *viewer.Viewer) predicate.AwardNomination {
	return awardnomination.Or(
		awardnomination.CommunityIDIn(v.StaffCommunities()...),
		awardnomination.GroupIDIn(v.OrganizerGroups()...),
		awardnomination.GroupIDIn(v.AmbassadorGroups()...),
	)
}

// AwardNominationPolicy: see AwardNominationVisible.
func AwardNominationPolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowed[*ent.AwardNominationQuery](AwardNominationVisible),
		Mutation: writes(),
	}
}

// ShipmentVisible is the shipments v may see: their own and those of the
// communities v manages.
func ShipmentVisible(v *viewer.Viewer) predicate.Shipment {
	return shipment.Or(shipment.UserID(v.UserID), shipment.CommunityIDIn(v.StaffCommunities()...))
}

// ShipmentPolicy: see ShipmentVisible.
func ShipmentPolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowed[*ent.ShipmentQuery](ShipmentVisible),
		Mutation: writes(),
	}
}

// CertificateVisible is the certificates v may see: their own and those of
// the communities v manages. Anyone holding a code verifies it through the
// public endpoint, which shows only what the certificate states.
func CertificateVisible(v *viewer.Viewer) predicate.Certificate {
	return certificate.Or(certificate.UserID(v.UserID), certificate.CommunityIDIn(v.StaffCommunities()...))
}

// CertificatePolicy: see CertificateVisible.
func CertificatePolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowed[*ent.CertificateQuery](CertificateVisible),
		Mutation: writes(),
	}
}
