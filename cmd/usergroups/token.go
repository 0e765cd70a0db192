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
	"github.com/usergroups/usergroups/ent/contact"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

const tokenUsage = `Usage:
  usergroups token create --user EMAIL|HANDLE --scopes read[,write] [--expires 90d] [--name NAME]
  usergroups token list   [--user EMAIL|HANDLE]
  usergroups token revoke --id TOKEN_ID

Manage API tokens for third-party tools. The secret is printed once, at creation;
only its hash is stored.
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
	}
	fmt.Fprintf(stderr, "usergroups token: unknown action %q\n\n%s", args[0], tokenUsage)
	return errUsage
}

func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token create", "Create an API token for a person and print its secret once.", stderr)
	database := databaseFlag(fs)
	who := fs.String("user", "", "the person: email address or handle (required)")
	scopes := fs.String("scopes", "read", "comma-separated scopes: read, write")
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
