package seed

import (
	"fmt"
	"slices"
	"time"

	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/ent/translationrequest"
	"github.com/usergroups/usergroups/internal/policy"
)

// Demo data of issue 19's funding, translation help and global efforts.
// Funding timelines follow the workflow's rules (internal/workflow/funding.go):
// an ambassador in scope endorses, staff approve, two different staff
// members above the community's threshold.

// fundingEndorser is the ambassador who endorses a's request: one of its
// group's ambassadors (per-group communities) or its region's, never the
// requester; nil when the group has none.
func fundingEndorser(a *app) *person {
	var amb []*person
	if a.c.pol.AmbassadorScope == policy.AmbassadorsPerGroup {
		amb = a.gr.ambassadors
	} else if a.gr.reg != nil {
		amb = a.gr.reg.ambassadors
	}
	for _, p := range amb {
		if p != a.applicant {
			return p
		}
	}
	return nil
}

// fundingNeed is how many staff approvals a's request needs.
func fundingNeed(a *app) int {
	return policy.FundingApprovalsRequired(a.c.pol, policy.Money{Currency: a.answers.Currency, Minor: a.answers.AmountCents})
}

// fundingTimeline writes a funding request's timeline for its status. An
// open IN_REVIEW request is made one above its community's threshold (in a
// currency the policy has one for), so it waits for a second staff
// approval: the board's "awaiting second approval".
func (g *gen) fundingTimeline(a *app, comment, info string) {
	tl := &a.tl
	switch a.status {
	case application.StatusSUBMITTED:
		return
	case application.StatusWITHDRAWN:
		tl.move(a.applicant, application.StatusSUBMITTED, application.StatusWITHDRAWN, a.reason)
		return
	}
	staff := a.c.managers
	tl.move(staff[0], application.StatusSUBMITTED, application.StatusIN_REVIEW, "")
	if comment != "" {
		tl.add(review.KindCOMMENT, staff[0], comment)
	}
	if e := fundingEndorser(a); e != nil && a.status != application.StatusNEEDS_INFO {
		tl.add(review.KindENDORSEMENT, e, "I know the organizers and the venue; the budget is sound.")
	}
	switch a.status {
	case application.StatusNEEDS_INFO:
		tl.add(review.KindINFO_REQUEST, staff[0], info)
		tl.move(staff[0], application.StatusIN_REVIEW, application.StatusNEEDS_INFO, "").fixed = time.Minute
	case application.StatusIN_REVIEW:
		if ts := a.c.pol.FundingSecondApprovalAbove; len(ts) > 0 && !slices.ContainsFunc(ts, func(t policy.Money) bool { return t.Currency == a.answers.Currency }) {
			// The programme pays in its own currency: a request big enough
			// for two approvals is asked in it.
			a.answers.Currency = ts[0].Currency
		}
		for _, t := range a.c.pol.FundingSecondApprovalAbove {
			if t.Currency == a.answers.Currency && a.answers.AmountCents <= t.Minor {
				a.answers.AmountCents = t.Minor + t.Minor/2 // above the threshold, still a round sum
			}
		}
		if fundingNeed(a) == 2 {
			tl.add(review.KindAPPROVAL, staff[0], "First approval: the budget is in line with similar events. A second staff member must approve.")
		}
	case application.StatusAPPROVED:
		need := fundingNeed(a)
		for i := range need {
			tl.add(review.KindAPPROVAL, staff[i], "")
		}
		a.decider = staff[need-1]
		tl.move(a.decider, application.StatusIN_REVIEW, application.StatusAPPROVED, a.reason)
	case application.StatusREJECTED:
		tl.move(a.decider, application.StatusIN_REVIEW, application.StatusREJECTED, a.reason)
	}
}

// fundingAftermath files the organizers' report on the i-th approved
// request of a past event (the first two), and closes the first.
func (g *gen) fundingAftermath(a *app, e *evt, i int) {
	if a.status != application.StatusAPPROVED || i > 1 {
		return
	}
	filed := e.end.Add(3 * day)
	if filed.After(g.now) {
		return
	}
	spent := a.answers.AmountCents - a.answers.AmountCents/20 // 95%: receipts rarely match the quote
	a.report = &schematype.FundingReport{
		Text:               fmt.Sprintf("%s went well: %d people came. Receipts for the venue and food are attached.", e.title, 20+10*i),
		ReceiptsTotalMinor: spent, Currency: a.answers.Currency, FiledByID: string(a.applicant.id), FiledAt: filed,
	}
	if closed := filed.Add(2 * day); i == 0 && closed.Before(g.now) {
		a.closedAt, a.closer = closed, a.decider
	}
}

// buildAsks plans translation requests (open, taken, done) and a global
// effort that some of its groups joined.
func (g *gen) buildAsks() {
	for _, c := range []*comm{g.oe, g.os} {
		groups := g.established(stOfficial)
		var mine []*grp
		for _, gr := range groups {
			if gr.c == c && len(gr.organizers) > 0 && activeMember(gr) != nil {
				mine = append(mine, gr)
			}
		}
		if len(mine) < 3 {
			continue
		}
		asker := c.managers[0]
		type ask struct {
			title, src, lang string
			to               []string
			status           translationrequest.Status
		}
		asks := []ask{
			{"Getting started guide", "https://docs.example.org/getting-started", "en", []string{"zh-CN", "ja"}, translationrequest.StatusOPEN},
			{"Release notes of the latest version", "https://docs.example.org/release-notes", "en", []string{"zh-CN"}, translationrequest.StatusTAKEN},
			{"Meetup organizer handbook", "https://docs.example.org/organizer-handbook", "en", []string{"es", "pt-BR"}, translationrequest.StatusDONE},
		}
		if c.openEu {
			asks[0].lang, asks[0].to = "zh-CN", []string{"en", "ko"}
		}
		for i, a := range asks {
			gr := mine[i]
			created := g.daysAgo(30 - 8*i)
			tid := g.id("trq")
			b := g.db.TranslationRequest.Create().SetCommunityID(c.id).SetGroupID(gr.id).SetRequestedByID(asker.id).
				SetTitle(a.title).SetSourceURL(a.src).SetSourceLanguage(a.lang).SetTargetLanguages(a.to).
				SetDueAt(g.now.Add(time.Duration(14+7*i) * day)).SetStatus(a.status).SetCreatedAt(created).SetUpdatedAt(created)
			if a.status != translationrequest.StatusOPEN {
				vol := activeMember(gr)
				b.SetVolunteerID(vol.id).SetTakenAt(created.Add(day)).SetUpdatedAt(created.Add(day))
				if a.status == translationrequest.StatusDONE {
					b.SetDeliveredURL(a.src + "/" + a.to[0]).SetDeliveredAt(created.Add(4 * day)).SetDoneAt(created.Add(5 * day)).SetUpdatedAt(created.Add(5 * day))
					// As completeTranslation records it: automatic, once per request.
					g.automatic(gr, vol, contribution.KindTRANSLATION, "Translated "+a.title, created.Add(5*day), "translation:"+string(tid), nil)
				}
			}
			g.b.translations = append(g.b.translations, b.SetID(tid))
		}

		// A global effort for the whole community, running now; three groups opted in.
		eid := g.id("gef")
		start := g.daysAgo(10)
		title := "Documentation sprint"
		if c.openEu {
			title = "openEuler Install Party week"
		}
		g.b.efforts = append(g.b.efforts, g.db.GlobalEffort.Create().SetID(eid).SetCommunityID(c.id).SetAnnouncedByID(asker.id).
			SetTitle(title).SetDescription("Hold one meetup during the effort on its theme and tell us how it went.").
			SetURL("https://wiki.example.org/global-effort").SetStartsAt(start).SetEndsAt(g.now.Add(20*day)).
			SetCreatedAt(start.Add(-7*day)).SetUpdatedAt(start.Add(-7*day)))
		for i, gr := range mine[:3] {
			at := start.Add(time.Duration(i) * day)
			g.b.participations = append(g.b.participations, g.db.GlobalEffortParticipation.Create().SetID(g.id("gep")).
				SetEffortID(eid).SetGroupID(gr.id).SetOptedInByID(gr.organizers[0].id).SetCreatedAt(at).SetUpdatedAt(at))
		}
	}
}

// activeMember is a group's first active member, nil when it has none.
func activeMember(gr *grp) *person {
	for _, m := range gr.members {
		if m.status == role.StatusACTIVE {
			return m.p
		}
	}
	return nil
}
