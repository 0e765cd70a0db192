package server_test

import (
	"fmt"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/99designs/gqlgen/client"

	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// TestPeopleNamedInApplications: who settled a conflict and who did a
// handover step are Users, loaded once for a whole page of applications
// (the statements do not grow with the page), as the viewer may see them.
func TestPeopleNamedInApplications(t *testing.T) {
	var counter *dbtest.Counter
	db := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	sys := dbtest.FixtureContext(t)
	tx, err := db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	staff := tx.User.Create().SetHandle("staff").SetName("Staff").SaveX(sys)
	tx.Role.Create().SetUserID(staff.ID).SetCommunityID(com.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	now := time.Now()
	for i := range 12 {
		settler := tx.User.Create().SetHandle(fmt.Sprintf("settler%d", i)).SetName("Settler").SaveX(sys)
		doer := tx.User.Create().SetHandle(fmt.Sprintf("doer%d", i)).SetName("Doer").SaveX(sys)
		applicant := tx.User.Create().SetHandle(fmt.Sprintf("applicant%d", i)).SetName("Applicant").SaveX(sys)
		g := tx.Group.Create().SetCommunityID(com.ID).SetName("Oakland " + string(rune('A'+i))).SetSlug(fmt.Sprintf("g%d", i)).
			SetCity("Oakland").SetCountry("US").SetStatus("ACTIVE").SaveX(sys)
		tx.Application.Create().SetCommunityID(com.ID).SetApplicantID(applicant.ID).SetGroupID(g.ID).
			SetKind(application.KindOFFICIAL_STATUS).
			SetScreening(schematype.Screening{Conflicts: []schematype.Conflict{
				{GroupID: string(g.ID), Name: "Near", City: "Oakland", Status: "ACTIVE", ResolvedAt: &now, ResolvedBy: string(settler.ID)},
				{GroupID: string(g.ID), Name: "Open", City: "Oakland", Status: "PROPOSED"},
			}}).
			SetChecklist(schematype.HandoverChecklist{Items: []schematype.ChecklistItem{
				{Key: policy.StepMentoring, Label: "Mentoring", DoneAt: &now, DoneBy: string(doer.ID)},
				{Key: policy.StepRequirements, Label: "Requirements"},
			}}).ExecX(sys)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	c := signedIn(t, db, staff.ID)
	const board = `query($n: Int) { approvalQueue(community: "openstack", filter: {kinds: [OFFICIAL_STATUS]}) {
		applications(first: $n) { edges { node {
			screening { conflicts { status resolvedBy { handle } } }
			checklist { items { key doneBy { handle } } } } } } } }`
	var statements []int64
	for _, n := range []int{2, 12} {
		var resp struct {
			ApprovalQueue struct {
				Applications struct {
					Edges []struct {
						Node struct {
							Screening struct {
								Conflicts []struct {
									Status     string
									ResolvedBy *struct{ Handle string }
								}
							}
							Checklist struct {
								Items []struct {
									Key    string
									DoneBy *struct{ Handle string }
								}
							}
						}
					}
				}
			}
		}
		counter.Reset()
		c.MustPost(board, &resp, client.Var("n", n))
		statements = append(statements, counter.Count())
		edges := resp.ApprovalQueue.Applications.Edges
		if len(edges) != n {
			t.Fatalf("%d applications, want %d", len(edges), n)
		}
		for _, e := range edges {
			cs, items := e.Node.Screening.Conflicts, e.Node.Checklist.Items
			if len(cs) != 2 || cs[0].ResolvedBy == nil || cs[0].Status != "ACTIVE" || cs[1].ResolvedBy != nil || cs[1].Status != "PROPOSED" {
				t.Errorf("conflicts: %+v", cs)
			}
			if len(items) != 2 || items[0].Key != "MENTORING_COMPLETE" || items[0].DoneBy == nil || items[1].DoneBy != nil {
				t.Errorf("checklist: %+v", items)
			}
		}
	}
	if statements[0] != statements[1] {
		t.Errorf("statements for 2 and 12 applications: %v (the people must load once per page)", statements)
	}
}
