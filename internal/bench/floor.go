package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Floor answers S1 and S3 the way a hand-written endpoint would: a few SQL
// statements through database/sql and encoding/json of plain structs. It
// applies the visibility an anonymous viewer has (public role statuses,
// published public events) and nothing else: no executor, no privacy
// engine, no field selection. It is what our server is measured against.
type Floor struct {
	db       *sql.DB
	postgres bool
}

// NewFloor returns the floor over db (PostgreSQL when postgres is true,
// else SQLite).
func NewFloor(db *sql.DB, postgres bool) *Floor { return &Floor{db: db, postgres: postgres} }

// The floor's answers, field for field the JSON our S1Query and S3Query
// produce.
type (
	floorS1 struct {
		Data struct {
			Community *floorCommunity `json:"community"`
		} `json:"data"`
	}
	floorCommunity struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Groups struct {
			TotalCount int              `json:"totalCount"`
			Edges      []floorGroupEdge `json:"edges"`
		} `json:"groups"`
	}
	floorGroupEdge struct {
		Node *floorGroup `json:"node"`
	}
	floorGroup struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		City   string `json:"city"`
		Status string `json:"status"`
		Roles  struct {
			TotalCount int             `json:"totalCount"`
			Edges      []floorRoleEdge `json:"edges"`
		} `json:"roles"`
		Events struct {
			Edges []floorEventEdge `json:"edges"`
		} `json:"events"`
	}
	floorRoleEdge struct {
		Node floorRole `json:"node"`
	}
	floorRole struct {
		ID     string    `json:"id"`
		Kind   string    `json:"kind"`
		Status string    `json:"status"`
		User   floorUser `json:"user"`
	}
	floorUser struct {
		ID           string    `json:"id"`
		Handle       string    `json:"handle"`
		Name         string    `json:"name"`
		Organization *floorOrg `json:"organization"`
	}
	floorOrg struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	floorEventEdge struct {
		Node floorEvent `json:"node"`
	}
	floorEvent struct {
		ID            string    `json:"id"`
		Title         string    `json:"title"`
		StartsAt      time.Time `json:"startsAt"`
		GoingCount    int       `json:"goingCount"`
		WaitlistCount int       `json:"waitlistCount"`
	}
	floorS3 struct {
		Data struct {
			Node *floorNode `json:"node"`
		} `json:"data"`
	}
	floorNode struct {
		ID        string    `json:"id"`
		Name      string    `json:"name"`
		Slug      string    `json:"slug"`
		City      string    `json:"city"`
		Country   string    `json:"country"`
		Status    string    `json:"status"`
		CreatedAt time.Time `json:"createdAt"`
	}
)

// ServeHTTP answers a GraphQL-shaped POST whose query is S1Query or S3Query.
func (f *Floor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var (
		out any
		err error
	)
	switch req.Query {
	case S1Query:
		slug, _ := req.Variables["slug"].(string)
		k, _ := req.Variables["groups"].(float64)
		m, _ := req.Variables["members"].(float64)
		out, err = f.S1(r.Context(), slug, int(k), int(m))
	case S3Query:
		id, _ := req.Variables["id"].(string)
		out, err = f.S3(r.Context(), id)
	default:
		err = errors.New("the floor answers S1 and S3 only")
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// placeholders returns n bind parameters numbered from first.
func (f *Floor) placeholders(first, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if f.postgres {
			b.WriteString("$" + strconv.Itoa(first+i))
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// S1 answers the dashboard in five statements: the community, its page of
// groups with their count, the first m roles of each with person and
// organization, role counts, and the first five visible events of each.
func (f *Floor) S1(ctx context.Context, slug string, k, m int) (*floorS1, error) {
	var out floorS1
	c := &floorCommunity{}
	err := f.db.QueryRowContext(ctx, `SELECT id, name, (SELECT count(*) FROM groups g WHERE g.community_id = c.id)
		FROM communities c WHERE slug = `+f.placeholders(1, 1), slug).Scan(&c.ID, &c.Name, &c.Groups.TotalCount)
	if errors.Is(err, sql.ErrNoRows) {
		return &out, nil
	}
	if err != nil {
		return nil, err
	}
	out.Data.Community = c
	rows, err := f.db.QueryContext(ctx, `SELECT id, name, city, status FROM groups WHERE community_id = `+f.placeholders(1, 1)+
		` ORDER BY id LIMIT `+strconv.Itoa(k), c.ID)
	if err != nil {
		return nil, err
	}
	byID := map[string]*floorGroup{}
	var ids []any
	for rows.Next() {
		g := &floorGroup{}
		if err := rows.Scan(&g.ID, &g.Name, &g.City, &g.Status); err != nil {
			rows.Close()
			return nil, err
		}
		g.Roles.Edges = []floorRoleEdge{}
		g.Events.Edges = []floorEventEdge{}
		c.Groups.Edges = append(c.Groups.Edges, floorGroupEdge{Node: g})
		byID[g.ID] = g
		ids = append(ids, g.ID)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	if c.Groups.Edges == nil {
		c.Groups.Edges = []floorGroupEdge{}
	}
	if len(ids) == 0 {
		return &out, nil
	}
	in := f.placeholders(1, len(ids))
	const visibleRoles = `r.status IN ('ACTIVE', 'EMERITUS', 'TERM_ENDED')`
	rows, err = f.db.QueryContext(ctx, `SELECT r.group_id, r.id, r.kind, r.status, u.id, u.handle, u.name, o.id, o.name
		FROM (SELECT id, kind, status, group_id, user_id, row_number() OVER (PARTITION BY group_id ORDER BY id) AS n
		      FROM roles r WHERE group_id IN (`+in+`) AND `+visibleRoles+`) r
		JOIN users u ON u.id = r.user_id LEFT JOIN organizations o ON o.id = u.organization_id
		WHERE r.n <= `+strconv.Itoa(m)+` ORDER BY r.group_id, r.id`, ids...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var gid string
		var e floorRoleEdge
		var oid, oname sql.NullString
		if err := rows.Scan(&gid, &e.Node.ID, &e.Node.Kind, &e.Node.Status, &e.Node.User.ID, &e.Node.User.Handle, &e.Node.User.Name, &oid, &oname); err != nil {
			rows.Close()
			return nil, err
		}
		if oid.Valid {
			e.Node.User.Organization = &floorOrg{ID: oid.String, Name: oname.String}
		}
		g := byID[gid]
		g.Roles.Edges = append(g.Roles.Edges, e)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	rows, err = f.db.QueryContext(ctx, `SELECT group_id, count(*) FROM roles r WHERE group_id IN (`+in+`) AND `+visibleRoles+` GROUP BY group_id`, ids...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var gid string
		var n int
		if err := rows.Scan(&gid, &n); err != nil {
			rows.Close()
			return nil, err
		}
		byID[gid].Roles.TotalCount = n
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	rows, err = f.db.QueryContext(ctx, `SELECT group_id, id, title, starts_at, going_count, waitlist_count
		FROM (SELECT *, row_number() OVER (PARTITION BY group_id ORDER BY id) AS n FROM events
		      WHERE group_id IN (`+in+`) AND status <> 'DRAFT' AND visibility = 'PUBLIC') e
		WHERE n <= 5 ORDER BY group_id, id`, ids...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var gid string
		var e floorEventEdge
		if err := rows.Scan(&gid, &e.Node.ID, &e.Node.Title, &e.Node.StartsAt, &e.Node.GoingCount, &e.Node.WaitlistCount); err != nil {
			rows.Close()
			return nil, err
		}
		e.Node.StartsAt = e.Node.StartsAt.UTC()
		byID[gid].Events.Edges = append(byID[gid].Events.Edges, e)
	}
	return &out, errors.Join(rows.Err(), rows.Close())
}

// S3 answers a group lookup by id in one statement.
func (f *Floor) S3(ctx context.Context, id string) (*floorS3, error) {
	var out floorS3
	n := &floorNode{}
	err := f.db.QueryRowContext(ctx, `SELECT id, name, slug, city, country, status, created_at FROM groups WHERE id = `+f.placeholders(1, 1), id).
		Scan(&n.ID, &n.Name, &n.Slug, &n.City, &n.Country, &n.Status, &n.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return &out, nil
	}
	if err != nil {
		return nil, err
	}
	n.CreatedAt = n.CreatedAt.UTC()
	out.Data.Node = n
	return &out, nil
}
