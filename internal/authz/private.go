package authz

import (
	"context"
	"slices"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/agendaitem"
	"github.com/usergroups/usergroups/ent/apitoken"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/contact"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/invite"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/privacy"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/report"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/shippingaddress"
	"github.com/usergroups/usergroups/ent/sponsor"
	"github.com/usergroups/usergroups/ent/submission"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/viewer"
)

// liveRole is a role that still ties a person to its scope.
var liveRole = role.StatusIn(role.StatusPENDING, role.StatusACTIVE)

// staffOfUser matches people who take part in one of the communities v
// manages: a role there (in any status) or an application to it.
func staffOfUser(v *viewer.Viewer) predicate.User {
	staff := v.StaffCommunities()
	return user.Or(
		user.HasRolesWith(role.CommunityIDIn(staff...)),
		user.HasApplicationsWith(application.CommunityIDIn(staff...)),
	)
}

// personalTo matches the people whose private details v may read: v, the
// people of the communities v manages, and those more picks.
func personalTo(v *viewer.Viewer, more ...predicate.User) predicate.User {
	return user.Or(append([]predicate.User{user.ID(v.UserID), staffOfUser(v)}, more...)...)
}

// ContactVisible is the contacts v may see (see ContactPolicy).
func ContactVisible(v *viewer.Viewer) predicate.Contact {
	return contact.HasUserWith(personalTo(v, user.HasRolesWith(role.GroupIDIn(v.OrganizerGroups()...), liveRole)))
}

// ShippingAddressVisible is the shipping addresses v may see (see
// ShippingAddressPolicy).
func ShippingAddressVisible(v *viewer.Viewer) predicate.ShippingAddress {
	return shippingaddress.HasUserWith(personalTo(v))
}

// ContactPolicy: a person's email is visible to the person, staff of a
// community they take part in, and organizers of a group they belong to.
func ContactPolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowed[*ent.ContactQuery](ContactVisible),
		Mutation: defaultWrites(ownerOnly(func(m *ent.ContactMutation) (string, bool) {
			id, ok := m.UserID()
			return string(id), ok
		}, func(ctx context.Context, m *ent.ContactMutation) {
			m.Where(contact.UserID(viewer.FromContext(ctx).UserID))
		})),
	}
}

// ShippingAddressPolicy: a person's postal address and phone are visible to
// the person and staff of a community they take part in.
func ShippingAddressPolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowed[*ent.ShippingAddressQuery](ShippingAddressVisible),
		Mutation: defaultWrites(ownerOnly(func(m *ent.ShippingAddressMutation) (string, bool) {
			id, ok := m.UserID()
			return string(id), ok
		}, func(ctx context.Context, m *ent.ShippingAddressMutation) {
			m.Where(shippingaddress.UserID(viewer.FromContext(ctx).UserID))
		})),
	}
}

// ownerOnly lets a person create their own row and change only their own rows.
func ownerOnly[M interface {
	ent.Mutation
	*ent.ContactMutation | *ent.ShippingAddressMutation
}](owner func(M) (string, bool), restrict func(context.Context, M)) privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, em ent.Mutation) error {
		m, ok := em.(M)
		if !ok {
			return privacy.Skip
		}
		v := viewer.FromContext(ctx)
		if !v.IsUser() {
			return privacy.Skip
		}
		if m.Op().Is(ent.OpCreate) {
			if id, ok := owner(m); ok && id == string(v.UserID) {
				return privacy.Allow
			}
			return privacy.Skip
		}
		restrict(ctx, m)
		return privacy.Allow
	})
}

// RolePolicy: active and emeritus roles form the public rosters and the
// ambassador directory; pending, lapsed, left and removed ones are visible to
// the person, the group's organizers and staff.
func RolePolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowed[*ent.RoleQuery](RoleVisible),
		Mutation: defaultWrites(),
	}
}

// RoleVisible is the roles v may see.
func RoleVisible(v *viewer.Viewer) predicate.Role {
	return role.Or(
		role.StatusIn(role.StatusACTIVE, role.StatusEMERITUS, role.StatusTERM_ENDED),
		role.UserID(v.UserID),
		role.GroupIDIn(v.OrganizerGroups()...),
		role.CommunityIDIn(v.StaffCommunities()...),
	)
}

// ApplicationVisible is the applications v may see: their own, and those v
// reviews — staff of the community, ambassadors of its region, group or
// whole community, and organizers for membership and organizer requests to
// their group.
func ApplicationVisible(v *viewer.Viewer) predicate.Application {
	return application.Or(
		application.ApplicantID(v.UserID),
		application.MentorID(v.UserID),
		application.CommunityIDIn(v.StaffCommunities()...),
		application.CommunityIDIn(v.AmbassadorCommunities()...),
		application.RegionIDIn(v.AmbassadorRegions()...),
		application.GroupIDIn(v.AmbassadorGroups()...),
		application.And(
			application.KindIn(application.KindMEMBERSHIP, application.KindORGANIZER),
			application.GroupIDIn(v.OrganizerGroups()...),
		),
	)
}

// CanSeeApplication is ApplicationVisible for one loaded row, without a
// query: live delivery checks each subscriber this way instead of loading
// the application once per subscriber. TestCanSeeApplicationMatchesPolicy
// holds the two to the same answers. Empty ids never match, as NULL
// columns and an anonymous viewer's empty id match nothing in SQL.
func CanSeeApplication(v *viewer.Viewer, a *ent.Application) bool {
	if v.IsSystem() || v.IsAdmin() {
		return true
	}
	has := func(ids []pulid.ID, id pulid.ID) bool { return id != "" && slices.Contains(ids, id) }
	switch {
	case v.UserID != "" && (a.ApplicantID == v.UserID || a.MentorID == v.UserID):
		return true
	case has(v.StaffCommunities(), a.CommunityID), has(v.AmbassadorCommunities(), a.CommunityID):
		return true
	case has(v.AmbassadorRegions(), a.RegionID), has(v.AmbassadorGroups(), a.GroupID):
		return true
	case (a.Kind == application.KindMEMBERSHIP || a.Kind == application.KindORGANIZER) && has(v.OrganizerGroups(), a.GroupID):
		return true
	}
	return false
}

// ApplicationPolicy guards applications (see ApplicationVisible).
func ApplicationPolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowed[*ent.ApplicationQuery](ApplicationVisible),
		Mutation: defaultWrites(),
	}
}

// ReviewPolicy: a review is visible with its application.
func ReviewPolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowed[*ent.ReviewQuery](func(v *viewer.Viewer) predicate.Review {
			return review.HasApplicationWith(ApplicationVisible(v))
		}),
		Mutation: defaultWrites(),
	}
}

// EventVisible is the events v may see: published (or past) public events;
// members-only ones to the group's members; drafts to the group's organizers;
// all of them to staff.
func EventVisible(v *viewer.Viewer) predicate.Event {
	return event.Or(
		event.And(event.StatusNEQ(event.StatusDRAFT), event.VisibilityEQ(event.VisibilityPUBLIC)),
		event.And(event.StatusNEQ(event.StatusDRAFT), event.GroupIDIn(v.MemberGroups()...)),
		event.GroupIDIn(v.OrganizerGroups()...),
		event.CommunityIDIn(v.StaffCommunities()...),
	)
}

// EventPolicy guards events (see EventVisible).
func EventPolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowed[*ent.EventQuery](EventVisible),
		Mutation: defaultWrites(),
	}
}

// AgendaItemPolicy: agendas are visible with their event.
func AgendaItemPolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowed[*ent.AgendaItemQuery](func(v *viewer.Viewer) predicate.AgendaItem {
			return agendaitem.HasEventWith(EventVisible(v))
		}),
		Mutation: defaultWrites(),
	}
}

// SponsorPolicy: sponsors are visible with their event.
func SponsorPolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowed[*ent.SponsorQuery](func(v *viewer.Viewer) predicate.Sponsor {
			return sponsor.HasEventWith(EventVisible(v))
		}),
		Mutation: defaultWrites(),
	}
}

// RegistrationPolicy: a registration is visible to the registrant, the
// organizers of the event's group and staff — never to an API token,
// whoever owns it, since registration details are not for marketing.
func RegistrationPolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowedNoTokens[*ent.RegistrationQuery](func(v *viewer.Viewer) predicate.Registration {
			return registration.Or(
				registration.UserID(v.UserID),
				registration.HasEventWith(event.GroupIDIn(v.OrganizerGroups()...)),
				registration.HasEventWith(event.CommunityIDIn(v.StaffCommunities()...)),
			)
		}),
		Mutation: defaultWrites(),
	}
}

// ReportPolicy: confidential reports are visible to the reporter and the
// community's staff, never to an API token.
func ReportPolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowedNoTokens[*ent.ReportQuery](func(v *viewer.Viewer) predicate.Report {
			return report.Or(report.ReporterID(v.UserID), report.CommunityIDIn(v.StaffCommunities()...))
		}),
		Mutation: defaultWrites(),
	}
}

// SubmissionPolicy: submissions are visible to their author, the
// community's staff and, for a group's submissions, its organizers.
func SubmissionPolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowed[*ent.SubmissionQuery](func(v *viewer.Viewer) predicate.Submission {
			return submission.Or(
				submission.AuthorID(v.UserID),
				submission.CommunityIDIn(v.StaffCommunities()...),
				submission.GroupIDIn(v.OrganizerGroups()...),
			)
		}),
		Mutation: defaultWrites(),
	}
}

// MessagePolicy: the outbox is read and written by the system (and admins).
func MessagePolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowed[*ent.MessageQuery](nothing[predicate.Message]),
		Mutation: defaultWrites(),
	}
}

// ChangePolicy: the change log is append-only. Any write that passed its
// own entity's policy may append to it (the change-log hook does), nobody
// may edit or delete it; it is read by the system, which re-checks
// visibility per subscriber, and by admins.
func ChangePolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowed[*ent.ChangeQuery](nothing[predicate.Change]),
		Mutation: privacy.MutationPolicy{
			privacy.OnMutationOperation(privacy.MutationRuleFunc(func(context.Context, ent.Mutation) error {
				return privacy.Allow
			}), ent.OpCreate),
			privacy.AlwaysDenyRule(),
		},
	}
}

// APITokenPolicy: people see and revoke their own tokens. A token cannot
// mint or revoke tokens: that takes a signed-in person.
func APITokenPolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowed[*ent.APITokenQuery](func(v *viewer.Viewer) predicate.APIToken {
			return apitoken.OwnerID(v.UserID)
		}),
		Mutation: defaultWrites(privacy.APITokenMutationRuleFunc(func(ctx context.Context, m *ent.APITokenMutation) error {
			v := viewer.FromContext(ctx)
			if v.ViaToken() {
				return denyTokenScope("API tokens are managed by a signed-in person, not with an API token")
			}
			if !v.IsUser() {
				return privacy.Denyf("API tokens are managed by a signed-in person")
			}
			if m.Op().Is(ent.OpCreate) {
				if owner, ok := m.OwnerID(); ok && owner == v.UserID {
					return privacy.Allow
				}
				return privacy.Denyf("a token can only be created for yourself")
			}
			if m.Op().Is(ent.OpUpdate | ent.OpUpdateOne) {
				m.Where(apitoken.OwnerID(v.UserID))
				return privacy.Allow
			}
			return privacy.Skip
		})),
	}
}

// InvitePolicy: a group's invites (their codes are secrets) are visible to
// its organizers and the community's staff.
func InvitePolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowed[*ent.InviteQuery](func(v *viewer.Viewer) predicate.Invite {
			return invite.Or(
				invite.GroupIDIn(v.OrganizerGroups()...),
				invite.HasGroupWith(group.CommunityIDIn(v.StaffCommunities()...)),
			)
		}),
		Mutation: defaultWrites(),
	}
}

// VoterPolicy: who voted is read by the system only (to refuse a second vote
// and answer viewerHasVoted for the voter); nobody reads the voter roll.
func VoterPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem, allowUnfiltered, privacy.AlwaysDenyRule()},
		Mutation: defaultWrites(),
	}
}
