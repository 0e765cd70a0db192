package workflow_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/certificate"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

var certificateCode = regexp.MustCompile(`^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$`)

// certificatesOf lists every certificate of userID, past the privacy rules.
func (w *world) certificatesOf(userID any) []*ent.Certificate {
	w.t.Helper()
	q := w.Client.Certificate.Query()
	switch u := userID.(type) {
	case *ent.User:
		q.Where(certificate.UserID(u.ID))
	}
	out, err := q.All(w.System())
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

func TestJoiningIssuesAMembershipCertificateWhereThePolicySays(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	euler := w.Community(policy.OpenEuler(), func(c *ent.CommunityCreate) { c.SetName("欧拉社区") })
	beijing := w.Group(euler, group.StatusACTIVE, func(g *ent.GroupCreate) { g.SetName("北京用户组") })
	org := w.Person(role.KindORGANIZER, beijing)
	zhang := w.User(func(u *ent.UserCreate) { u.SetName("张伟") })
	inv, err := w.Runner.CreateInvite(w.As(org.ID), beijing.ID, nil, nil)
	noErr(t, "invite", err)
	ro, err := w.Runner.RedeemInvite(w.As(zhang.ID), inv.Code)
	noErr(t, "join", err)

	got := w.certificatesOf(zhang)
	if len(got) != 1 {
		t.Fatalf("joining openEuler issued %d certificates, want 1", len(got))
	}
	crt := got[0]
	if crt.Kind != certificate.KindMEMBERSHIP || crt.HolderName != "张伟" || crt.CommunityName != "欧拉社区" ||
		crt.GroupName != "北京用户组" || crt.RoleID != ro.ID || crt.GroupID != beijing.ID || crt.CommunityID != euler.ID ||
		!crt.IssuedAt.Equal(w.Now()) || crt.Title != "" || crt.Year != nil || crt.AwardID != "" {
		t.Errorf("membership certificate: %+v", crt)
	}
	if !certificateCode.MatchString(crt.Code) {
		t.Errorf("code %q is not three groups of four unambiguous characters", crt.Code)
	}
	// The organizer's own role was a fixture, not a join: no certificate.
	if n := len(w.certificatesOf(org)); n != 0 {
		t.Errorf("the organizer has %d certificates", n)
	}

	// The holder sees it; another member, a read token of someone else and
	// an anonymous visitor do not.
	if n, err := w.Client.Certificate.Query().Count(w.As(zhang.ID)); err != nil || n != 1 {
		t.Errorf("the holder sees %d certificates (%v), want 1", n, err)
	}
	if n, err := w.Client.Certificate.Query().Count(w.AsToken(zhang.ID, "read")); err != nil || n != 1 {
		t.Errorf("the holder's token sees %d certificates (%v), want 1", n, err)
	}
	other := w.Person(role.KindMEMBER, beijing)
	for name, ctx := range map[string]context.Context{"another member": w.As(other.ID), "an organizer": w.As(org.ID),
		"another's token": w.AsToken(other.ID, "read"), "anonymous": w.Anonymous()} {
		if n, err := w.Client.Certificate.Query().Count(ctx); err != nil || n != 0 {
			t.Errorf("%s sees %d certificates (%v)", name, n, err)
		}
	}

	// OpenStack issues none.
	stack := w.Group(w.Community(policy.OpenStack()), group.StatusACTIVE)
	ada := w.User()
	res, err := w.Runner.JoinGroup(w.As(ada.ID), workflow.JoinRequest{GroupID: stack.ID})
	noErr(t, "join OpenStack", err)
	if res.Role == nil {
		t.Fatal("OpenStack's membership is open: want a role at once")
	}
	if n := len(w.certificatesOf(ada)); n != 0 {
		t.Errorf("joining OpenStack issued %d certificates, want none", n)
	}
}

func TestJoiningByApprovalIssuesTheCertificateOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	euler := w.Community(policy.OpenEuler())
	g := w.Group(euler, group.StatusACTIVE)
	org := w.Person(role.KindORGANIZER, g)
	li := w.User()
	res, err := w.Runner.JoinGroup(w.As(li.ID), workflow.JoinRequest{GroupID: g.ID, ArticleURL: "https://example.org/my-article"})
	noErr(t, "ask to join", err)
	if res.Application == nil {
		t.Fatal("openEuler asks the organizers: want an application")
	}
	if n := len(w.certificatesOf(li)); n != 0 {
		t.Fatalf("a request to join issued %d certificates", n)
	}
	_, err = w.Runner.Approve(w.As(org.ID), res.Application.ID)
	noErr(t, "approve", err)
	got := w.certificatesOf(li)
	if len(got) != 1 || got[0].Kind != certificate.KindMEMBERSHIP || got[0].HolderName != li.Name {
		t.Fatalf("after approval: %+v", got)
	}
}

func TestIssueAwardCertificate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	euler := w.Community(policy.OpenEuler(), func(c *ent.CommunityCreate) { c.SetName("欧拉社区") })
	g := w.Group(euler, group.StatusACTIVE, func(g *ent.GroupCreate) { g.SetName("上海用户组") })
	wei := w.User(func(u *ent.UserCreate) { u.SetName("王芳") })
	award := func(title string, groupID any) *ent.Award {
		return create(w, func(ctx context.Context, c *ent.Client) (*ent.Award, error) {
			b := c.Award.Create().SetCommunityID(euler.ID).SetUserID(wei.ID).SetYear(2026).
				SetTitle(title).SetRank(1).SetCategory("OUTSTANDING_MEMBER")
			if gr, ok := groupID.(*ent.Group); ok {
				b.SetGroupID(gr.ID)
			}
			return b.Save(ctx)
		})
	}
	issue := func(a *ent.Award) (*ent.Certificate, error) {
		return workflow.Run(w.System(), w.Runner, "issue award certificate", func(ctx context.Context, c *ent.Client, now time.Time) (*ent.Certificate, error) {
			return workflow.IssueAwardCertificate(ctx, c, a, now)
		})
	}
	withGroup := award("Outstanding member", g)
	crt, err := issue(withGroup)
	noErr(t, "issue", err)
	if crt.Kind != certificate.KindAWARD || crt.HolderName != "王芳" || crt.CommunityName != "欧拉社区" ||
		crt.GroupName != "上海用户组" || crt.Title != "Outstanding member" || crt.Year == nil || *crt.Year != 2026 ||
		crt.AwardID != withGroup.ID || crt.RoleID != "" || !crt.IssuedAt.Equal(w.Now()) || !certificateCode.MatchString(crt.Code) {
		t.Errorf("award certificate: %+v", crt)
	}
	_, err = issue(withGroup)
	wantCode(t, err, apierror.Conflict)

	bare, err := issue(award("Best content", nil))
	noErr(t, "issue without a group", err)
	if bare.GroupName != "" || bare.GroupID != "" || bare.Code == crt.Code {
		t.Errorf("award certificate without a group: %+v", bare)
	}
	if n := len(w.certificatesOf(wei)); n != 2 {
		t.Errorf("%d certificates, want 2", n)
	}
}

func TestVerifiedCertificateTakesTheCodeAsTyped(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	g := w.Group(w.Community(policy.OpenEuler()), group.StatusACTIVE)
	org := w.Person(role.KindORGANIZER, g)
	u := w.User()
	inv, err := w.Runner.CreateInvite(w.As(org.ID), g.ID, nil, nil)
	noErr(t, "invite", err)
	_, err = w.Runner.RedeemInvite(w.As(u.ID), inv.Code)
	noErr(t, "join", err)
	crt := w.certificatesOf(u)[0]

	bare := strings.ReplaceAll(crt.Code, "-", "")
	for _, typed := range []string{crt.Code, strings.ToLower(crt.Code), "  " + crt.Code + "\n", bare, strings.ToLower(bare[:6]) + " " + bare[6:]} {
		got, err := w.Runner.VerifiedCertificate(w.Anonymous(), typed)
		if err != nil || got.ID != crt.ID {
			t.Errorf("%q: %v %v", typed, got, err)
		}
	}
	for _, typed := range []string{"", "ABCD-EFGH-JKLM", crt.Code + "A", bare[:11], "I0O1-" + crt.Code[5:], "ÄBCD-EFGH-JKLM"} {
		_, err := w.Runner.VerifiedCertificate(w.Anonymous(), typed)
		wantCode(t, err, apierror.NotFound)
	}
}

func TestNormalizeCertificateCode(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"ABCD-EFGH-JKLM", "ABCD-EFGH-JKLM", true},
		{" abcd efgh jklm ", "ABCD-EFGH-JKLM", true},
		{"abcdefghjklm", "ABCD-EFGH-JKLM", true},
		{"AB-CDEF-GHJ-KLM", "ABCD-EFGH-JKLM", true},
		{"ABCD-EFGH-JKL", "", false},
		{"ABCD-EFGH-JKLMN", "", false},
		{"ABCD-EFGH-JKL0", "", false}, // 0 is not in the alphabet (O is)
		{"ABCD/EFGH/JKLM", "", false},
		{"", "", false},
	} {
		got, ok := workflow.NormalizeCertificateCode(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("NormalizeCertificateCode(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
