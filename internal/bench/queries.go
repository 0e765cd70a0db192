package bench

// The documents of the scenarios. The floor and PostGraphile answer the
// same questions with the same JSON shape (see floor.go and
// postgraphile.go).
const (
	// S1Query is the nested dashboard: a community's groups, each with its
	// roster (person and organization) and its next events with their
	// registration counts.
	S1Query = `query Dashboard($slug: String!, $groups: Int!, $members: Int!) {
  community(slug: $slug) {
    id
    name
    groups(first: $groups) {
      totalCount
      edges {
        node {
          id
          name
          city
          status
          roles(first: $members) {
            totalCount
            edges {
              node {
                id
                kind
                status
                user { id handle name organization { id name } }
              }
            }
          }
          events(first: 5) {
            edges { node { id title startsAt goingCount waitlistCount } }
          }
        }
      }
    }
  }
}`

	// S2Query is a flat list: one page of groups.
	S2Query = `query Groups($first: Int!) {
  groups(first: $first) {
    edges { node { id name slug city country status createdAt } }
  }
}`

	// S3Query is a point lookup by global id.
	S3Query = `query Node($id: ID!) {
  node(id: $id) {
    ... on Group { id name slug city country status createdAt }
  }
}`
)

// SavedQuery is one document of the S5 mix with its variables.
type SavedQuery struct {
	Name      string
	Query     string
	Variables func(d *Dataset) map[string]any
}

func noVars(*Dataset) map[string]any { return nil }

func slugVars(*Dataset) map[string]any { return map[string]any{"slug": Slug} }

// S5Queries is the third-party mix: twenty documents as tools save them,
// with aliases, fragments, filters and ordering.
var S5Queries = []SavedQuery{
	{"group names", `query { groups(first: 50, orderBy: {field: NAME, direction: ASC}) { edges { node { id name } } } }`, noVars},
	{"groups by city, descending", `query { groups(first: 20, orderBy: {field: CITY, direction: DESC}) { totalCount edges { cursor node { id name city } } pageInfo { hasNextPage endCursor } } }`, noVars},
	{"aliased pages", `query { a: groups(first: 10) { edges { node { id } } } b: groups(first: 10, orderBy: {field: SLUG, direction: ASC}) { edges { node { slug } } } c: groups(last: 5) { edges { node { name } } } }`, noVars},
	{"fragment on group", `query($slug: String!) { community(slug: $slug) { groups(first: 20) { edges { node { ...G } } } } } fragment G on Group { id name slug city country status createdAt }`, slugVars},
	{"name filter", `query { groups(first: 20, where: {nameContains: "Ab"}) { totalCount edges { node { id name } } } }`, noVars},
	{"status filter", `query { groups(first: 20, where: {statusIn: [ACTIVE, OFFICIAL], country: "FR"}) { totalCount edges { node { id status } } } }`, noVars},
	{"community header", `query($slug: String!) { community(slug: $slug) { id name slug description websiteURL policy { preset minSupporters termLengthDays } } }`, slugVars},
	{"group by slug", `query($slug: String!) { group(community: $slug, slug: "bench-aab") { id name city roles(first: 10) { totalCount edges { node { kind user { handle } } } } } }`, slugVars},
	{"organizers", `query { roles(first: 30, where: {kind: ORGANIZER, status: ACTIVE}) { totalCount edges { node { id group { name } user { name } } } } }`, noVars},
	{"people by handle", `query { users(first: 25, orderBy: {field: HANDLE, direction: ASC}) { edges { node { id handle name city organization { name } } } } }`, noVars},
	{"person lookup", `query { user(handle: "user3") { id handle name roles(first: 5) { edges { node { kind status group { name } } } } } }`, noVars},
	{"organizations", `query { organizations(first: 20, orderBy: {field: NAME, direction: ASC}) { totalCount edges { node { id name country } } } }`, noVars},
	{"events by date", `query($slug: String!) { community(slug: $slug) { groups(first: 10) { edges { node { name events(first: 5, orderBy: {field: STARTS_AT, direction: ASC}) { edges { node { title startsAt localStartsAt goingCount } } } } } } } }`, slugVars},
	{"busiest events", `query($slug: String!) { community(slug: $slug) { groups(first: 10) { edges { node { events(first: 3, orderBy: {field: GOING_COUNT, direction: DESC}) { edges { node { id title goingCount capacity } } } } } } } }`, slugVars},
	{"node lookups", `query($a: ID!, $b: ID!) { a: node(id: $a) { ... on Group { name } } b: node(id: $b) { ... on User { handle } } }`, func(d *Dataset) map[string]any {
		return map[string]any{"a": d.Groups[len(d.Groups)/2], "b": d.Users[len(d.Users)/2]}
	}},
	{"nodes batch", `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Group { name city } } }`, func(d *Dataset) map[string]any {
		return map[string]any{"ids": d.Groups[:min(10, len(d.Groups))]}
	}},
	{"typename and inline fragments", `query { groups(first: 10) { edges { node { __typename ... on Group { id name } ... on Node { id } } } } }`, noVars},
	{"roster counts", `query($slug: String!) { community(slug: $slug) { groups(first: 20) { edges { node { name rosterCounts { kind count } } } } } }`, slugVars},
	{"second page", `query($slug: String!) { community(slug: $slug) { groups(first: 5) { pageInfo { endCursor } edges { node { id } } } } }`, slugVars},
	{"nested fragments", `query($slug: String!) { community(slug: $slug) { ...C } } fragment C on Community { name groups(first: 5) { edges { node { ...G } } } } fragment G on Group { name roles(first: 5) { edges { node { ...R } } } } fragment R on Role { kind user { ...U } } fragment U on User { handle organization { name } }`, slugVars},
}
