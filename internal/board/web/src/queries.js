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

// === queue ===
// The queue view (views/queue.js): who may review where, the queue with its
// change cursor, its counts alone (refreshed as changes arrive), and the
// subscription that follows it. The card's fields are written out in both the
// query and the subscription so that each document stands alone.

export const QUEUE_SCOPE = graphql`
query BoardQueueScope($slug: String!) {
  me {
    id
    roles(first: 100, where: {status: ACTIVE}) {
      edges { node { id kind
        community { id slug }
        region { id community { id slug } }
        group { id community { id slug } } } }
    }
  }
  communities(first: 50) { edges { node { id slug name } } }
  community(slug: $slug) {
    id slug name
    regions(first: 100) { edges { node { id name } } }
  }
}`;

export const QUEUE = graphql`
query BoardQueue($community: ID!, $filter: ApprovalQueueFilter, $first: Int!, $after: Cursor, $orderBy: [ApplicationOrder!]) {
  changeCursor
  approvalQueue(community: $community, filter: $filter) {
    counts { status count }
    oldestOpenSince
    applications(first: $first, after: $after, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...QueueCard } }
    }
  }
}
fragment QueueCard on Application {
  id kind status createdAt updatedAt objectionDeadline unresolvedConflicts
  answers { proposedName city country }
  applicant { id name handle }
  group { id name city }
  region { id name }
  reviewer { id name }
  mentor { id name }
  screening { conflicts { groupId name city distanceKm resolvedAt } flags missing supporters }
  openObjections { id }
  reviews(first: 3, orderBy: [{field: CREATED_AT, direction: DESC}]) {
    edges { node { id kind body fromStatus toStatus createdAt author { id name } } }
  }
}`;

export const QUEUE_COUNTS = graphql`
query BoardQueueCounts($community: ID!, $filter: ApprovalQueueFilter) {
  approvalQueue(community: $community, filter: $filter) {
    counts { status count }
    oldestOpenSince
  }
}`;

export const QUEUE_LIVE = graphql`
subscription BoardQueueLive($community: ID!, $filter: ApprovalQueueFilter, $after: Cursor) {
  approvalQueue(community: $community, filter: $filter, after: $after) {
    cursor op at
    actor { id name }
    node { ...QueueCard }
  }
}
fragment QueueCard on Application {
  id kind status createdAt updatedAt objectionDeadline unresolvedConflicts
  answers { proposedName city country }
  applicant { id name handle }
  group { id name city }
  region { id name }
  reviewer { id name }
  mentor { id name }
  screening { conflicts { groupId name city distanceKm resolvedAt } flags missing supporters }
  openObjections { id }
  reviews(first: 3, orderBy: [{field: CREATED_AT, direction: DESC}]) {
    edges { node { id kind body fromStatus toStatus createdAt author { id name } } }
  }
}`;
