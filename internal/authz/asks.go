package authz

import (
	"slices"

	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/privacy"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/activityrequest"
	"github.com/usergroups/usergroups/ent/contactmessage"
	"github.com/usergroups/usergroups/ent/contactthread"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/region"
	"github.com/usergroups/usergroups/ent/report"
	"github.com/usergroups/usergroups/ent/reportreply"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/submission"
	"github.com/usergroups/usergroups/internal/viewer"
)

// What people ask of ambassadors, staff and groups: confidential reports,
// activity report requests, translation help, global efforts and relayed
// contact.

// ReportVisible is the reports v may read: those v filed, and every report
// of a community v manages (every community, for an admin) except one about
// v. The exception is what keeps a report of title misuse (or any report)
// from its subject even when the subject is staff or an admin.
func ReportVisible(v *viewer.Viewer) predicate.Report {
	notAboutV := report.Or(report.SubjectUserIDIsNil(), report.SubjectUserIDNEQ(v.UserID))
	staff := report.And(report.CommunityIDIn(v.StaffCommunities()...), notAboutV)
	if v.IsAdmin() {
		staff = notAboutV
	}
	return report.Or(report.ReporterID(v.UserID), staff)
}

// personal is narrowedNoTokens without its admin shortcut, for rows whose
// rule already says what an admin reads: reports and their replies (every
// report but one about them) and relayed correspondence (only their own).
func personal[Q query[Q, P], P ~func(*sql.Selector)](visible func(*viewer.Viewer) P) privacy.QueryPolicy {
	return privacy.QueryPolicy{allowSystem, allowUnfiltered, denyOutOfArea, narrow[Q](func(v *viewer.Viewer) P {
		if v.ViaToken() || !v.IsUser() {
			return nothing[P](v)
		}
		return visible(v)
	}), privacy.AlwaysDenyRule()}
}

// ReportPolicy: confidential reports are read by the reporter and the
// community's staff (see ReportVisible), never through an API token.
// Anonymous reporters read theirs by follow-up code, through a workflow
// read that checks the code.
func ReportPolicy() ent.Policy {
	return privacy.Policy{
		Query:    personal[*ent.ReportQuery](ReportVisible),
		Mutation: writes(),
	}
}

// ReportReplyPolicy: a reply is read by whoever may read its report.
func ReportReplyPolicy() ent.Policy {
	return privacy.Policy{
		Query: personal[*ent.ReportReplyQuery](func(v *viewer.Viewer) predicate.ReportReply {
			return reportreply.HasReportWith(ReportVisible(v))
		}),
		Mutation: writes(),
	}
}

// CanHandleReport tells whether v may triage, reply to as staff, close,
// export or act on rep: a person (never an API token) who is staff of its
// community and not its subject.
func CanHandleReport(v *viewer.Viewer, rep *ent.Report) bool {
	return v.IsUser() && !v.ViaToken() && v.IsStaff(rep.CommunityID) &&
		(rep.SubjectUserID == "" || rep.SubjectUserID != v.UserID)
}

// ActivityRequestVisible is the activity report requests v may read: those
// v asked, those of the communities v manages, of the regions v serves as
// ambassador, and of the regions of the groups v organizes.
func ActivityRequestVisible(v *viewer.Viewer) predicate.ActivityRequest {
	return activityrequest.Or(
		activityrequest.RequestedByID(v.UserID),
		activityrequest.CommunityIDIn(v.StaffCommunities()...),
		activityrequest.RegionIDIn(v.AmbassadorRegions()...),
		activityrequest.HasRegionWith(region.HasGroupsWith(group.IDIn(v.OrganizerGroups()...))),
	)
}

// ActivityRequestPolicy: see ActivityRequestVisible.
func ActivityRequestPolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowed[*ent.ActivityRequestQuery](ActivityRequestVisible),
		Mutation: writes(),
	}
}

// TranslationRequestPolicy: requests for translation help are public, so
// any volunteer can find one to take.
func TranslationRequestPolicy() ent.Policy { return publicPolicy() }

// GlobalEffortPolicy: global efforts are public announcements.
func GlobalEffortPolicy() ent.Policy { return publicPolicy() }

// GlobalEffortParticipationPolicy: which groups take part is public.
func GlobalEffortParticipationPolicy() ent.Policy { return publicPolicy() }

// ContactThreadVisible is the contact threads v is a side of: those v
// started, those addressed to v, and those addressed to the organizers of
// a group v organizes. Neither staff nor admins read them: a relayed
// message reaches staff only when its receiver reports it.
func ContactThreadVisible(v *viewer.Viewer) predicate.ContactThread {
	return contactthread.Or(
		contactthread.SenderID(v.UserID),
		contactthread.RecipientID(v.UserID),
		contactthread.GroupIDIn(v.OrganizerGroups()...),
	)
}

// ContactThreadPolicy: see ContactThreadVisible; never through an API token.
func ContactThreadPolicy() ent.Policy {
	return privacy.Policy{
		Query:    personal[*ent.ContactThreadQuery](ContactThreadVisible),
		Mutation: writes(),
	}
}

// ContactMessagePolicy: a message is read by the sides of its thread, and
// by the staff handling a report made of it.
func ContactMessagePolicy() ent.Policy {
	return privacy.Policy{
		Query: personal[*ent.ContactMessageQuery](func(v *viewer.Viewer) predicate.ContactMessage {
			return contactmessage.Or(
				contactmessage.HasThreadWith(ContactThreadVisible(v)),
				func(s *sql.Selector) {
					// A message reported as harassment is evidence for the
					// staff who may read the report.
					t := sql.Table(report.Table)
					sub := sql.Select(t.C(report.FieldContactMessageID)).From(t)
					ReportVisible(v)(sub)
					s.Where(sql.In(s.C(contactmessage.FieldID), sub))
				},
			)
		}),
		Mutation: writes(),
	}
}

// SubmissionVisible is the submissions v may read: their own, every one
// of the communities v manages, their groups' (as organizer); feedback
// and activity reports to the ambassadors of the group, region or
// community they come from, and activity reports to whoever asked for
// them. A newsletter item accepted into an issue is published: everyone
// reads it (its author is shown by public profile only). Nothing else is
// public: feedback, answers and items still proposed or declined stay
// with the people above.
func SubmissionVisible(v *viewer.Viewer) predicate.Submission {
	return submission.Or(
		submission.AuthorID(v.UserID),
		submission.CommunityIDIn(v.StaffCommunities()...),
		submission.GroupIDIn(v.OrganizerGroups()...),
		submission.And(submission.KindEQ(submission.KindNEWSLETTER_ITEM), submission.StatusEQ(submission.StatusACCEPTED)),
		submission.And(
			submission.KindIn(submission.KindATTENDEE_FEEDBACK, submission.KindACTIVITY_REPORT),
			submission.Or(
				submission.GroupIDIn(v.AmbassadorGroups()...),
				submission.RegionIDIn(v.AmbassadorRegions()...),
				submission.CommunityIDIn(v.AmbassadorCommunities()...),
			),
		),
		submission.HasRequestWith(activityrequest.RequestedByID(v.UserID)),
	)
}

// CanTriageFeedback: the staff of the community and the ambassadors of the
// group, region or community feedback comes from (never its author) may
// acknowledge, forward, decline and mark it delivered.
func CanTriageFeedback(v *viewer.Viewer, s *ent.Submission) bool {
	if !v.IsUser() || !v.HasScope(viewer.WriteMessages) || s.AuthorID == v.UserID {
		return false
	}
	return v.IsStaff(s.CommunityID) || servesSubmission(v, s)
}

// servesSubmission reports whether v is an ambassador of the group, the
// region or the whole community a submission comes from.
func servesSubmission(v *viewer.Viewer, s *ent.Submission) bool {
	has := func(ids []pulid.ID, id pulid.ID) bool { return id != "" && slices.Contains(ids, id) }
	return has(v.AmbassadorGroups(), s.GroupID) || has(v.AmbassadorRegions(), s.RegionID) ||
		has(v.AmbassadorCommunities(), s.CommunityID)
}

// CanAskForActivityReports: the staff of a region's community, and its
// ambassadors (those of the region or of the whole community).
func CanAskForActivityReports(v *viewer.Viewer, r *ent.Region) bool {
	if !v.IsUser() || !v.HasScope(viewer.WriteMessages) {
		return false
	}
	return v.IsStaff(r.CommunityID) || slices.Contains(v.AmbassadorRegions(), r.ID) ||
		slices.Contains(v.AmbassadorCommunities(), r.CommunityID)
}

// FollowsActivityRequest: who sees every group's row of an activity report
// request and may acknowledge the answers — whoever asked, the staff of
// the community and the ambassadors of the region (or of the whole
// community). Organizers see their own group's row only.
func FollowsActivityRequest(v *viewer.Viewer, a *ent.ActivityRequest) bool {
	if v.IsSystem() || v.IsStaff(a.CommunityID) {
		return true
	}
	return (v.UserID != "" && a.RequestedByID == v.UserID) || slices.Contains(v.AmbassadorRegions(), a.RegionID) ||
		slices.Contains(v.AmbassadorCommunities(), a.CommunityID)
}

// ServesGroup: the staff of a group's community and the ambassadors of the
// group, its region or the whole community.
func ServesGroup(v *viewer.Viewer, g *ent.Group) bool {
	if v.IsStaff(g.CommunityID) {
		return true
	}
	has := func(ids []pulid.ID, id pulid.ID) bool { return id != "" && slices.Contains(ids, id) }
	return has(v.AmbassadorGroups(), g.ID) || has(v.AmbassadorRegions(), g.RegionID) || has(v.AmbassadorCommunities(), g.CommunityID)
}
