package authz

import (
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

// reportNarrowed is narrowedNoTokens for reports and their replies, without
// its admin shortcut: an admin reads every report but one about them.
func reportNarrowed[Q query[Q, P], P ~func(*sql.Selector)](visible func(*viewer.Viewer) P) privacy.QueryPolicy {
	return privacy.QueryPolicy{allowSystem, allowUnfiltered, narrow[Q](func(v *viewer.Viewer) P {
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
		Query:    reportNarrowed[*ent.ReportQuery](ReportVisible),
		Mutation: writes(),
	}
}

// ReportReplyPolicy: a reply is read by whoever may read its report.
func ReportReplyPolicy() ent.Policy {
	return privacy.Policy{
		Query: reportNarrowed[*ent.ReportReplyQuery](func(v *viewer.Viewer) predicate.ReportReply {
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
// a group v organizes. Staff do not read them: a relayed message reaches
// staff only when its receiver reports it.
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
		Query:    narrowedNoTokens[*ent.ContactThreadQuery](ContactThreadVisible),
		Mutation: writes(),
	}
}

// ContactMessagePolicy: a message is read by the sides of its thread, and
// by the staff handling a report made of it.
func ContactMessagePolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowedNoTokens[*ent.ContactMessageQuery](func(v *viewer.Viewer) predicate.ContactMessage {
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
