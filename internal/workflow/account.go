package workflow

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contact"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Identity is what an identity provider vouches for about a person signing
// in (the verified claims of their token).
type Identity struct {
	Issuer            string
	Subject           string
	Name              string
	PreferredUsername string
	Email             string
	EmailVerified     bool
}

// SignIn finds the person an identity provider vouches for, creating them
// on first sign-in from the claims' name and email. Only the system signs
// people in (authentication, before anyone is). The common case — the
// person exists — is one read and no transaction; concurrent first
// sign-ins create one person: the loser of the race finds the winner's row.
func (r *Runner) SignIn(ctx context.Context, id Identity) (*ent.User, error) {
	if !viewer.FromContext(ctx).IsSystem() {
		return nil, apierror.Forbiddenf("only the system signs people in")
	}
	find := func() (*ent.User, error) {
		return r.client.User.Query().Where(user.OidcIssuer(id.Issuer), user.OidcSubject(id.Subject)).Only(ctx)
	}
	u, err := find()
	if err == nil || !ent.IsNotFound(err) {
		return u, err
	}
	u, err = run(ctx, r, "sign in", func(ctx context.Context, c *ent.Client, _ time.Time) (*ent.User, error) {
		return createPerson(ctx, c, id)
	})
	if ent.IsConstraintError(err) {
		return find()
	}
	return u, err
}

// createPerson creates the person of a first sign-in, with the verified
// email the provider vouches for unless another person already uses it
// (their account is theirs; staff can merge later).
func createPerson(ctx context.Context, c *ent.Client, id Identity) (*ent.User, error) {
	all := authz.Unfiltered(ctx)
	handle, err := freeHandle(all, c, id)
	if err != nil {
		return nil, err
	}
	u, err := c.User.Create().
		SetHandle(handle).
		SetName(truncate(displayName(id), 100)).
		SetOidcIssuer(id.Issuer).
		SetOidcSubject(id.Subject).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	if id.Email != "" && id.EmailVerified && policy.ValidateEmail(id.Email) == nil {
		taken, err := c.Contact.Query().Where(contact.EmailEqualFold(id.Email)).Exist(all)
		if err != nil {
			return nil, err
		}
		if !taken {
			if err := c.Contact.Create().SetUserID(u.ID).SetEmail(id.Email).Exec(ctx); err != nil {
				return nil, err
			}
		}
	}
	return u, nil
}

// displayName is the name a new person starts with: the one the provider
// gives, else their username, else their email's local part.
func displayName(id Identity) string {
	for _, name := range []string{strings.TrimSpace(id.Name), id.PreferredUsername} {
		if name != "" {
			return name
		}
	}
	if local, _, _ := strings.Cut(id.Email, "@"); local != "" {
		return local
	}
	return "New member"
}

// freeHandle derives an unused handle from the claims.
func freeHandle(ctx context.Context, c *ent.Client, id Identity) (string, error) {
	base := id.PreferredUsername
	if base == "" {
		base, _, _ = strings.Cut(id.Email, "@")
	}
	base = strings.Trim(handleChars(strings.ToLower(base)), "-_.")
	if len(base) < 2 {
		base = "member"
	}
	base = truncate(base, 30)
	for i := 0; i < 50; i++ {
		h := base
		if i > 0 {
			h = fmt.Sprintf("%s-%d", base, i+1)
		}
		taken, err := c.User.Query().Where(user.Handle(h)).Exist(ctx)
		if err != nil {
			return "", err
		}
		if !taken {
			return h, nil
		}
	}
	return fmt.Sprintf("%s-%s", truncate(base, 20), strings.ToLower(string(pulid.New("x"))[2:10])), nil
}

// handleChars replaces what a handle may not hold with '-'.
func handleChars(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			return r
		}
		return '-'
	}, s)
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
