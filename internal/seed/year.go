package seed

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/certificate"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/ent/shipment"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// lapseReason is the end reason the obligations job gives a membership
// whose obligation year [from, to) passed without a verified contribution.
func lapseReason(from, to time.Time) string {
	return fmt.Sprintf("No verified contribution to the group between %s and %s: the yearly obligation was not met.",
		from.UTC().Format("2 January 2006"), to.UTC().Format("2 January 2006"))
}

// credit names a member's ledger in one group.
type credit struct {
	gr *grp
	p  *person
}

// ledgerEntry is one verified contribution in a member's ledger.
type ledgerEntry struct {
	at     time.Time
	kind   contribution.Kind
	points int
}

// checkin is an ATTENDED registration: who came to which event, when.
type checkin struct {
	id pulid.ID
	e  *evt
	p  *person
	at time.Time
}

// selection is an award selection in the model.
type selection struct {
	id   pulid.ID
	year int
	b    *ent.AwardSelectionCreate
}

// awardRec is an award decided in last year's selection.
type awardRec struct {
	id              pulid.ID
	p               *person
	gr              *grp
	title, category string
	rank            int
}

// tallyRow is a member's line in a year's tally.
type tallyRow struct {
	p             *person
	gr            *grp // where they earned most
	points, count int
}

// tally is a year's tally, best first.
type tally []tallyRow

func (t tally) points(p *person) int {
	for _, r := range t {
		if r.p == p {
			return r.points
		}
	}
	return 0
}

func (t tally) top(n int) tally { return t[:min(n, len(t))] }

// demoPerson marks the people the README introduces: their names stay as
// printed there.
var demoPerson = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range People {
		m[p.Handle] = true
	}
	return m
}()

// checkedIn notes an attended registration, for the automatic participation.
func (g *gen) checkedIn(id pulid.ID, e *evt, p *person, at time.Time) {
	g.checkins = append(g.checkins, checkin{id: id, e: e, p: p, at: at})
	if at.After(g.lastCheckIn[p]) {
		g.lastCheckIn[p] = at
	}
}

// participationSince is when check-ins started to record participation
// automatically: the demo's ledger has it for the last few weeks only.
func (g *gen) participationSince() time.Time { return g.now.Add(-45 * day) }

// hasVerified reports whether the member's ledger in gr has a verified
// contribution that happened in [from, to).
func (g *gen) hasVerified(gr *grp, p *person, from, to time.Time) bool {
	for _, e := range g.verified[credit{gr: gr, p: p}] {
		if !e.at.Before(from) && e.at.Before(to) {
			return true
		}
	}
	return false
}

// atRisk picks some plain members whose obligation year ends within 30
// days and who have nothing verified in it yet (no talk, no check-in since
// participation counts): they are left at risk.
func (g *gen) atRisk(gr *grp, m *membership, launch time.Time) bool {
	p := m.p
	if m.obligDue.IsZero() || m.obligDue.Sub(g.now) > 30*day || demoPerson[p.handle] ||
		slices.Contains(gr.organizers, p) || slices.Contains(gr.ambassadors, p) ||
		!g.lastCheckIn[p].Before(launch) || g.hasVerified(gr, p, m.obligStart, m.obligDue) {
		return false
	}
	if g.chance(0.6) {
		g.risky[m] = true
		return true
	}
	return false
}

// earlierYears gives the member a verified contribution in each obligation
// year they were renewed from, where they have none: the renewal rested on it.
func (g *gen) earlierYears(gr *grp, m *membership, verifier *person) {
	if m.obligStart.IsZero() {
		return
	}
	window := time.Duration(gr.c.pol.ObligationWindowDays) * day
	for s := m.since; s.Before(m.obligStart); s = s.Add(window) {
		if !g.hasVerified(gr, m.p, s, s.Add(window)) {
			g.randomContribution(gr, m.p, s.Add(7*day), s.Add(window-20*day), verifier)
		}
	}
}

// tally sums the verified points of openEuler members in a year (of the
// kinds keep accepts, all when nil), best first.
func (g *gen) tally(year int, keep func(contribution.Kind) bool) tally {
	var out tally
	for _, p := range g.people {
		row := tallyRow{p: p}
		best := 0
		for _, gr := range g.oe.groups {
			pts := 0
			for _, e := range g.verified[credit{gr: gr, p: p}] {
				if e.at.Year() == year && !e.at.After(g.now) && (keep == nil || keep(e.kind)) {
					pts += e.points
					row.count++
				}
			}
			row.points += pts
			if pts > best {
				best, row.gr = pts, gr
			}
		}
		if row.points > 0 {
			out = append(out, row)
		}
	}
	slices.SortStableFunc(out, func(a, b tallyRow) int {
		if c := cmp.Compare(b.points, a.points); c != 0 {
			return c
		}
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		return cmp.Compare(a.p.handle, b.p.handle)
	})
	return out
}

// openSelection opens the openEuler selection for a year, by its first staff member.
func (g *gen) openSelection(year int, opened, closeAt time.Time) *selection {
	s := &selection{id: g.id("sel"), year: year}
	s.b = g.db.AwardSelection.Create().
		SetID(s.id).
		SetCommunityID(g.oe.id).
		SetOpenedByID(g.oe.managers[0].id).
		SetYear(year).
		SetNominationsCloseAt(closeAt).
		SetCreatedAt(opened).
		SetUpdatedAt(opened)
	g.b.selections = append(g.b.selections, s.b)
	return s
}

// nominateFor records the group's organizer (staff, for the organizer
// themself) nominating p.
func (g *gen) nominateFor(s *selection, gr *grp, p *person, category, citation string, at time.Time) *ent.AwardNominationCreate {
	by := gr.organizers[0]
	if by == p {
		by = g.oe.managers[0]
	}
	at = minTime(at, g.now.Add(-time.Hour)).Truncate(time.Second)
	b := g.db.AwardNomination.Create().
		SetID(g.id("nom")).
		SetSelectionID(s.id).
		SetCommunityID(g.oe.id).
		SetGroupID(gr.id).
		SetUserID(p.id).
		SetNominatedByID(by.id).
		SetCategory(category).
		SetCitation(citation).
		SetCreatedAt(at).
		SetUpdatedAt(at)
	g.b.nominations = append(g.b.nominations, b)
	return b
}

// certificate issues an openEuler certificate: the names printed on it are
// a snapshot, and its code is random.
func (g *gen) certificate(kind certificate.Kind, p *person, gr *grp, roleID, awardID pulid.ID, title string, year int, at time.Time) {
	b := g.db.Certificate.Create().
		SetID(g.id("crt")).
		SetCommunityID(g.oe.id).
		SetUserID(p.id).
		SetGroupID(gr.id).
		SetKind(kind).
		SetCode(g.certCode()).
		SetHolderName(p.name).
		SetCommunityName(g.oe.name).
		SetGroupName(gr.pl.Name).
		SetIssuedAt(at).
		SetCreatedAt(at).
		SetUpdatedAt(at)
	if roleID != "" {
		b.SetRoleID(roleID)
	}
	if awardID != "" {
		b.SetAwardID(awardID)
	}
	if title != "" {
		b.SetTitle(title)
	}
	if year > 0 {
		b.SetYear(year)
	}
	g.b.certificates = append(g.b.certificates, b)
}

// certAlphabet is the letters of verification codes, as the workflow
// issues them ("ABCD-EFGH-JKLM"): no 0/O or 1/I to misread.
const certAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// certCode returns an unused random verification code.
func (g *gen) certCode() string {
	for {
		var sb strings.Builder
		for i := range 12 {
			if i > 0 && i%4 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(certAlphabet[g.intn(len(certAlphabet))])
		}
		if c := sb.String(); !g.codes[c] {
			g.codes[c] = true
			return c
		}
	}
}

// addAddress gives p a shipping address if they have none yet (after
// emitPeople, which writes the others).
func (g *gen) addAddress(p *person) {
	if p.ship {
		return
	}
	p.ship = true
	n := g.intn(180)
	g.b.shipping = append(g.b.shipping, g.db.ShippingAddress.Create().
		SetID(g.id("shp")).
		SetUserID(p.id).
		SetRecipientName(p.name).
		SetAddress(fmt.Sprintf("%d %s Road", 1+n, streets[n%len(streets)])).
		SetCity(p.city).
		SetCountry(p.country).
		SetPhone(fmt.Sprintf("+1 555 01%02d", n%100)).
		SetCreatedAt(p.created).
		SetUpdatedAt(p.created))
}

// buildYear fills in openEuler's year in progress: participation recorded
// by check-ins, this year's open selection with its nominations, the
// certificates and souvenirs of recent members, and people's consents.
func (g *gen) buildYear() {
	launch := g.participationSince()
	for _, ci := range g.checkins {
		if ci.at.Before(launch) {
			continue
		}
		g.automatic(ci.e.g, ci.p, contribution.KindPARTICIPATION, "Took part in "+ci.e.title, ci.at, "checkin:"+string(ci.id), ci.e)
	}

	// This year's selection: open, organizers nominating from their tally.
	year := g.now.Year()
	opened := minTime(maxTime(time.Date(year, 1, 2, 9, 0, 0, 0, time.UTC), g.now.Add(-12*day)), g.now.Add(-time.Hour))
	sel := g.openSelection(year, opened, g.now.Add(30*day))
	seen := map[credit]bool{} // one nomination per person and category: {nil, p} and {group, p}
	for i, gr := range g.oe.groups[:8] {
		rows := g.groupTally(gr, year, nil)
		n := 0
		for _, t := range rows {
			if n == 1+i%2 {
				break
			}
			if seen[credit{p: t.p}] {
				continue
			}
			seen[credit{p: t.p}] = true
			n++
			g.nominateFor(sel, gr, t.p, policy.AwardOutstandingMember, fmt.Sprintf("%s has %d verified contributions this year, "+
				"worth %d points, and is the first to help newcomers in the %s group.", t.p.name, t.count, t.points, gr.pl.City),
				opened.Add(time.Duration(1+g.intn(5))*day))
		}
		if i%3 == 0 {
			if cases := g.groupTally(gr, year, func(k contribution.Kind) bool { return k == contribution.KindUSER_CASE }); len(cases) > 0 &&
				!seen[credit{gr: gr, p: cases[0].p}] {
				seen[credit{gr: gr, p: cases[0].p}] = true
				g.nominateFor(sel, gr, cases[0].p, policy.AwardBestUserCase, fmt.Sprintf("A user case from %s that other "+
					"enterprises in %s asked to hear again.", cases[0].p.affil, gr.pl.City), opened.Add(2*day))
			}
		}
	}

	// Recent members: a membership certificate and a souvenir, most of
	// them sent; the demo's people have their certificate too.
	carriers := []string{"SF Express", "China Post EMS"}
	staff := g.oe.managers[1]
	for _, gr := range g.oe.groups[:len(openEulerCities)] {
		for j, m := range gr.members {
			if m.status != role.StatusACTIVE || m.since.Before(g.daysAgo(120)) && !demoPerson[m.p.handle] {
				continue
			}
			g.certificate(certificate.KindMEMBERSHIP, m.p, gr, m.role, "", "", 0, m.since)
			if m.since.Before(g.daysAgo(120)) {
				continue
			}
			b := g.db.Shipment.Create().
				SetID(g.id("shm")).
				SetCommunityID(g.oe.id).
				SetUserID(m.p.id).
				SetRoleID(m.role).
				SetKind(shipment.KindSOUVENIR).
				SetDedupeKey("souvenir:" + string(m.role)).
				SetCreatedAt(m.since)
			if m.since.Before(g.daysAgo(21)) && j%4 != 0 {
				g.addAddress(m.p)
				sent := m.since.Add(time.Duration(5+j%9) * day)
				b.SetStatus(shipment.StatusSHIPPED).SetShippedAt(sent).SetShippedByID(staff.id).
					SetCarrier(carriers[j%2]).SetTrackingCode(fmt.Sprintf("SV%09d", 310000000+j*104729)).SetUpdatedAt(sent)
			} else {
				b.SetUpdatedAt(m.since)
			}
			g.b.shipments = append(g.b.shipments, b)
		}
	}

	// The obligations job's letters: reminders to the members at risk and
	// word of the lapses of the last three months (keys as the job's).
	for _, gr := range g.oe.groups[:len(openEulerCities)] {
		for _, m := range gr.members {
			switch {
			case m.status == role.StatusACTIVE && g.risky[m]:
				for _, d := range []int{30, 7} {
					at := m.obligDue.AddDate(0, 0, -d)
					if at.After(g.now) {
						continue
					}
					g.message(msg{c: g.oe, to: m.p, template: "obligation_warning",
						subject: fmt.Sprintf("%d days left in your year with %s", d, gr.pl.Name),
						body: fmt.Sprintf("Hello %s,\n\nYour membership year with the %s group ends on %s and no contribution of "+
							"yours has been verified in it yet. Record what you did (a meetup, an article, feedback, code) so that an "+
							"organizer can verify it; otherwise the membership ends on that date.\n",
							m.p.name, gr.pl.Name, m.obligDue.Format("2 January 2006")),
						status: message.StatusSENT, created: minTime(at.Add(time.Duration(5+g.intn(50))*time.Minute), g.now.Add(-time.Hour)),
						attempts: 1, dedupe: workflow.ObligationWarningKey(m.role, m.obligDue, d)})
				}
			case m.status == role.StatusLAPSED && m.ended.After(g.daysAgo(90)):
				g.message(msg{c: g.oe, to: m.p, template: "membership_lapsed",
					subject: "Your membership of " + gr.pl.Name + " has ended",
					body: fmt.Sprintf("Hello %s,\n\nNo contribution of yours was verified during your membership year, so your "+
						"membership of the %s group ended on %s. You can ask to join again at any time.\n",
						m.p.name, gr.pl.Name, m.obligDue.Format("2 January 2006")),
					status: message.StatusSENT, created: m.ended.Add(time.Minute), attempts: 1,
					dedupe: workflow.ObligationLapseKey(m.role, m.obligDue)})
			}
		}
	}

	// Consents: most winners agree to be shown, two of last year's do not;
	// some people open their ledger; a few fill in languages and links.
	declined := map[*person]bool{}
	for _, a := range g.awardsMade {
		if a.category == policy.AwardOutstandingMember && (a.rank == 2 || a.rank == 5) {
			declined[a.p] = true
		}
	}
	winners := map[*person]bool{}
	for _, a := range g.awardsMade {
		winners[a.p] = true
	}
	for i, p := range g.people {
		b := g.users[p]
		showcase := !declined[p] && (winners[p] || demoPerson[p.handle] || i%3 == 0)
		if showcase {
			b.SetShowcaseConsent(true)
			if i%4 == 0 { // those with a profile picture
				b.SetPhotoConsent(true)
			}
		}
		if i%5 == 1 || demoPerson[p.handle] && p.handle != "admin" {
			b.SetLedgerPublic(true)
		}
		if demoPerson[p.handle] || winners[p] && i%2 == 0 {
			langs := []string{"en"}
			if p.country == "CN" {
				langs = []string{"zh-CN", "en"}
			}
			b.SetLanguages(langs).SetLinks([]schematype.Link{
				{Label: "Blog", URL: "https://blog.example.org/" + p.handle},
				{Label: "Code", URL: "https://code.example.org/" + p.handle},
			})
		}
	}
}

// groupTally is the year's tally of one group's members (kinds as in tally).
func (g *gen) groupTally(gr *grp, year int, keep func(contribution.Kind) bool) tally {
	var out tally
	for _, m := range gr.members {
		if m.status != role.StatusACTIVE {
			continue
		}
		row := tallyRow{p: m.p, gr: gr}
		for _, e := range g.verified[credit{gr: gr, p: m.p}] {
			if e.at.Year() == year && !e.at.After(g.now) && (keep == nil || keep(e.kind)) {
				row.points += e.points
				row.count++
			}
		}
		if row.points > 0 {
			out = append(out, row)
		}
	}
	slices.SortStableFunc(out, func(a, b tallyRow) int {
		if c := cmp.Compare(b.points, a.points); c != 0 {
			return c
		}
		return cmp.Compare(a.p.handle, b.p.handle)
	})
	return out
}

// hanziName writes a pinyin name ("Wang Fang", family name first) in
// Chinese characters ("王芳"), as many openEuler members write theirs.
func hanziName(name string) string {
	family, given, ok := strings.Cut(name, " ")
	f, ok1 := hanziFamily[family]
	gv, ok2 := hanziGiven[given]
	if !ok || !ok1 || !ok2 {
		return name
	}
	return f + gv
}

var hanziFamily = map[string]string{"Wang": "王", "Li": "李", "Zhang": "张", "Liu": "刘", "Chen": "陈", "Yang": "杨",
	"Huang": "黄", "Zhao": "赵", "Wu": "吴", "Zhou": "周", "Xu": "徐", "Sun": "孙", "Ma": "马", "Zhu": "朱", "Hu": "胡",
	"Guo": "郭", "He": "何", "Lin": "林", "Gao": "高", "Luo": "罗", "Zheng": "郑", "Liang": "梁", "Xie": "谢", "Song": "宋",
	"Tang": "唐", "Han": "韩", "Feng": "冯", "Deng": "邓", "Cao": "曹", "Peng": "彭", "Zeng": "曾", "Xiao": "肖", "Tian": "田",
	"Dong": "董", "Pan": "潘", "Yuan": "袁", "Cai": "蔡", "Jiang": "蒋", "Yu": "余", "Du": "杜", "Ye": "叶", "Cheng": "程",
	"Wei": "魏", "Su": "苏", "Ding": "丁", "Ren": "任", "Shen": "沈", "Yao": "姚", "Lu": "卢", "Jin": "金", "Qian": "钱",
	"Fan": "范", "Fu": "傅", "Meng": "孟", "Qiu": "邱", "Bai": "白"}

var hanziGiven = map[string]string{"Wei": "伟", "Fang": "芳", "Min": "敏", "Jing": "静", "Lei": "磊", "Jun": "军",
	"Yang": "洋", "Yong": "勇", "Yan": "艳", "Jie": "杰", "Tao": "涛", "Ming": "明", "Chao": "超", "Xiu": "秀", "Hua": "华",
	"Ping": "平", "Gang": "刚", "Hui": "慧", "Lin": "琳", "Bo": "博", "Yu": "宇", "Hao": "浩", "Kai": "凯", "Xin": "欣",
	"Yue": "悦", "Qiang": "强", "Ning": "宁", "Dan": "丹", "Rui": "睿", "Ting": "婷", "Peng": "鹏", "Yi": "怡", "Shan": "珊",
	"Zhen": "振", "Zihan": "子涵", "Yuxuan": "宇轩", "Haoran": "浩然", "Yichen": "一辰", "Jiayi": "佳怡", "Xinyi": "欣怡",
	"Zixuan": "梓萱", "Mingyu": "明宇", "Junjie": "俊杰", "Siyu": "思雨", "Wenjing": "文静", "Xiaoming": "晓明",
	"Jianguo": "建国", "Guoqiang": "国强", "Haiyan": "海燕", "Lijuan": "丽娟", "Yanan": "亚楠", "Zhiwei": "志伟",
	"Tianyu": "天宇", "Ruoxi": "若曦", "Mengyao": "梦瑶", "Shuang": "爽", "Kexin": "可欣", "Yiran": "怡然", "Bowen": "博文",
	"Chenxi": "晨曦", "Jiahui": "佳慧", "Shiyu": "诗雨", "Yufei": "宇飞", "Zhihao": "志豪", "Xueying": "雪莹"}
