// Every GraphQL document the board sends, in one place: a Go test
// (internal/board) validates each against the published schema.graphql, so
// the board can only do what any third party can do through the public API.
// Each document is a named operation in a template literal tagged `graphql`.
const graphql = (s) => s.join('');

export const ME = graphql`
query BoardMe {
  me {
    id name handle
    roles(first: 50, where: {status: ACTIVE}) {
      edges { node { id kind community { id slug name } region { id name } group { id name } } }
    }
  }
  communities(first: 20) { edges { node { id slug name } } }
}`;
