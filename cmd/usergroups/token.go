package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/apitoken"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/contact"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/seed"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

const tokenUsage = `Usage:
  usergroups token create --user EMAIL|HANDLE --scopes read[,write|events,checkin,…] [--expires 90d] [--name NAME]
  usergroups token list   [--user EMAIL|HANDLE]
  usergroups token revoke --id TOKEN_ID
  usergroups token demo   [--expires 30d]

Manage API tokens for third-party tools. The secret is printed once, at creation;
only its hash is stored. "token demo" creates a read and write token for each of
the demo data set's people (README.md) and prints them as shell exports.
`

func tokenCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, tokenUsage)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	// The command line is an operator's tool: it acts as the system.
	ctx = viewer.SystemContext(ctx)
	switch args[0] {
	case "create":
		return tokenCreate(ctx, args[1:], stdout, stderr)
	case "list":
		return tokenList(ctx, args[1:], stdout, stderr)
	case "revoke":
		return tokenRevoke(ctx, args[1:], stdout, stderr)
	case "demo":
		return tokenDemo(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "usergroups token: unknown action %q\n\n%s", args[0], tokenUsage)
	return errUsage
}

func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token create", "Create an API token for a person and print its secret once.", stderr)
	database := databaseFlag(fs)
	who := fs.String("user", "", "the person: email address or handle (required)")
	scopes := fs.String("scopes", "read", "comma-separated scopes: read, write, or read areas and write scopes (events, events:write, checkin, …; see docs/tools.md)")
	expires := fs.String("expires", "", fmt.Sprintf("lifetime in days such as 90d (%d to %d); empty never expires", policy.MinTokenDays, policy.MaxTokenDays))
	name := fs.String("name", "command line", "what the token is for")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *who == "" {
		fmt.Fprintln(stderr, "usergroups token create: --user is required")
		return errUsage
	}
	var days *int
	if *expires != "" {
		n, err := parseLifetime(*expires)
		if err != nil {
			return err
		}
		days = &n
	}
	db, err := openMigrated(ctx, *database)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := findUser(ctx, db.Client, *who)
	if err != nil {
		return err
	}
	t, err := workflow.NewRunner(db.Client, time.Now).CreateAPIToken(ctx, workflow.NewToken{
		OwnerID: u.ID, Name: *name, Scopes: splitList(*scopes), ExpiresInDays: days,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "created token %s for %s (scopes %s); it is shown only now:\n", t.Token.ID, u.Handle, strings.Join(t.Token.Scopes, ","))
	fmt.Fprintln(stdout, t.Secret)
	return nil
}

func tokenList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token list", "List API tokens (never their secrets).", stderr)
	database := databaseFlag(fs)
	who := fs.String("user", "", "only this person's tokens: email address or handle")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *database)
	if err != nil {
		return err
	}
	defer db.Close()
	q := db.Client.APIToken.Query().WithOwner().Order(ent.Asc(apitoken.FieldCreatedAt))
	if *who != "" {
		u, err := findUser(ctx, db.Client, *who)
		if err != nil {
			return err
		}
		q.Where(apitoken.OwnerID(u.ID))
	}
	toks, err := q.All(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tOWNER\tNAME\tSTARTS\tSCOPES\tLAST USED\tEXPIRES\tSTATE")
	for _, t := range toks {
		state := "active"
		switch {
		case t.RevokedAt != nil:
			state = "revoked"
		case t.ExpiresAt != nil && time.Now().After(*t.ExpiresAt):
			state = "expired"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s…\t%s\t%s\t%s\t%s\n", t.ID, t.Edges.Owner.Handle, t.Name, t.Hint,
			strings.Join(t.Scopes, ","), when(t.LastUsedAt), when(t.ExpiresAt), state)
	}
	return w.Flush()
}

func tokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token revoke", "Revoke an API token; requests with it fail from then on.", stderr)
	database := databaseFlag(fs)
	id := fs.String("id", "", "the token's id, as printed by create and list (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *id == "" {
		fmt.Fprintln(stderr, "usergroups token revoke: --id is required")
		return errUsage
	}
	db, err := openMigrated(ctx, *database)
	if err != nil {
		return err
	}
	defer db.Close()
	tok, err := workflow.NewRunner(db.Client, time.Now).RevokeAPIToken(ctx, pulid.ID(*id))
	if ae := (*apierror.Error)(nil); errors.As(err, &ae) && ae.Code == apierror.NotFound {
		return fmt.Errorf("no token %s", *id)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked %s (%s)\n", tok.ID, tok.Name)
	return nil
}

// tokenDemo signs a reader in as each of the demo's people: one token
// per role, printed as `export TOKEN_<ROLE>=…` lines for a shell's eval,
// after checking that the person still holds the role the README gives
// them (the data set is generated; a change to it shows here, not as a
// confusing FORBIDDEN in an example).
func tokenDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token demo", "Create a read and write token for each of the demo's people and print them as shell exports.", stderr)
	database := databaseFlag(fs)
	expires := fs.String("expires", "30d", fmt.Sprintf("lifetime in days (%d to %d)", policy.MinTokenDays, policy.MaxTokenDays))
	if err := parse(fs, args); err != nil {
		return err
	}
	days, err := parseLifetime(*expires)
	if err != nil {
		return err
	}
	db, err := openMigrated(ctx, *database)
	if err != nil {
		return err
	}
	defer db.Close()
	runner := workflow.NewRunner(db.Client, time.Now)
	var out strings.Builder
	for _, p := range seed.People {
		u, err := findUser(ctx, db.Client, p.Handle)
		if err != nil {
			return fmt.Errorf("%w (is this the demo data set? load it with serve --demo or seed --demo)", err)
		}
		held := []predicate.Role{role.UserID(u.ID), role.KindEQ(p.Kind), role.StatusEQ(role.StatusACTIVE)}
		if p.Community != "" {
			held = append(held, role.HasCommunityWith(community.Slug(p.Community)))
		}
		if p.Group != "" {
			held = append(held, role.HasGroupWith(group.Slug(p.Group)))
		}
		ok, err := db.Client.Role.Query().Where(held...).Exist(ctx)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s no longer holds %s in %s %s: the demo data set changed; update seed.People and README.md", p.Handle, p.Kind, p.Community, p.Group)
		}
		t, err := runner.CreateAPIToken(ctx, workflow.NewToken{
			OwnerID: u.ID, Name: "demo: " + strings.ToLower(p.Var), Scopes: []string{viewer.ScopeRead, viewer.ScopeWrite}, ExpiresInDays: &days,
		})
		if err != nil {
			return err
		}
		// No comment on the line: an unquoted $(…) joins the lines, and
		// a comment would swallow the rest.
		fmt.Fprintf(&out, "export TOKEN_%s=%s\n", p.Var, t.Secret)
		fmt.Fprintf(stderr, "TOKEN_%s: %s (%s)\n", p.Var, p.Handle, strings.ToLower(string(p.Kind)))
	}
	fmt.Fprintf(stderr, "created %d demo tokens (read and write, %d days); load them with: eval \"$(make demo-tokens)\"\n", len(seed.People), days)
	_, err = io.WriteString(stdout, out.String())
	return err
}

// findUser finds a person by email (their private contact) or handle.
func findUser(ctx context.Context, c *ent.Client, who string) (*ent.User, error) {
	var q *ent.UserQuery
	if strings.Contains(who, "@") {
		q = c.User.Query().Where(user.HasContactWith(contact.EmailEqualFold(who)))
	} else {
		q = c.User.Query().Where(user.Handle(who))
	}
	u, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, fmt.Errorf("no person with email or handle %q", who)
	}
	return u, err
}

// parseLifetime reads a lifetime in days ("90d") within the one limit
// every path that creates a token checks (policy.TokenLifetime).
func parseLifetime(s string) (int, error) {
	days, ok := strings.CutSuffix(s, "d")
	n, err := strconv.Atoi(days)
	if !ok || err != nil || policy.TokenLifetime(n) != nil {
		return 0, fmt.Errorf("--expires %q: use a number of days from %d to %d, e.g. 90d", s, policy.MinTokenDays, policy.MaxTokenDays)
	}
	return n, nil
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}
