package workflow

import (
	"context"
	"strings"
	"time"
	"unicode"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/certificate"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
)

// Certificate codes are 12 characters of inviteAlphabet (60 bits, no
// look-alikes: they are typed from paper too), printed in groups of four.
const (
	certificateCodeLen   = 12
	certificateCodeGroup = 4
)

// newCertificateCode returns a fresh random code, "ABCD-EFGH-JKLM".
func newCertificateCode() (string, error) {
	raw, err := randomCode(certificateCodeLen)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i, r := range raw {
		if i > 0 && i%certificateCodeGroup == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String(), nil
}

// NormalizeCertificateCode returns code as it is stored: what people type
// or paste (any case, spaces around or inside, with or without the
// hyphens) names the same certificate. The second result is false when it
// cannot be a code at all, so callers answer "unknown" without a query.
func NormalizeCertificateCode(code string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == '-' || unicode.IsSpace(r):
			continue
		case r > 127 || !strings.ContainsRune(inviteAlphabet, r):
			return "", false
		}
		if b.Len() > 0 && b.Len()%(certificateCodeGroup+1) == certificateCodeGroup {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	if b.Len() != certificateCodeLen+certificateCodeLen/certificateCodeGroup-1 {
		return "", false
	}
	return b.String(), true
}

// issueMembershipCertificate issues the membership certificate of ro, a new
// ACTIVE MEMBER role in com's group, in the step's transaction. It prints
// the holder's, community's and group's names as they are now.
func issueMembershipCertificate(ctx context.Context, c *ent.Client, ro *ent.Role, com *ent.Community, now time.Time) (*ent.Certificate, error) {
	all := authz.Unfiltered(ctx)
	holder, err := c.User.Get(all, ro.UserID)
	if err != nil {
		return nil, err
	}
	g, err := c.Group.Get(all, ro.GroupID)
	if err != nil {
		return nil, err
	}
	code, err := newCertificateCode()
	if err != nil {
		return nil, err
	}
	return c.Certificate.Create().SetKind(certificate.KindMEMBERSHIP).SetCode(code).
		SetCommunityID(com.ID).SetUserID(ro.UserID).SetGroupID(g.ID).SetRoleID(ro.ID).
		SetHolderName(holder.Name).SetCommunityName(com.Name).SetGroupName(g.Name).
		SetIssuedAt(now).Save(ctx)
}

// issueAwardCertificate issues the certificate of award a in the step's
// transaction (decideAwards calls it for each award): the award's title and
// year, the winner's name and, when the award names one, the group. One
// award has one certificate (a unique index): a second call is a CONFLICT.
func issueAwardCertificate(ctx context.Context, c *ent.Client, a *ent.Award, now time.Time) (*ent.Certificate, error) {
	all := authz.Unfiltered(ctx)
	holder, err := c.User.Get(all, a.UserID)
	if err != nil {
		return nil, err
	}
	com, err := c.Community.Get(all, a.CommunityID)
	if err != nil {
		return nil, err
	}
	code, err := newCertificateCode()
	if err != nil {
		return nil, err
	}
	cc := c.Certificate.Create().SetKind(certificate.KindAWARD).SetCode(code).
		SetCommunityID(com.ID).SetUserID(a.UserID).SetAwardID(a.ID).
		SetHolderName(holder.Name).SetCommunityName(com.Name).
		SetTitle(a.Title).SetYear(a.Year).SetIssuedAt(now)
	if a.GroupID != "" {
		g, err := c.Group.Get(all, a.GroupID)
		if err != nil {
			return nil, err
		}
		cc.SetGroupID(g.ID).SetGroupName(g.Name)
	}
	crt, err := cc.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, apierror.Conflictf("the award already has its certificate")
	}
	return crt, err
}

// VerifiedCertificate returns the certificate with code, for its public
// verification (GET /certificates/{code}): anyone holding the code may
// read what it states, so this one row is read past the privacy rules.
// An unknown or malformed code is NOT_FOUND.
func (r *Runner) VerifiedCertificate(ctx context.Context, code string) (*ent.Certificate, error) {
	norm, ok := NormalizeCertificateCode(code)
	if !ok {
		return nil, apierror.NotFoundf("no certificate with that code")
	}
	crt, err := r.reader(ctx).Certificate.Query().Where(certificate.Code(norm)).Only(authz.Unfiltered(ctx))
	if ent.IsNotFound(err) {
		return nil, apierror.NotFoundf("no certificate with that code")
	}
	return crt, err
}
