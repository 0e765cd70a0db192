package server_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/server"
)

// FuzzIDsAndCursors: node ids and connection cursors are strings a client
// makes up. Whatever they hold, the API answers with data or with errors
// that carry a client code — never a panic or an INTERNAL error — and a
// cursor never opens rows the first page would not show.
func FuzzIDsAndCursors(f *testing.F) {
	db := dbtest.Open(f)
	sys := dbtest.FixtureContext(f)
	com := db.Client.Community.Create().SetName("OpenStack").SetSlug("openstack").SaveX(sys)
	h := server.GraphQL(db, server.Config{Logger: quietLogger()})

	page := query(f, h, "", `{ communities(first: 1) { edges { cursor } pageInfo { endCursor } } }`, nil)
	real, _ := dig(page.Data, "communities", "pageInfo", "endCursor").(string)
	if real == "" {
		f.Fatalf("no cursor to start from: %+v", page)
	}
	f.Add(string(com.ID), real)
	f.Add("", "")
	f.Add("com_", "x")
	f.Add("com_0000000000000000000000000U", "gqFp2SBncnBfMDFKMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA")
	f.Add("grp_01J000000000000000000000", base64.RawStdEncoding.EncodeToString([]byte{0x81, 0xa1, 0x69, 0xc0}))
	f.Add("zzz_01J00000000000000000000000", base64.StdEncoding.EncodeToString([]byte{0xdc, 0xff, 0xff}))
	f.Add("_"+strings.Repeat("0", 26), base64.StdEncoding.EncodeToString([]byte(`{"id":1}`)))
	f.Add(strings.Repeat("usr_", 5000), strings.Repeat("A", 5000))
	f.Add("usr_01J\x00000000000000000000000", "\xff\xfe")
	f.Add("'; DROP TABLE groups; --", "Y2hnOjE")

	f.Fuzz(func(t *testing.T, id, cursor string) {
		r := query(t, h, "", `query($id: ID!, $c: Cursor) {
			node(id: $id) { id }
			groups(first: 2, after: $c) { edges { node { id } } }
			communities(first: 2, after: $c) { edges { node { id } } }
		}`, map[string]any{"id": id, "c": cursor})
		for _, e := range r.Errors {
			code, _ := e.Extensions["code"].(string)
			if code == "" || code == "INTERNAL" || code == "INTERNAL_SERVER_ERROR" {
				t.Fatalf("id %q, cursor %q: %+v", id, cursor, e)
			}
		}
		if n, _ := dig(r.Data, "node", "id").(string); n != "" && n != string(com.ID) {
			t.Fatalf("id %q found node %q", id, n)
		}
	})
}
