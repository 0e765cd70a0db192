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
