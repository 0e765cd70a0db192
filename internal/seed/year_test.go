package seed_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/award"
	"github.com/usergroups/usergroups/ent/awardnomination"
	"github.com/usergroups/usergroups/ent/awardselection"
	"github.com/usergroups/usergroups/ent/certificate"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/shipment"
	"github.com/usergroups/usergroups/ent/shippingaddress"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/authz"
)

// codePattern is the shape of the codes the workflow issues.
var codePattern = regexp.MustCompile(`^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$`)

// checkYear checks openEuler's year in progress in the loaded demo: every
// membership in an obligation year, some at risk and some met, lapses that
// the rule explains, contributions in every state, last year's decided
// selection with its certificates and gift packages, this year's open one,
// and consents both ways.
func checkYear(t *testing.T, ctx context.Context, c *ent.Client) {
	ctx = authz.Unfiltered(ctx)
	oe := c.Community.Query().Where(community.Slug("openeuler")).OnlyX(ctx)
	window := time.Duration(oe.Policy.ObligationWindowDays) * 24 * time.Hour
	// The ledger of openEuler's groups, loaded once: a query per role is
	// slow under the race detector.
	type ledgerKey struct {
		user, group pulid.ID
		status      contribution.Status
	}
	ledger := map[ledgerKey][]time.Time{}
	for _, x := range c.Contribution.Query().Where(contribution.CommunityID(oe.ID), contribution.GroupIDNotNil()).AllX(ctx) {
		k := ledgerKey{x.UserID, x.GroupID, x.Status}
		ledger[k] = append(ledger[k], x.OccurredOn)
	}
	verifiedIn := func(r *ent.Role, status contribution.Status) bool {
		for _, at := range ledger[ledgerKey{r.UserID, r.GroupID, status}] {
			if !at.Before(*r.ObligationStartedAt) && at.Before(*r.ObligationDueAt) {
				return true
			}
		}
		return false
	}

	t.Run("ObligationYears", func(t *testing.T) {
		var atRisk, pending, met int
		for _, r := range c.Role.Query().Where(role.CommunityID(oe.ID), role.KindEQ(role.KindMEMBER), role.StatusEQ(role.StatusACTIVE)).AllX(ctx) {
			if r.ObligationStartedAt == nil || r.ObligationDueAt == nil {
				t.Fatalf("active member role %s has no obligation year", r.ID)
			}
			start, due := *r.ObligationStartedAt, *r.ObligationDueAt
			if !due.Equal(start.Add(window)) || !due.After(now) || due.After(now.Add(window)) || start.Before(r.CreatedAt) ||
				start.Sub(r.CreatedAt)%window != 0 {
				t.Errorf("role %s: joined %s, obligation year %s to %s", r.ID, r.CreatedAt, start, due)
			}
			switch {
			case verifiedIn(r, contribution.StatusVERIFIED):
				met++
			case due.Sub(now) <= 30*24*time.Hour:
				atRisk++
				if verifiedIn(r, contribution.StatusPENDING) {
					pending++
				}
			}
		}
		t.Logf("openEuler: %d members at risk (%d with a pending contribution), %d met their year", atRisk, pending, met)
		if atRisk < 5 || pending < 2 || met < 100 {
			t.Errorf("%d members at risk (%d with a pending contribution), %d met their year; want several, some and many", atRisk, pending, met)
		}
		lapsed := c.Role.Query().Where(role.CommunityID(oe.ID), role.KindEQ(role.KindMEMBER), role.StatusEQ(role.StatusLAPSED)).AllX(ctx)
		if len(lapsed) < 3 {
			t.Errorf("%d lapsed memberships", len(lapsed))
		}
		for _, r := range lapsed {
			if r.ObligationDueAt == nil || r.EndedAt == nil || r.EndedAt.Before(*r.ObligationDueAt) || r.EndReason == "" ||
				verifiedIn(r, contribution.StatusVERIFIED) || verifiedIn(r, contribution.StatusPENDING) {
				t.Errorf("lapsed role %s: due %v, ended %v (%q), or something counted in its year", r.ID, r.ObligationDueAt, r.EndedAt, r.EndReason)
			}
		}
		if n := c.Message.Query().Where(message.Template("obligation_warning"), message.CommunityID(oe.ID)).CountX(ctx); n < atRisk {
			t.Errorf("%d obligation warnings for %d members at risk", n, atRisk)
		}
		if c.Role.Query().Where(role.CommunityIDNEQ(oe.ID), role.ObligationDueAtNotNil()).ExistX(ctx) {
			t.Error("a role outside openEuler has an obligation year")
		}
	})

	t.Run("Contributions", func(t *testing.T) {
		coms := map[pulid.ID]*ent.Community{}
		for _, com := range c.Community.Query().AllX(ctx) {
			coms[com.ID] = com
		}
		for _, s := range []contribution.Status{contribution.StatusPENDING, contribution.StatusVERIFIED, contribution.StatusDECLINED} {
			if !c.Contribution.Query().Where(contribution.StatusEQ(s)).ExistX(ctx) {
				t.Errorf("no %s contribution", s)
			}
		}
		for _, x := range c.Contribution.Query().Where(contribution.StatusEQ(contribution.StatusVERIFIED)).AllX(ctx) {
			if x.VerifiedAt == nil || x.Points != coms[x.CommunityID].Policy.PointsFor(string(x.Kind)) ||
				x.Automatic != (x.VerifiedByID == "") {
				t.Errorf("verified %s %s: at %v, %d points, automatic %v, by %q", x.Kind, x.ID, x.VerifiedAt, x.Points, x.Automatic, x.VerifiedByID)
			}
		}
		if c.Contribution.Query().Where(contribution.StatusNEQ(contribution.StatusVERIFIED), contribution.PointsNEQ(0)).ExistX(ctx) {
			t.Error("an unverified contribution has points")
		}
		if c.Contribution.Query().Where(contribution.StatusEQ(contribution.StatusDECLINED),
			contribution.Or(contribution.DeclineReasonEQ(""), contribution.DeclinedByIDIsNil(), contribution.DeclinedAtIsNil())).ExistX(ctx) {
			t.Error("a declined contribution lacks its reason, decider or date")
		}
		parts := c.Contribution.Query().Where(contribution.KindEQ(contribution.KindPARTICIPATION)).AllX(ctx)
		refs := c.Contribution.Query().Where(contribution.KindEQ(contribution.KindREFERRAL)).AllX(ctx)
		if len(parts) < 100 || len(refs) < 5 {
			t.Fatalf("%d participations, %d referrals", len(parts), len(refs))
		}
		regs := map[pulid.ID]*ent.Registration{}
		for _, r := range c.Registration.Query().Where(registration.StatusEQ(registration.StatusATTENDED)).AllX(ctx) {
			regs[r.ID] = r
		}
		events := map[pulid.ID]*ent.Event{}
		for _, e := range c.Event.Query().AllX(ctx) {
			events[e.ID] = e
		}
		for _, x := range parts {
			id, ok := strings.CutPrefix(deref(x.SourceKey), "checkin:")
			reg := regs[pulid.ID(id)]
			if !ok || reg == nil || !x.Automatic || x.EventID != reg.EventID || reg.UserID != x.UserID ||
				events[reg.EventID].GroupID != x.GroupID {
				t.Fatalf("participation %s from %q: no attended registration of the person at the group's event", x.ID, deref(x.SourceKey))
			}
		}
		for _, x := range refs {
			id, ok := strings.CutPrefix(deref(x.SourceKey), "invite:")
			r, err := c.Role.Get(ctx, pulid.ID(id))
			if !ok || err != nil || !x.Automatic || r.GroupID != x.GroupID || r.UserID == x.UserID || r.Kind != role.KindMEMBER {
				t.Fatalf("referral %s from %q: %v", x.ID, deref(x.SourceKey), err)
			}
		}
	})

	t.Run("Selections", func(t *testing.T) {
		last := c.AwardSelection.Query().Where(awardselection.CommunityID(oe.ID), awardselection.Year(now.Year()-1)).OnlyX(ctx)
		open := c.AwardSelection.Query().Where(awardselection.CommunityID(oe.ID), awardselection.Year(now.Year())).OnlyX(ctx)
		if last.Status != awardselection.StatusDECIDED || last.DecidedAt == nil || last.DecidedByID == "" || open.Status != awardselection.StatusOPEN {
			t.Fatalf("last year's selection %s, this year's %s", last.Status, open.Status)
		}
		cats := map[string]bool{}
		for _, k := range oe.Policy.AwardCategories {
			cats[k] = true
		}
		awards := c.Award.Query().Where(award.Year(now.Year() - 1)).AllX(ctx)
		shipped, waiting := 0, 0
		for _, a := range awards {
			if a.SelectionID != last.ID || !cats[a.Category] || a.Points <= 0 || a.GroupID == "" {
				t.Errorf("award %s: selection %s, category %q, %d points", a.ID, a.SelectionID, a.Category, a.Points)
			}
			if !c.AwardNomination.Query().Where(awardnomination.SelectionID(last.ID), awardnomination.UserID(a.UserID),
				awardnomination.Category(a.Category), awardnomination.StatusEQ(awardnomination.StatusAWARDED)).ExistX(ctx) {
				t.Errorf("award %s has no nomination", a.ID)
			}
			crt, err := c.Certificate.Query().Where(certificate.AwardID(a.ID)).Only(ctx)
			holder := c.User.GetX(ctx, a.UserID)
			if err != nil || crt.Kind != certificate.KindAWARD || crt.HolderName != holder.Name || crt.Title == nil || *crt.Title != a.Title ||
				crt.Year == nil || *crt.Year != a.Year || !codePattern.MatchString(crt.Code) {
				t.Errorf("award %s: certificate %+v, %v", a.ID, crt, err)
			}
			s, err := c.Shipment.Query().Where(shipment.AwardID(a.ID)).Only(ctx)
			if err != nil || s.Kind != shipment.KindGIFT_PACKAGE {
				t.Fatalf("award %s: gift package %v", a.ID, err)
			}
			if s.Status == shipment.StatusSHIPPED {
				shipped++
			} else {
				waiting++
			}
		}
		if len(awards) < 10 || shipped == 0 || waiting == 0 {
			t.Errorf("%d awards, %d gift packages sent, %d waiting", len(awards), shipped, waiting)
		}
		if !c.AwardNomination.Query().Where(awardnomination.SelectionID(last.ID), awardnomination.StatusEQ(awardnomination.StatusNOT_AWARDED)).ExistX(ctx) {
			t.Error("no nomination of last year went without an award")
		}
		noms := c.AwardNomination.Query().Where(awardnomination.SelectionID(open.ID)).AllX(ctx)
		if len(noms) < 5 {
			t.Errorf("%d nominations in this year's selection", len(noms))
		}
		for _, n := range noms {
			leads := c.Role.Query().Where(role.GroupID(n.GroupID), role.UserID(n.NominatedByID), role.KindEQ(role.KindORGANIZER),
				role.StatusEQ(role.StatusACTIVE)).ExistX(ctx) ||
				c.Role.Query().Where(role.CommunityID(oe.ID), role.UserID(n.NominatedByID), role.KindEQ(role.KindCOMMUNITY_MANAGER)).ExistX(ctx)
			member := c.Role.Query().Where(role.GroupID(n.GroupID), role.UserID(n.UserID), role.KindEQ(role.KindMEMBER),
				role.StatusEQ(role.StatusACTIVE)).ExistX(ctx)
			tallied := c.Contribution.Query().Where(contribution.UserID(n.UserID), contribution.GroupID(n.GroupID),
				contribution.StatusEQ(contribution.StatusVERIFIED),
				contribution.OccurredOnGTE(time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC))).ExistX(ctx)
			if !leads || !member || !tallied || n.Citation == "" || n.Status != awardnomination.StatusNOMINATED || !cats[n.Category] {
				t.Errorf("nomination %s: by a leader %v, of a member %v, in the tally %v, %s %q", n.ID, leads, member, tallied, n.Status, n.Category)
			}
		}
	})

	t.Run("CertificatesAndShipments", func(t *testing.T) {
		for _, k := range []certificate.Kind{certificate.KindMEMBERSHIP, certificate.KindAWARD} {
			if n := c.Certificate.Query().Where(certificate.KindEQ(k)).CountX(ctx); n < 5 {
				t.Errorf("%d %s certificates", n, k)
			}
		}
		if c.Certificate.Query().Where(certificate.KindEQ(certificate.KindMEMBERSHIP), certificate.RoleIDIsNil()).ExistX(ctx) {
			t.Error("a membership certificate names no membership")
		}
		for _, k := range []shipment.Kind{shipment.KindGIFT_PACKAGE, shipment.KindSOUVENIR} {
			for _, s := range []shipment.Status{shipment.StatusPENDING, shipment.StatusSHIPPED} {
				if !c.Shipment.Query().Where(shipment.KindEQ(k), shipment.StatusEQ(s)).ExistX(ctx) {
					t.Errorf("no %s %s", s, k)
				}
			}
		}
		for _, s := range c.Shipment.Query().Where(shipment.StatusEQ(shipment.StatusSHIPPED)).AllX(ctx) {
			if s.ShippedAt == nil || s.ShippedByID == "" || s.Carrier == "" || s.TrackingCode == "" || s.ShippedAt.After(now) ||
				!c.ShippingAddress.Query().Where(shippingaddress.HasUserWith(user.ID(s.UserID))).ExistX(ctx) {
				t.Errorf("shipped %s %s: at %v by %q via %q %q, or without an address", s.Kind, s.ID, s.ShippedAt, s.ShippedByID, s.Carrier, s.TrackingCode)
			}
		}
	})

	t.Run("Profiles", func(t *testing.T) {
		for _, p := range []predicate.User{user.ShowcaseConsent(true), user.ShowcaseConsent(false), user.PhotoConsent(true),
			user.LedgerPublic(true), user.LedgerPublic(false)} {
			if !c.User.Query().Where(p).ExistX(ctx) {
				t.Error("consents are not set both ways")
			}
		}
		winners := c.Award.Query().Where(award.Year(now.Year() - 1)).QueryUser()
		if !winners.Clone().Where(user.ShowcaseConsent(true)).ExistX(ctx) || !winners.Clone().Where(user.ShowcaseConsent(false)).ExistX(ctx) {
			t.Error("want winners both shown and not shown in the showcase")
		}
		var langs, hanzi int
		for _, u := range c.User.Query().AllX(ctx) {
			if len(u.Languages) > 0 && len(u.Links) > 0 {
				langs++
			}
			for _, r := range u.Name {
				if unicode.Is(unicode.Han, r) {
					hanzi++
					break
				}
			}
		}
		if langs < 2 || hanzi < 20 {
			t.Errorf("%d profiles with languages and links, %d names in Chinese characters", langs, hanzi)
		}
	})
}
