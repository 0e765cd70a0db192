package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/queue"
	"github.com/usergroups/usergroups/internal/viewer"
)

// The messages of the yearly obligation.
const (
	templateObligationWarning = letters.KindObligationWarning
	templateMembershipLapsed  = letters.KindMembershipLapsed
)

// startObligation begins a membership's first obligation window at now,
// where com's policy has a yearly obligation; elsewhere it does nothing.
func startObligation(ctx context.Context, c *ent.Client, ro *ent.Role, com *ent.Community, now time.Time) error {
	due, ok := policy.ObligationDue(com.Policy, now)
	if !ok {
		return nil
	}
	if err := c.Role.UpdateOneID(ro.ID).SetObligationStartedAt(now).SetObligationDueAt(due).Exec(ctx); err != nil {
		return err
	}
	ro.ObligationStartedAt, ro.ObligationDueAt = &now, &due
	return nil
}

// SettleObligations is the yearly obligation job (JobObligations). It
// starts a window at now for active members who have none in communities
// whose policy has the obligation (members who joined before the rule, or
// before the job existed); warns members who have not met it 30 and 7
// days before their window ends; and, once it has ended, renews the
// membership of those who met it, holds those whose contribution waits for
// a decision, and ends the others' (LAPSED). Each membership is decided in
// its own transaction on its locked row, checked again there, so replicas
// running it at once warn, renew and lapse each exactly once.
func SettleObligations(ctx context.Context, wf *Runner) (warned, renewed, lapsed int, err error) {
	sys := viewer.SystemContext(ctx)
	now := wf.now()
	fail := func(err error) error { return &JobError{Job: JobObligations, Err: err} }

	coms, err := wf.client.Community.Query().All(sys)
	if err != nil {
		return 0, 0, 0, fail(err)
	}
	var withRule []pulid.ID
	for _, com := range coms {
		if com.Policy.ObligationWindowDays > 0 {
			withRule = append(withRule, com.ID)
		}
	}
	adopt, err := wf.client.Role.Query().Where(role.KindEQ(role.KindMEMBER), role.StatusEQ(role.StatusACTIVE),
		role.ObligationDueAtIsNil(), role.CommunityIDIn(withRule...)).IDs(sys)
	if err != nil {
		return 0, 0, 0, fail(err)
	}
	_, errAdopt := job{name: JobObligations, step: adoptObligation}.run(sys, wf, adopt)

	toWarn, err := warningsDue(sys, wf.client, now)
	if err != nil {
		return 0, 0, 0, errors.Join(errAdopt, fail(err))
	}
	warned, errWarn := job{name: JobObligations, step: warnObligation}.run(sys, wf, toWarn)

	due, err := wf.client.Role.Query().Where(role.KindEQ(role.KindMEMBER), role.StatusEQ(role.StatusACTIVE),
		role.ObligationDueAtLTE(now)).Order(ent.Asc(role.FieldObligationDueAt), ent.Asc(role.FieldID)).IDs(sys)
	if err != nil {
		return warned, 0, 0, errors.Join(errAdopt, errWarn, fail(err))
	}
	var errs []error
	for _, id := range due {
		var outcome policy.ObligationOutcome
		n, err := job{name: JobObligations, step: func(ctx context.Context, c *ent.Client, id pulid.ID, now time.Time) error {
			var err error
			outcome, err = settleObligation(ctx, c, id, now)
			return err
		}}.run(sys, wf, []pulid.ID{id})
		if err != nil {
			errs = append(errs, err)
		}
		if n == 1 {
			switch outcome {
			case policy.ObligationRenew:
				renewed++
			case policy.ObligationLapse:
				lapsed++
			}
		}
	}
	return warned, renewed, lapsed, errors.Join(errAdopt, errWarn, errors.Join(errs...))
}

// lockMembership locks a role and loads it with its group and community
// when it is still an active membership; otherwise it is errSkip (ended
// meanwhile, or already handled by another replica).
func lockMembership(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Role, error) {
	ro, err := lockRole(ctx, c, id)
	if err != nil || ro.Kind != role.KindMEMBER || ro.Status != role.StatusACTIVE {
		return nil, orSkip(err)
	}
	return c.Role.Query().Where(role.ID(id)).WithGroup().WithCommunity().Only(ctx)
}

// adoptObligation starts the first window of an active membership that has
// none, in a community whose policy now has the obligation.
func adoptObligation(ctx context.Context, c *ent.Client, id pulid.ID, now time.Time) error {
	ro, err := lockMembership(ctx, c, id)
	if err != nil {
		return err
	}
	if ro.ObligationDueAt != nil || ro.Edges.Community == nil || ro.Edges.Community.Policy.ObligationWindowDays <= 0 {
		return errSkip
	}
	return startObligation(ctx, c, ro, ro.Edges.Community, now)
}

// warningKey names one warning of one window, so it is queued once.
func warningKey(ro *ent.Role, days int) string {
	return obligationKey(ro.ID, *ro.ObligationDueAt, days)
}

// obligationKey names a membership's window (and, days > 0, one warning of
// it) in its messages' dedupe keys.
func obligationKey(roleID pulid.ID, due time.Time, days int) string {
	k := string(roleID) + ":" + due.UTC().Format(time.RFC3339)
	if days > 0 {
		k += fmt.Sprintf(":%d", days)
	}
	return k
}

// ObligationWarningKey is the dedupe key of the warning days before a
// membership's window ends; ObligationLapseKey that of its lapse letter.
// Imports that lay out letters already sent (the demo) use them, so the job
// does not send those again.
func ObligationWarningKey(roleID pulid.ID, due time.Time, days int) string {
	return string(templateObligationWarning) + ":" + obligationKey(roleID, due, days)
}

// ObligationLapseKey: see ObligationWarningKey.
func ObligationLapseKey(roleID pulid.ID, due time.Time) string {
	return string(templateMembershipLapsed) + ":" + obligationKey(roleID, due, 0)
}

// warningsDue lists the memberships owed a warning at now: a threshold
// reached, the obligation not met, the warning not queued yet. Three
// statements, however many members: the windows ending within the
// earliest threshold, what they rest on, the warnings already queued.
func warningsDue(ctx context.Context, c *ent.Client, now time.Time) ([]pulid.ID, error) {
	horizon := 0
	for _, d := range policy.ObligationWarningDays {
		horizon = max(horizon, d)
	}
	roles, err := c.Role.Query().Where(role.KindEQ(role.KindMEMBER), role.StatusEQ(role.StatusACTIVE),
		role.ObligationDueAtGT(now), role.ObligationDueAtLTE(now.AddDate(0, 0, horizon)), role.ObligationStartedAtNotNil()).
		Order(ent.Asc(role.FieldObligationDueAt), ent.Asc(role.FieldID)).All(ctx)
	if err != nil || len(roles) == 0 {
		return nil, err
	}
	facts, err := queue.Obligations(ctx, c, roles)
	if err != nil {
		return nil, err
	}
	keys := map[string]pulid.ID{}
	var order []string
	for _, ro := range roles {
		f := facts[ro.ID]
		days := policy.ObligationWarning(*ro.ObligationStartedAt, *ro.ObligationDueAt, now)
		if days == 0 || f.State.Met || f.State.Leads {
			continue
		}
		k := string(templateObligationWarning) + ":" + warningKey(ro, days)
		keys[k] = ro.ID
		order = append(order, k)
	}
	sent := map[string]bool{}
	for i := 0; i < len(order); i += obligationChunk {
		chunk := order[i:min(i+obligationChunk, len(order))]
		got, err := c.Message.Query().Where(message.DedupeKeyIn(chunk...)).Select(message.FieldDedupeKey).Strings(authz.Unfiltered(ctx))
		if err != nil {
			return nil, err
		}
		for _, k := range got {
			sent[k] = true
		}
	}
	var out []pulid.ID
	for _, k := range order {
		if !sent[k] {
			out = append(out, keys[k])
		}
	}
	return out, nil
}

// obligationChunk bounds the keys one statement looks up.
const obligationChunk = 500

// warnObligation queues the warning a membership is owed now, checked
// again on the locked row: the window it names, the threshold reached, the
// obligation still unmet and this warning not queued yet.
func warnObligation(ctx context.Context, c *ent.Client, id pulid.ID, now time.Time) error {
	ro, err := lockMembership(ctx, c, id)
	if err != nil {
		return err
	}
	if ro.ObligationStartedAt == nil || ro.ObligationDueAt == nil {
		return errSkip
	}
	days := policy.ObligationWarning(*ro.ObligationStartedAt, *ro.ObligationDueAt, now)
	if days == 0 {
		return errSkip
	}
	facts, err := queue.Obligations(ctx, c, []*ent.Role{ro})
	if err != nil {
		return err
	}
	f := facts[ro.ID]
	if f.State.Met || f.State.Leads {
		return errSkip
	}
	key := warningKey(ro, days)
	sent, err := c.Message.Query().Where(message.DedupeKey(string(templateObligationWarning) + ":" + key)).Exist(authz.Unfiltered(ctx))
	if err != nil || sent {
		return orSkip(err)
	}
	g, com := ro.Edges.Group, ro.Edges.Community
	return queueMessage(ctx, c, ro.CommunityID, ro.UserID, templateObligationWarning, letters.ObligationWarning{
		Community: com.Name, Group: g.Name, DaysLeft: days, DueAt: ro.ObligationDueAt.UTC(), Pending: f.Pending}, key)
}

// settleObligation decides a membership whose window ended, on its locked
// row: renewed for the next window, held (errSkip: nothing changes until the
// pending contribution is decided), cleared where the community dropped
// the rule, or ended as LAPSED with a message.
func settleObligation(ctx context.Context, c *ent.Client, id pulid.ID, now time.Time) (policy.ObligationOutcome, error) {
	ro, err := lockMembership(ctx, c, id)
	if err != nil {
		return "", err
	}
	if ro.ObligationStartedAt == nil || ro.ObligationDueAt == nil || ro.ObligationDueAt.After(now) {
		return "", errSkip
	}
	facts, err := queue.Obligations(ctx, c, []*ent.Role{ro})
	if err != nil {
		return "", err
	}
	g, com := ro.Edges.Group, ro.Edges.Community
	outcome := policy.ObligationAtDue(com.Policy, facts[ro.ID].State)
	switch outcome {
	case policy.ObligationHold:
		return outcome, errSkip
	case policy.ObligationClear:
		return outcome, c.Role.UpdateOneID(id).ClearObligationStartedAt().ClearObligationDueAt().Exec(ctx)
	case policy.ObligationRenew:
		start, next, _ := policy.NextObligationWindow(com.Policy, *ro.ObligationDueAt)
		return outcome, c.Role.UpdateOneID(id).SetObligationStartedAt(start).SetObligationDueAt(next).Exec(ctx)
	}
	from, to := ro.ObligationStartedAt.UTC().Format("2 January 2006"), ro.ObligationDueAt.UTC().Format("2 January 2006")
	n, err := c.Role.Update().Where(role.ID(id), role.StatusEQ(role.StatusACTIVE)).
		SetStatus(role.StatusLAPSED).SetEndedAt(now).
		SetEndReason(fmt.Sprintf("No verified contribution to the group between %s and %s: the yearly obligation was not met.", from, to)).
		Save(ctx)
	if err != nil || n == 0 {
		return outcome, orSkip(err)
	}
	return outcome, queueMessage(ctx, c, ro.CommunityID, ro.UserID, templateMembershipLapsed, letters.MembershipLapsed{
		Community: com.Name, Group: g.Name, From: ro.ObligationStartedAt.UTC(), To: ro.ObligationDueAt.UTC()}, obligationKey(ro.ID, *ro.ObligationDueAt, 0))
}
