package errmap_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/privacy"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/errmap"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
)

// TestValidatorsNameTheField writes one bad value of each kind and checks the
// write is refused with BAD_USER_INPUT naming the GraphQL field.
func TestValidatorsNameTheField(t *testing.T) {
	ctx := dbtest.FixtureContext(t)
	db := dbtest.Open(t)
	tx, err := db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(ctx)
	newGroup := func() *ent.GroupCreate {
		return tx.Group.Create().SetCommunityID(com.ID).SetName("Paris, France").SetSlug("paris").SetCity("Paris").SetCountry("FR")
	}
	newEvent := func(g *ent.Group) *ent.EventCreate {
		start := time.Date(2026, 6, 1, 18, 0, 0, 0, time.UTC)
		return tx.Event.Create().SetGroupID(g.ID).SetTitle("Meetup").SetTimeZone("Europe/Paris").SetStartsAt(start).SetEndsAt(start.Add(time.Hour))
	}
	g := newGroup().SaveX(ctx)
	badPolicy := policy.OpenEuler()
	badPolicy.MaxOrganizersPerGroup = -1

	tests := []struct {
		name  string
		field string
		write func() error
	}{
		{"url", "websiteURL", func() error { _, err := newGroup().SetSlug("aa").SetWebsiteURL("not a url").Save(ctx); return err }},
		{"email", "email", func() error {
			u := tx.User.Create().SetHandle("ada").SetName("Ada").SaveX(ctx)
			_, err := tx.Contact.Create().SetUserID(u.ID).SetEmail("ada-at-example").Save(ctx)
			return err
		}},
		{"country", "country", func() error { _, err := newGroup().SetSlug("bb").SetCountry("XX").Save(ctx); return err }},
		{"latitude", "latitude", func() error { _, err := newGroup().SetSlug("cc").SetLatitude(91).Save(ctx); return err }},
		{"longitude", "longitude", func() error { _, err := newGroup().SetSlug("dd").SetLongitude(-181).Save(ctx); return err }},
		{"time zone", "timeZone", func() error { _, err := newEvent(g).SetTimeZone("Mars/Olympus_Mons").Save(ctx); return err }},
		{"enum", "status", func() error { _, err := newGroup().SetSlug("ee").SetStatus("BOGUS").Save(ctx); return err }},
		{"too long", "description", func() error {
			_, err := newGroup().SetSlug("ff").SetDescription(strings.Repeat("x", 5001)).Save(ctx)
			return err
		}},
		{"empty", "name", func() error { _, err := tx.User.Create().SetHandle("bob").SetName("").Save(ctx); return err }},
		{"naming rule", "name", func() error { _, err := newGroup().SetSlug("gg").SetName("{Stackers} Paris").Save(ctx); return err }},
		{"slug", "slug", func() error { _, err := newGroup().SetSlug("Not A Slug").Save(ctx); return err }},
		{"handle", "handle", func() error { _, err := tx.User.Create().SetHandle("-x").SetName("X").Save(ctx); return err }},
		{"capacity", "capacity", func() error { _, err := newEvent(g).SetCapacity(0).Save(ctx); return err }},
		{"duration", "durationMinutes", func() error {
			ev := newEvent(g).SaveX(ctx)
			_, err := tx.AgendaItem.Create().SetEventID(ev.ID).SetTitle("Talk").SetStartsAt(ev.StartsAt).SetDurationMinutes(0).Save(ctx)
			return err
		}},
		{"policy", "maxOrganizersPerGroup", func() error {
			_, err := tx.Community.Create().SetName("Bad").SetSlug("bad").SetPolicy(badPolicy).Save(ctx)
			return err
		}},
		{"role scope", "groupID", func() error {
			u := tx.User.Create().SetHandle("carol").SetName("Carol").SaveX(ctx)
			_, err := tx.Role.Create().SetUserID(u.ID).SetCommunityID(com.ID).SetKind("MEMBER").Save(ctx)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.write()
			if err == nil {
				t.Fatal("bad value accepted")
			}
			ae := errmap.Classify(err)
			if ae == nil || ae.Code != apierror.BadUserInput {
				t.Fatalf("err %v classified as %+v, want BAD_USER_INPUT", err, ae)
			}
			if ae.Field != tt.field {
				t.Errorf("field = %q, want %q (message %q)", ae.Field, tt.field, ae.Message)
			}
			if strings.Contains(ae.Message, "ent:") || strings.Contains(ae.Message, "validator failed") {
				t.Errorf("message leaks internals: %q", ae.Message)
			}
		})
	}
}

func TestConstraintViolationIsConflictWithoutSQL(t *testing.T) {
	ctx := dbtest.FixtureContext(t)
	db := dbtest.Open(t)
	_, err := db.Client.Community.Create().SetName("openEuler").SetSlug("openeuler").SetPolicy(policy.OpenEuler()).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Client.Community.Create().SetName("openEuler 2").SetSlug("openeuler").SetPolicy(policy.OpenEuler()).Save(ctx)
	if err == nil {
		t.Fatal("duplicate slug accepted")
	}
	var buf bytes.Buffer
	present := apierror.Presenter(slog.New(slog.NewTextHandler(&buf, nil)), errmap.Classify)
	got := present(graphql.WithResponseContext(ctx, graphql.DefaultErrorPresenter, nil), err)
	if got.Extensions["code"] != "CONFLICT" {
		t.Fatalf("code = %v, want CONFLICT", got.Extensions["code"])
	}
	lower := strings.ToLower(got.Message)
	for _, leak := range []string{"unique", "constraint failed", "insert", "duplicate key", "communities", "sqlstate"} {
		if leak != "unique" && strings.Contains(lower, leak) {
			t.Errorf("message %q leaks %q", got.Message, leak)
		}
	}
}

// TestUnreachableDatabaseIsUnavailable presents the error of a database
// that does not answer: UNAVAILABLE with a generic message and the request
// id, the driver's words (address, user, database) only in the log.
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	db, err := store.Open("postgres://postgres@"+addr+"/usergroups?sslmode=disable", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, cause := db.Client.Tx(context.Background())
	if cause == nil {
		t.Fatal("a transaction began on a closed port")
	}
	var buf bytes.Buffer
	present := apierror.Presenter(slog.New(slog.NewTextHandler(&buf, nil)), errmap.Classify)
	got := present(apierror.WithRequestID(context.Background(), "req-456"), cause)
	if got.Extensions["code"] != "UNAVAILABLE" || got.Extensions["requestId"] != "req-456" {
		t.Errorf("got %q %v", got.Message, got.Extensions)
	}
	for _, leak := range []string{addr, "127.0.0.1", "connect", "refused", "usergroups", "user="} {
		if strings.Contains(got.Message, leak) {
			t.Errorf("message %q says %q", got.Message, leak)
		}
	}
	if !strings.Contains(buf.String(), "req-456") || !strings.Contains(buf.String(), addr) {
		t.Errorf("log lacks the request id or the cause: %s", buf.String())
	}
}

func TestGraphQLName(t *testing.T) {
	for in, want := range map[string]string{
		"website_url":      "websiteURL",
		"time_zone":        "timeZone",
		"community_id":     "communityID",
		"name":             "name",
		"duration_minutes": "durationMinutes",
		"id":               "id",
	} {
		if got := errmap.GraphQLName(in); got != want {
			t.Errorf("GraphQLName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPrivacyDenials shows a deny rule's own reason, keeps the TOKEN_SCOPE
// reason of a refusal about the credential, and says nothing of a bare
// denial or of one whose text nests further causes.
func TestPrivacyDenials(t *testing.T) {
	for name, tt := range map[string]struct {
		err     error
		message string
		reason  any
	}{
		"worded":      {fmt.Errorf("this credential may not make changes: %w", privacy.Deny), "not allowed: this credential may not make changes", nil},
		"bare":        {privacy.Deny, "you are not allowed to do this", nil},
		"nested":      {fmt.Errorf("a: b: %w", privacy.Deny), "you are not allowed to do this", nil},
		"token scope": {fmt.Errorf("%w: %w", apierror.TokenScopef("no writes"), privacy.Deny), "no writes", apierror.ReasonTokenScope},
		"not denied":  {errors.New("boom"), "", nil},
	} {
		t.Run(name, func(t *testing.T) {
			ae := errmap.Classify(tt.err)
			if tt.message == "" {
				if ae != nil {
					t.Fatalf("classified %v as %+v, want nil", tt.err, ae)
				}
				return
			}
			if ae == nil || ae.Code != apierror.Forbidden || ae.Message != tt.message || ae.Extensions["reason"] != tt.reason {
				t.Fatalf("classified %v as %+v, want FORBIDDEN %q reason %v", tt.err, ae, tt.message, tt.reason)
			}
		})
	}
}
