package workflow

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/ent/shippingaddress"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// ApplyForOfficialStatus starts the official-status process for a group: an
// OFFICIAL_STATUS application carrying the handover checklist. Only the
// group's organizers may ask, for an ACTIVE group, where the community's
// policy has official status, once at a time.
func ApplyForOfficialStatus(ctx context.Context, c *ent.Client, groupID pulid.ID) (*ent.Application, error) {
	v, err := requireWriter(ctx)
	if err != nil {
		return nil, err
	}
	g, err := loadGroup(ctx, c, groupID)
	if err != nil {
		return nil, err
	}
	if !v.HasGroupRole(g.ID, viewer.Organizer) {
		return nil, apierror.Forbiddenf("only the group's organizers may ask for official status")
	}
	if !g.Edges.Community.Policy.OfficialStatusEnabled {
		return nil, apierror.Invalid("group", "%s has no official status for groups", g.Edges.Community.Name)
	}
	if g.Status != group.StatusACTIVE {
		e := apierror.Conflictf("only an active group can become official (status %s)", g.Status)
		e.Extensions = map[string]any{"status": string(g.Status)}
		return nil, e
	}
	bk := bookkeeping(ctx)
	pending, err := c.Application.Query().Where(application.GroupID(g.ID), application.KindEQ(application.KindOFFICIAL_STATUS),
		application.StatusIn(authz.OpenStatuses...)).Exist(bk)
	if err != nil {
		return nil, err
	}
	if pending {
		return nil, apierror.Conflictf("the group already has an open official-status request")
	}
	var items []schematype.ChecklistItem
	for _, s := range policy.HandoverSteps() {
		items = append(items, schematype.ChecklistItem{Key: s.Key, Label: s.Label})
	}
	ac := c.Application.Create().SetCommunityID(g.CommunityID).SetApplicantID(v.UserID).SetGroupID(g.ID).
		SetKind(application.KindOFFICIAL_STATUS).SetChecklist(schematype.HandoverChecklist{Items: items})
	if g.RegionID != "" {
		ac.SetRegionID(g.RegionID)
	}
	if g.MentorID != "" {
		ac.SetMentorID(g.MentorID)
	}
	app, err := ac.Save(bk)
	if err != nil {
		return nil, err
	}
	return c.Application.Get(ctx, app.ID)
}

// GroupRecord reads what the official-status requirements need.
func GroupRecord(ctx context.Context, c *ent.Client, g *ent.Group, mentoringSignedOff bool, now time.Time) (policy.GroupRecord, error) {
	bk := bookkeeping(ctx)
	members, err := c.User.Query().Where(user.HasRolesWith(role.GroupID(g.ID), role.StatusEQ(role.StatusACTIVE))).All(bk)
	if err != nil {
		return policy.GroupRecord{}, err
	}
	orgs := map[pulid.ID]bool{}
	for _, m := range members {
		if m.OrganizationID != "" {
			orgs[m.OrganizationID] = true
		}
	}
	// A meeting counts once it is completed with at least one attendee
	// checked in: attendance, not the calendar, shows the group meets.
	events, err := c.Event.Query().Where(event.GroupID(g.ID), event.StatusEQ(event.StatusCOMPLETED),
		event.AttendedCountGT(0), event.StartsAtGTE(now.AddDate(-1, 0, 0))).Count(bk)
	if err != nil {
		return policy.GroupRecord{}, err
	}
	return policy.GroupRecord{ActiveMembers: len(members), Organizations: len(orgs), EventsLastYear: events,
		MentoringSignedOff: mentoringSignedOff}, nil
}

// CompleteHandoverStep ticks the next step of an official-status checklist.
// Steps go in order; the mentor signs off the mentoring and may do the logo
// and portal steps, staff may do any step and alone confirm the requirements
// (which must be met then) and the swag kit (which needs an organizer's
// shipping address, named in the step's review note). The logo_received
// step takes the logo's https URL (logoURL, empty for the other steps) and
// records it as the group's logo; logo_pack_sent queues the recognition
// letter, one to all the group's leaders, which links the logo pack and asks
// for the swag kit's address; the last step makes the group OFFICIAL.
func CompleteHandoverStep(ctx context.Context, c *ent.Client, appID pulid.ID, step, logoURL string, now time.Time) (*ent.Application, error) {
	v, err := requireWriter(ctx)
	if err != nil {
		return nil, err
	}
	app, err := c.Application.Query().Where(application.ID(appID)).WithCommunity().WithGroup().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apierror.NotFoundf("no application with that id")
	}
	if err != nil {
		return nil, err
	}
	if app.Kind != application.KindOFFICIAL_STATUS {
		return nil, apierror.Invalid("id", "only official-status requests have a handover checklist")
	}
	if !authz.IsOpen(app.Status) {
		return nil, stateConflict(app, "the request is already decided")
	}
	steps := policy.HandoverSteps()
	k := slices.IndexFunc(steps, func(s policy.HandoverStep) bool { return s.Key == step })
	list := app.Checklist
	i := slices.IndexFunc(list.Items, func(it schematype.ChecklistItem) bool { return it.Key == step })
	if k < 0 || i < 0 {
		return nil, apierror.Invalid("step", "unknown step %q", step)
	}
	if step != policy.StepLogoReceived && strings.TrimSpace(logoURL) != "" {
		return nil, apierror.Invalid("logoUrl", "a logo is recorded at the %s step only", policy.StepLogoReceived)
	}
	staff := v.IsStaff(app.CommunityID)
	mentor := app.Edges.Group.MentorID != "" && app.Edges.Group.MentorID == v.UserID
	if !staff && !(mentor && steps[k].ByMentor) {
		return nil, apierror.Forbiddenf("this step is for %s", map[bool]string{true: "the mentor or staff", false: "staff"}[steps[k].ByMentor])
	}
	for j := 0; j < i; j++ {
		if list.Items[j].DoneAt == nil {
			e := apierror.Conflictf("do %q first", list.Items[j].Label)
			e.Extensions = map[string]any{"status": string(app.Status), "nextStep": list.Items[j].Key}
			return nil, e
		}
	}
	if list.Items[i].DoneAt != nil {
		return nil, apierror.Conflictf("that step is already done")
	}
	bk := bookkeeping(ctx)
	g, com := app.Edges.Group, app.Edges.Community
	note := ""
	switch step {
	case policy.StepLogoReceived:
		logo, err := checkLogoURL(logoURL)
		if err != nil {
			return nil, err
		}
		if err := c.Group.UpdateOneID(g.ID).SetLogoURL(logo).Exec(bk); err != nil {
			return nil, err
		}
		g.LogoURL = logo
	case policy.StepRequirements:
		signedOff := slices.ContainsFunc(list.Items, func(it schematype.ChecklistItem) bool {
			return it.Key == policy.StepMentoring && it.DoneAt != nil
		})
		rec, err := GroupRecord(ctx, c, g, signedOff, now)
		if err != nil {
			return nil, err
		}
		if rs := policy.OfficialRequirements(com.Policy, rec); !policy.AllMet(rs) {
			var unmet []string
			for _, r := range rs {
				if !r.Met {
					unmet = append(unmet, r.Key)
				}
			}
			e := apierror.Conflictf("requirements not met: %s", strings.Join(unmet, ", "))
			e.Extensions = map[string]any{"status": string(app.Status), "unmet": unmet}
			return nil, e
		}
	case policy.StepSwagShipped:
		to, err := swagRecipient(bk, c, g.ID)
		if err != nil {
			return nil, err
		}
		note = fmt.Sprintf(", to the address %s (@%s) gave", to.Name, to.Handle)
	}
	t := now.UTC()
	list.Items[i].DoneAt, list.Items[i].DoneBy = &t, string(v.UserID)
	if err := c.Application.UpdateOneID(app.ID).SetChecklist(list).Exec(bk); err != nil {
		return nil, err
	}
	if err := c.Review.Create().SetApplicationID(app.ID).SetAuthorID(v.UserID).SetKind(review.KindCOMMENT).
		SetBody("Done: " + list.Items[i].Label + note).Exec(bk); err != nil {
		return nil, err
	}
	if app.Status == application.StatusSUBMITTED {
		if app, err = transition(ctx, c, app, application.StatusIN_REVIEW, v.UserID, ""); err != nil {
			return nil, err
		}
	}
	if step == policy.StepLogoPackSent {
		if err := queueRecognition(bk, c, com, g, string(app.ID)); err != nil {
			return nil, err
		}
	}
	if i == len(list.Items)-1 {
		if _, err := transition(ctx, c, app, application.StatusAPPROVED, v.UserID, "Handover complete."); err != nil {
			return nil, err
		}
		if err := c.Application.UpdateOneID(app.ID).SetDecidedAt(now).SetDecidedByID(v.UserID).Exec(bk); err != nil {
			return nil, err
		}
		n, err := c.Group.Update().Where(group.ID(g.ID), group.StatusEQ(group.StatusACTIVE)).
			SetStatus(group.StatusOFFICIAL).SetOfficialSince(now).Save(bk)
		if err != nil {
			return nil, err
		}
		if n != 1 {
			return nil, apierror.Conflictf("the group is no longer active")
		}
	}
	return c.Application.Get(ctx, app.ID)
}

// queueRecognition queues the recognition letter, one to all the group's
// active organizers, with the logo recorded at the logo_received step.
func queueRecognition(ctx context.Context, c *ent.Client, com *ent.Community, g *ent.Group, dedupe string) error {
	organizers, err := c.User.Query().Where(user.HasRolesWith(role.GroupID(g.ID), role.KindEQ(role.KindORGANIZER),
		role.StatusEQ(role.StatusACTIVE))).Order(ent.Asc(user.FieldName)).All(ctx)
	if err != nil {
		return err
	}
	letter := letters.Data{Community: com.Name, Group: g.Name, LogoURL: g.LogoURL, ShippingHowTo: letters.ShippingHowTo}
	var to []pulid.ID
	for _, o := range organizers {
		letter.Leaders, to = append(letter.Leaders, o.Name), append(to, o.ID)
	}
	return queueLetter(ctx, c, com, letters.KindOfficialRecognition, letter, to, dedupe)
}

// swagRecipient is the group's leader whose shipping address the swag kit
// goes to: the active organizer who most recently gave a complete one.
func swagRecipient(ctx context.Context, c *ent.Client, groupID pulid.ID) (*ent.User, error) {
	addrs, err := c.ShippingAddress.Query().Where(shippingaddress.HasUserWith(
		user.HasRolesWith(role.GroupID(groupID), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)))).
		WithUser().Order(ent.Desc(shippingaddress.FieldUpdatedAt)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if completeAddress(a) {
			return a.Edges.User, nil
		}
	}
	return nil, apierror.Conflictf("no organizer of the group has given a complete shipping address (name, address, country and phone) yet: " +
		"they give it with setShippingAddress")
}

// OfficialRequirements checks a group (loaded with its community) against
// its community's official-status requirements now. The mentoring
// sign-off comes from the group's open or latest official-status request.
func OfficialRequirements(ctx context.Context, c *ent.Client, g *ent.Group, now time.Time) ([]policy.Requirement, error) {
	signedOff := false
	app, err := c.Application.Query().Where(application.GroupID(g.ID), application.KindEQ(application.KindOFFICIAL_STATUS)).
		Order(ent.Desc(application.FieldCreatedAt)).First(bookkeeping(ctx))
	if err != nil && !ent.IsNotFound(err) {
		return nil, err
	}
	if app != nil {
		for _, it := range app.Checklist.Items {
			if it.Key == policy.StepMentoring && it.DoneAt != nil {
				signedOff = true
			}
		}
	}
	rec, err := GroupRecord(ctx, c, g, signedOff, now)
	if err != nil {
		return nil, err
	}
	return policy.OfficialRequirements(g.Edges.Community.Policy, rec), nil
}
