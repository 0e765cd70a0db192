package authz_test

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/auditentry"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/privacy"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// TestEveryEntityHasAPolicy fails when an ent schema has no Policy method:
// a new entity must decide who reads and writes it before it can land.
func TestEveryEntityHasAPolicy(t *testing.T) {
	files, err := filepath.Glob("../../ent/schema/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no schema files: %v", err)
	}
	fset := token.NewFileSet()
	schemas, policies := map[string]bool{}, map[string]bool{}
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					ts, ok := s.(*ast.TypeSpec)
					if !ok {
						continue
					}
					if st, ok := ts.Type.(*ast.StructType); ok && embedsEntSchema(st) {
						schemas[ts.Name.Name] = true
					}
				}
			case *ast.FuncDecl:
				if d.Recv != nil && d.Name.Name == "Policy" && len(d.Recv.List) == 1 {
					if id, ok := d.Recv.List[0].Type.(*ast.Ident); ok {
						policies[id.Name] = true
					}
				}
			}
		}
	}
	if len(schemas) < 20 {
		t.Fatalf("found only %d schemas; is the path right?", len(schemas))
	}
	for s := range schemas {
		if !policies[s] {
			t.Errorf("ent schema %s has no Policy(): add one in internal/authz", s)
		}
	}
}

func embedsEntSchema(st *ast.StructType) bool {
	for _, f := range st.Fields.List {
		if sel, ok := f.Type.(*ast.SelectorExpr); ok && len(f.Names) == 0 && sel.Sel.Name == "Schema" {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "ent" {
				return true
			}
		}
	}
	return false
}

// TestWritesNeedPermission checks the default write rules: anonymous
// viewers and read-only tokens are refused, admins and the system pass.
func TestWritesNeedPermission(t *testing.T) {
	db := dbtest.Open(t)
	sys := dbtest.FixtureContext(t)
	create := func(ctx context.Context, slug string) error {
		return db.Client.Community.Create().SetName(slug).SetSlug(slug).SetPolicy(policy.OpenStack()).Exec(ctx)
	}
	readToken := &viewer.Viewer{UserID: "usr_01J00000000000000000000000", Token: &viewer.Token{Scopes: []string{"read"}},
		Roles: []viewer.Role{{Kind: viewer.Admin}}}
	for name, ctx := range map[string]context.Context{
		"anonymous":          context.Background(),
		"member":             viewer.NewContext(context.Background(), &viewer.Viewer{UserID: "usr_01J00000000000000000000000"}),
		"admin's read token": viewer.NewContext(context.Background(), readToken),
	} {
		if err := create(ctx, "c-"+name[:3]); err == nil || !isDeny(err) {
			t.Errorf("%s created a community: err = %v", name, err)
		}
	}
	// Nobody writes outside a workflow step: not an admin, not the system.
	admin := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: "usr_01J00000000000000000000000", Roles: []viewer.Role{{Kind: viewer.Admin}}})
	if err := create(admin, "by-admin"); err == nil || !isDeny(err) {
		t.Errorf("admin wrote outside a step: err = %v", err)
	}
	if err := create(viewer.SystemContext(context.Background()), "by-system"); err == nil || !isDeny(err) {
		t.Errorf("the system wrote outside a step: err = %v", err)
	}
	if err := create(sys, "by-fixture"); err != nil {
		t.Errorf("a test fixture was refused: %v", err)
	}
	// The change log is deleted from by its pruning step only, not by a
	// fixture nor the system.
	if _, err := db.Client.Change.Delete().Exec(sys); err == nil || !isDeny(err) {
		t.Errorf("change log deletable: err = %v", err)
	}
	if _, err := db.Client.Change.Delete().Exec(viewer.SystemContext(context.Background())); err == nil || !isDeny(err) {
		t.Errorf("change log deletable by the system: err = %v", err)
	}
	// The audit trail is append-only, even for a fixture.
	// (Its fields are immutable: an update has nothing to set, and is
	// refused anyway.)
	if err := db.Client.AuditEntry.Create().SetAction(auditentry.ActionACCESSED).SetNodeType("Event").SetNodeID("evt_1").Exec(sys); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Client.AuditEntry.Delete().Exec(sys); err == nil || !isDeny(err) {
		t.Errorf("audit trail deletable: err = %v", err)
	}
	if _, err := db.Client.AuditEntry.Update().Save(sys); err == nil || !isDeny(err) {
		t.Errorf("audit trail editable: err = %v", err)
	}
	// Read by the system and admins only.
	if n := db.Client.AuditEntry.Query().CountX(viewer.NewContext(context.Background(), &viewer.Viewer{UserID: "usr_01J00000000000000000000000",
		Roles: []viewer.Role{{Kind: viewer.CommunityManager, CommunityID: "com_a"}}})); n != 0 {
		t.Errorf("a community manager reads %d audit entries", n)
	}
	if n := db.Client.AuditEntry.Query().CountX(admin); n != 1 {
		t.Errorf("an admin reads %d audit entries, want 1", n)
	}
}

func isDeny(err error) bool { return errors.Is(err, privacy.Deny) }

func TestViewerCan(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	g := &ent.Group{ID: "grp_1", CommunityID: "com_a", Status: group.StatusACTIVE}
	proposed := &ent.Group{ID: "grp_2", CommunityID: "com_a", Status: group.StatusPROPOSED}
	ev := &ent.Event{ID: "evt_1", GroupID: "grp_1", CommunityID: "com_a", Status: event.StatusPUBLISHED,
		Visibility: event.VisibilityPUBLIC, StartsAt: now.Add(time.Hour)}
	closed := *ev
	closed.Visibility = event.VisibilityMEMBERS_ONLY
	past := *ev
	past.StartsAt = now.Add(-time.Hour)
	app := &ent.Application{ID: "app_1", CommunityID: "com_a", GroupID: "grp_1", RegionID: "reg_r",
		ApplicantID: "usr_t", Kind: application.KindMEMBERSHIP, Status: application.StatusSUBMITTED}
	decided := *app
	decided.Status = application.StatusAPPROVED

	anon := &viewer.Viewer{}
	member := &viewer.Viewer{UserID: "usr_m", Roles: []viewer.Role{{Kind: viewer.Member, CommunityID: "com_a", GroupID: "grp_1"}}}
	stranger := &viewer.Viewer{UserID: "usr_s"}
	organizer := &viewer.Viewer{UserID: "usr_o", Roles: []viewer.Role{{Kind: viewer.Organizer, CommunityID: "com_a", GroupID: "grp_1"}}}
	ambassador := &viewer.Viewer{UserID: "usr_a", Roles: []viewer.Role{{Kind: viewer.Ambassador, CommunityID: "com_a", RegionID: "reg_r"}}}
	manager := &viewer.Viewer{UserID: "usr_c", Roles: []viewer.Role{{Kind: viewer.CommunityManager, CommunityID: "com_a"}}}
	otherManager := &viewer.Viewer{UserID: "usr_d", Roles: []viewer.Role{{Kind: viewer.CommunityManager, CommunityID: "com_b"}}}
	applicant := &viewer.Viewer{UserID: "usr_t", Roles: []viewer.Role{{Kind: viewer.CommunityManager, CommunityID: "com_a"}}}
	readToken := &viewer.Viewer{UserID: "usr_c", Token: &viewer.Token{Scopes: []string{"read"}}, Roles: manager.Roles}

	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"anonymous administers", authz.CanAdministerGroup(anon, g), false},
		{"member administers", authz.CanAdministerGroup(member, g), false},
		{"organizer administers", authz.CanAdministerGroup(organizer, g), true},
		{"manager administers", authz.CanAdministerGroup(manager, g), true},
		{"other manager administers", authz.CanAdministerGroup(otherManager, g), false},
		{"read token administers", authz.CanAdministerGroup(readToken, g), false},
		{"stranger joins", authz.CanJoinGroup(stranger, g), true},
		{"member joins again", authz.CanJoinGroup(member, g), false},
		{"anonymous joins", authz.CanJoinGroup(anon, g), false},
		{"stranger joins a proposed group", authz.CanJoinGroup(stranger, proposed), false},
		{"organizer reviews membership", authz.CanReviewApplication(organizer, app), true},
		{"ambassador of the region reviews", authz.CanReviewApplication(ambassador, app), true},
		{"manager reviews", authz.CanReviewApplication(manager, app), true},
		{"other manager reviews", authz.CanReviewApplication(otherManager, app), false},
		{"applicant reviews own", authz.CanReviewApplication(applicant, app), false},
		{"member reviews", authz.CanReviewApplication(member, app), false},
		{"manager reviews a decided one", authz.CanReviewApplication(manager, &decided), false},
		{"organizer edits event", authz.CanEditEvent(organizer, ev), true},
		{"manager edits event", authz.CanEditEvent(manager, ev), true},
		{"member edits event", authz.CanEditEvent(member, ev), false},
		{"stranger registers", authz.CanRegisterForEvent(stranger, ev, now), true},
		{"stranger registers members-only", authz.CanRegisterForEvent(stranger, &closed, now), false},
		{"member registers members-only", authz.CanRegisterForEvent(member, &closed, now), true},
		{"registers for a past event", authz.CanRegisterForEvent(member, &past, now), false},
		{"anonymous registers", authz.CanRegisterForEvent(anon, ev, now), false},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}
