package bench_test

import (
	"context"
	"testing"

	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/bench"
	"github.com/usergroups/usergroups/internal/dbtest"
)

func TestLoad(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	d, err := bench.Load(ctx, db.Client, bench.Size{Groups: 3, Members: 4})
	if err != nil {
		t.Fatal(err)
	}
	sys := authz.Unfiltered(ctx)
	if n := db.Client.Role.Query().CountX(sys); n != 12 {
		t.Errorf("%d roles, want 12", n)
	}
	if n := db.Client.Event.Query().CountX(sys); n != 15 || len(d.Events) != 15 {
		t.Errorf("%d events, want 15", n)
	}
}
