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
	"github.com/usergroups/usergroups/ent/predicate"
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
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// ApplyForOfficialStatus starts the official-status process for a group: an
// OFFICIAL_STATUS application carrying the handover checklist. Only the
// group's organizers may ask, for an ACTIVE group, where the community's
// policy has official status, once at a time.
func (r *Runner) ApplyForOfficialStatus(ctx context.Context, groupID pulid.ID) (*ent.Application, error) {
	return act(ctx, r, "apply for official status", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Application, error) {
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
		pending, err := hasOpenApplication(ctx, c, application.GroupID(g.ID), application.KindEQ(application.KindOFFICIAL_STATUS))
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
		app, err := ac.Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, app.ID)
	})
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
func (r *Runner) CompleteHandoverStep(ctx context.Context, appID pulid.ID, step, logoURL string) (*ent.Application, error) {
	return act(ctx, r, "complete handover step", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Application, error) {
		app, err := loadApplication(ctx, c, appID)
		if err != nil {
			return nil, err
		}
		if app.Kind != application.KindOFFICIAL_STATUS {
			return nil, apierror.Invalid("id", "only official-status requests have a handover checklist")
		}
		if err := stillOpen(app, "the request is already decided"); err != nil {
			return nil, err
		}
		i, byMentor, err := nextHandoverStep(app, step, logoURL)
		if err != nil {
			return nil, err
		}
		staff := v.IsStaff(app.CommunityID)
		mentor := app.Edges.Group.MentorID != "" && app.Edges.Group.MentorID == v.UserID
		if !staff && !(mentor && byMentor) {
			return nil, apierror.Forbiddenf("this step is for %s", map[bool]string{true: "the mentor or staff", false: "staff"}[byMentor])
		}
		list := app.Checklist
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
		note, err := doHandoverStep(ctx, c, app, step, logoURL, now)
		if err != nil {
			return nil, err
		}
		t := now.UTC()
		list.Items[i].DoneAt, list.Items[i].DoneBy = &t, string(v.UserID)
		if err := c.Application.UpdateOneID(app.ID).SetChecklist(list).Exec(ctx); err != nil {
			return nil, err
		}
		if err := c.Review.Create().SetApplicationID(app.ID).SetAuthorID(v.UserID).SetKind(review.KindCOMMENT).
			SetBody("Done: " + list.Items[i].Label + note).Exec(ctx); err != nil {
			return nil, err
		}
		if app.Status == application.StatusSUBMITTED {
			if app, err = transition(ctx, c, app, application.StatusIN_REVIEW, v.UserID, ""); err != nil {
				return nil, err
			}
		}
		if step == policy.StepLogoPackSent {
			if err := queueRecognition(ctx, c, app.Edges.Community, app.Edges.Group, string(app.ID)); err != nil {
				return nil, err
			}
		}
		if i == len(list.Items)-1 {
			if err := makeOfficial(ctx, c, app, v.UserID, now); err != nil {
				return nil, err
			}
		}
		return c.Application.Get(ctx, app.ID)
	})
}

// queueRecognition queues the recognition letter, one to all the group's
// active organizers, with the logo recorded at the logo_received step.
func queueRecognition(ctx context.Context, c *ent.Client, com *ent.Community, g *ent.Group, dedupe string) error {
	organizers, err := c.User.Query().Where(user.HasRolesWith(role.GroupID(g.ID), role.KindEQ(role.KindORGANIZER),
		role.StatusEQ(role.StatusACTIVE))).Order(ent.Asc(user.FieldName)).All(authz.Unfiltered(ctx))
	if err != nil {
		return err
	}
	letter := letters.OfficialRecognition{Community: com.Name, Group: g.Name, LogoURL: g.LogoURL, ShippingHowTo: letters.ShippingHowTo}
	var to []pulid.ID
	for _, o := range organizers {
		letter.Leaders, to = append(letter.Leaders, o.Name), append(to, o.ID)
	}
	return queueLetter(ctx, c, com.ID, letters.KindOfficialRecognition, letter, to, dedupe)
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
func (r *Runner) OfficialRequirements(ctx context.Context, groupID pulid.ID) ([]policy.Requirement, error) {
	groupID, err := ref.Group(ctx, r.client, "group", groupID)
	if err != nil {
		return nil, err
	}
	g, err := loadGroup(ctx, r.client, groupID)
	if err != nil {
		return nil, err
	}
	// The record counts members and meetings the viewer may not all see.
	all := authz.Unfiltered(ctx)
	signedOff := false
	app, err := r.client.Application.Query().Where(application.GroupID(g.ID), application.KindEQ(application.KindOFFICIAL_STATUS)).
		Order(ent.Desc(application.FieldCreatedAt)).First(all)
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
	rec, err := groupRecord(all, r.client, g, signedOff, r.now())
	if err != nil {
		return nil, err
	}
	return policy.OfficialRequirements(g.Edges.Community.Policy, rec), nil
}

// hasOpenApplication tells whether an open application matching where
// exists, seen or not: one request of a kind at a time.
func hasOpenApplication(ctx context.Context, c *ent.Client, where ...predicate.Application) (bool, error) {
	return c.Application.Query().Where(where...).Where(application.StatusIn(authz.OpenStatuses...)).Exist(authz.Unfiltered(ctx))
}

// groupRecord reads what the official-status requirements need, counting
// every member and meeting of the group.
func groupRecord(ctx context.Context, c *ent.Client, g *ent.Group, mentoringSignedOff bool, now time.Time) (policy.GroupRecord, error) {
	ctx = authz.Unfiltered(ctx)
	members, err := c.User.Query().Where(user.HasRolesWith(role.GroupID(g.ID), role.StatusEQ(role.StatusACTIVE))).All(ctx)
	if err != nil {
		return policy.GroupRecord{}, err
	}
	// A meeting counts once it is completed with at least one attendee
	// checked in: attendance, not the calendar, shows the group meets.
	events, err := c.Event.Query().Where(event.GroupID(g.ID), event.StatusEQ(event.StatusCOMPLETED),
		event.AttendedCountGT(0), event.StartsAtGTE(now.AddDate(-1, 0, 0))).Count(ctx)
	if err != nil {
		return policy.GroupRecord{}, err
	}
	return policy.GroupRecord{ActiveMembers: len(members), Organizations: organizationsOf(members), EventsLastYear: events,
		MentoringSignedOff: mentoringSignedOff}, nil
}

// nextHandoverStep finds step in the application's checklist: its index,
// and whether the mentor may do it.
func nextHandoverStep(app *ent.Application, step, logoURL string) (int, bool, error) {
	steps := policy.HandoverSteps()
	k := slices.IndexFunc(steps, func(s policy.HandoverStep) bool { return s.Key == step })
	i := slices.IndexFunc(app.Checklist.Items, func(it schematype.ChecklistItem) bool { return it.Key == step })
	if k < 0 || i < 0 {
		return 0, false, apierror.Invalid("step", "unknown step %q", step)
	}
	if step != policy.StepLogoReceived && strings.TrimSpace(logoURL) != "" {
		return 0, false, apierror.Invalid("logoURL", "a logo is recorded at the %s step only", policy.StepLogoReceived)
	}
	return i, steps[k].ByMentor, nil
}

// doHandoverStep does what a step does besides being ticked, and returns
// the note its review entry ends with.
func doHandoverStep(ctx context.Context, c *ent.Client, app *ent.Application, step, logoURL string, now time.Time) (string, error) {
	g, com := app.Edges.Group, app.Edges.Community
	switch step {
	case policy.StepLogoReceived:
		logo, err := checkLogoURL(logoURL)
		if err != nil {
			return "", err
		}
		if err := c.Group.UpdateOneID(g.ID).SetLogoURL(logo).Exec(ctx); err != nil {
			return "", err
		}
		g.LogoURL = logo
	case policy.StepRequirements:
		signedOff := slices.ContainsFunc(app.Checklist.Items, func(it schematype.ChecklistItem) bool {
			return it.Key == policy.StepMentoring && it.DoneAt != nil
		})
		rec, err := groupRecord(ctx, c, g, signedOff, now)
		if err != nil {
			return "", err
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
			return "", e
		}
	case policy.StepSwagShipped:
		to, err := swagRecipient(authz.Unfiltered(ctx), c, g.ID)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf(", to the address %s (@%s) gave", to.Name, to.Handle), nil
	}
	return "", nil
}

// makeOfficial decides the request once its last step is done: APPROVED,
// and the group OFFICIAL from now.
func makeOfficial(ctx context.Context, c *ent.Client, app *ent.Application, actor pulid.ID, now time.Time) error {
	if _, err := transition(ctx, c, app, application.StatusAPPROVED, actor, "Handover complete."); err != nil {
		return err
	}
	if err := c.Application.UpdateOneID(app.ID).SetDecidedAt(now).SetDecidedByID(actor).Exec(ctx); err != nil {
		return err
	}
	n, err := c.Group.Update().Where(group.ID(app.GroupID), group.StatusEQ(group.StatusACTIVE)).
		SetStatus(group.StatusOFFICIAL).SetOfficialSince(now).Save(ctx)
	if err != nil {
		return err
	}
	if n != 1 {
		return apierror.Conflictf("the group is no longer active")
	}
	return nil
}
