package authz

import (
	"slices"
	"strings"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/agendaitem"
	"github.com/usergroups/usergroups/ent/apitoken"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/contact"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/invite"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/privacy"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/shippingaddress"
	"github.com/usergroups/usergroups/ent/sponsor"
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

// PersonalVisible matches the people whose private details v may read: v
// and the people of the communities v manages (as for shipping addresses).
func PersonalVisible(v *viewer.Viewer) predicate.User { return personalTo(v) }

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
		Query:    narrowed[*ent.ContactQuery](ContactVisible),
		Mutation: writes(),
	}
}

// ShippingAddressPolicy: a person's postal address and phone are visible to
// the person and staff of a community they take part in.
func ShippingAddressPolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowed[*ent.ShippingAddressQuery](ShippingAddressVisible),
		Mutation: writes(),
	}
}

// RolePolicy: active and emeritus roles form the public rosters and the
// ambassador directory; pending, lapsed, left and removed ones are visible to
// the person, the group's organizers and staff.
func RolePolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowed[*ent.RoleQuery](RoleVisible),
		Mutation: writes(),
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
// whole community, and organizers for membership, organizer and funding
// requests of their group (a group's funding is its organizers' business:
// any of them files the report).
func ApplicationVisible(v *viewer.Viewer) predicate.Application {
	return application.Or(
		application.ApplicantID(v.UserID),
		application.MentorID(v.UserID),
		application.CommunityIDIn(v.StaffCommunities()...),
		application.CommunityIDIn(v.AmbassadorCommunities()...),
		application.RegionIDIn(v.AmbassadorRegions()...),
		application.GroupIDIn(v.AmbassadorGroups()...),
		application.And(
			application.KindIn(application.KindMEMBERSHIP, application.KindORGANIZER, application.KindFUNDING),
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
	case (a.Kind == application.KindMEMBERSHIP || a.Kind == application.KindORGANIZER || a.Kind == application.KindFUNDING) && has(v.OrganizerGroups(), a.GroupID):
		return true
	}
	return false
}

// ApplicationPolicy guards applications (see ApplicationVisible).
func ApplicationPolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowed[*ent.ApplicationQuery](ApplicationVisible),
		Mutation: writes(),
	}
}

// ReviewPolicy: a review is visible with its application.
func ReviewPolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowed[*ent.ReviewQuery](func(v *viewer.Viewer) predicate.Review {
			return review.HasApplicationWith(ApplicationVisible(v))
		}),
		Mutation: writes(),
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

// CanSeeEvent is EventVisible for one loaded row, without a query: live
// delivery checks each subscriber this way instead of loading the event
// once per subscriber. TestCanSeeEventAndRegistrationMatchPolicy holds the
// two to the same answers.
func CanSeeEvent(v *viewer.Viewer, e *ent.Event) bool {
	if v.IsSystem() || v.IsAdmin() {
		return true
	}
	has := func(ids []pulid.ID, id pulid.ID) bool { return id != "" && slices.Contains(ids, id) }
	published := e.Status != event.StatusDRAFT
	return published && e.Visibility == event.VisibilityPUBLIC ||
		published && has(v.MemberGroups(), e.GroupID) ||
		has(v.OrganizerGroups(), e.GroupID) ||
		has(v.StaffCommunities(), e.CommunityID)
}

// EventPolicy guards events (see EventVisible).
func EventPolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowed[*ent.EventQuery](EventVisible),
		Mutation: writes(),
	}
}

// AgendaItemPolicy: agendas are visible with their event.
func AgendaItemPolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowed[*ent.AgendaItemQuery](func(v *viewer.Viewer) predicate.AgendaItem {
			return agendaitem.HasEventWith(EventVisible(v))
		}),
		Mutation: writes(),
	}
}

// SponsorPolicy: sponsors are visible with their event.
func SponsorPolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowed[*ent.SponsorQuery](func(v *viewer.Viewer) predicate.Sponsor {
			return sponsor.HasEventWith(EventVisible(v))
		}),
		Mutation: writes(),
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
		Mutation: writes(),
	}
}

// CanSeeRegistration is RegistrationPolicy for one loaded row r of the
// event e (loaded with every column), without a query; see CanSeeEvent.
func CanSeeRegistration(v *viewer.Viewer, r *ent.Registration, e *ent.Event) bool {
	switch {
	case v.IsSystem():
		return true
	case v.ViaToken():
		return false
	case v.IsAdmin():
		return true
	}
	has := func(ids []pulid.ID, id pulid.ID) bool { return id != "" && slices.Contains(ids, id) }
	return v.UserID != "" && r.UserID == v.UserID ||
		r.EventID == e.ID && (has(v.OrganizerGroups(), e.GroupID) || has(v.StaffCommunities(), e.CommunityID))
}

// SubmissionPolicy: submissions are visible to their author, the
// community's staff and, for a group's submissions, its organizers; see
// SubmissionVisible for the ambassadors, the asker of an activity report
// and the public newsletter.
func SubmissionPolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowed[*ent.SubmissionQuery](SubmissionVisible),
		Mutation: writes(),
	}
}

// MessagePolicy: the outbox is read by the system, admins, and the staff
// of the sending community, never through an API token; see MessageVisible.
func MessagePolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowedNoTokens[*ent.MessageQuery](MessageVisible),
		Mutation: writes(),
	}
}

// MessageVisible is the outbox messages v may read: those of the
// communities v manages, except confidential ones (ConfidentialMessage),
// which even their existence would give away.
func MessageVisible(v *viewer.Viewer) predicate.Message {
	return message.And(
		message.CommunityIDIn(v.StaffCommunities()...),
		message.TemplateNEQ(contactRelayTemplate),
		message.Not(message.TemplateHasPrefix(reportTemplatePrefix)),
	)
}

// The templates of confidential messages: a relayed contact message (its
// thread's two sides only) and a code-of-conduct report's notices (the
// report's readers only; a staff member may be the report's subject).
const (
	contactRelayTemplate = "contact_message"
	reportTemplatePrefix = "report_"
)

// ConfidentialMessage tells whether messages of template are confidential:
// staff do not see them in the outbox, and nobody reads their subject or
// body there (admins see that they exist and how delivery went).
func ConfidentialMessage(template string) bool {
	return template == contactRelayTemplate || strings.HasPrefix(template, reportTemplatePrefix)
}

// EmailBounceVisible is the contact rows whose bounce state v may read:
// the person's own and those of people of a community v manages.
func EmailBounceVisible(v *viewer.Viewer) predicate.Contact {
	return contact.HasUserWith(personalTo(v))
}

// StepPruneChanges names the workflow step that deletes old change rows
// (--change-retention): the only step the change log's policy lets delete.
const StepPruneChanges = "prune change log"

// ChangePolicy: the change log is appended to by the workflow step whose
// writes it records (the change-log hook, credential changes), under that
// step's capability; nobody edits its rows, and only the pruning step
// (StepPruneChanges) deletes the oldest. It is read by the system, which
// re-checks visibility per subscriber, and by admins.
func ChangePolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowed[*ent.ChangeQuery](nothing[predicate.Change]),
		// The create rule is the one every entity's writes follow, so it
		// becomes "a workflow step only" with them.
		Mutation: privacy.MutationPolicy{
			privacy.OnMutationOperation(requireStep, ent.OpCreate),
			privacy.OnMutationOperation(requireStepNamed(StepPruneChanges), ent.OpDelete),
			privacy.AlwaysDenyRule(),
		},
	}
}

// AuditEntryPolicy: the audit trail is append-only and never pruned.
// Entries are created by the workflow step they record (an export, a
// revocation, a change of settings), in its transaction; nobody edits or
// deletes them, not even the system. Like the change log it once lived
// in, it is read by the system and by admins only.
func AuditEntryPolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowed[*ent.AuditEntryQuery](nothing[predicate.AuditEntry]),
		Mutation: privacy.MutationPolicy{
			privacy.OnMutationOperation(requireStep, ent.OpCreate),
			privacy.AlwaysDenyRule(),
		},
	}
}

// APITokenPolicy: people see their own tokens, and the tokens of the
// service accounts they see (ServiceAccountVisible), signed in. Who creates
// and revokes them is the workflow's rule: see workflow.CreateAPIToken and
// workflow.CreateServiceAccountToken.
func APITokenPolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowed[*ent.APITokenQuery](func(v *viewer.Viewer) predicate.APIToken {
			if v.ViaToken() {
				return apitoken.OwnerID(v.UserID)
			}
			return apitoken.Or(apitoken.OwnerID(v.UserID),
				apitoken.HasServiceAccountWith(ServiceAccountVisible(v)))
		}),
		Mutation: writes(),
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
		Mutation: writes(),
	}
}

// VoterPolicy: who voted is read by the system only (to refuse a second vote
// and answer viewerHasVoted for the voter); nobody reads the voter roll.
func VoterPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem, allowUnfiltered, privacy.AlwaysDenyRule()},
		Mutation: writes(),
	}
}
