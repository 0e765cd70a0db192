// Every GraphQL document the board sends, in one place: a Go test
// (internal/board) validates each against the published schema.graphql, so
// the board can only do what any third party can do through the public API.
// Each document is a named operation in a template literal tagged `graphql`.
// A ${…} inside a document inserts another constant (a fragment) whole;
// the Go test expands them the same way before validating.
const graphql = (strings, ...parts) => strings.reduce((doc, s, i) => doc + s + (i < parts.length ? parts[i] : ''), '');

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

// === group ===
// The group page loads with one query (by id, or by community and group
// slug) and follows the roster and each shown event from its changeCursor.
export const GROUP_PAGE = graphql`
query BoardGroupPage($id: ID!, $community: String!, $slug: String!, $byId: Boolean!, $group: ID!, $members: Int!) {
  changeCursor
  byId: node(id: $id) @include(if: $byId) { ...BoardGroupPageGroup }
  bySlug: group(community: $community, slug: $slug) @skip(if: $byId) { ...BoardGroupPageGroup }
  officialRequirements(group: $group) { key label met detail }
}
fragment BoardGroupPageGroup on Group {
  id name slug city country status description officialSince websiteURL
  community { id slug name policy { officialStatusEnabled } }
  region { id name }
  mentor { id name handle }
  leaders: roster(kinds: [ORGANIZER, AMBASSADOR], first: 100, orderBy: [{field: CREATED_AT}]) {
    totalCount counts { kind count }
    nodes { ...BoardGroupRole }
  }
  members: roster(kinds: [MEMBER], first: $members, orderBy: [{field: CREATED_AT, direction: DESC}]) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { ...BoardGroupRole }
  }
  upcomingEvents(first: 5) {
    id title kind startsAt endsAt timeZone venueName onlineURL capacity goingCount waitlistCount status visibility
  }
  officialApplications: applications(first: 1, where: {kind: OFFICIAL_STATUS}, orderBy: [{field: CREATED_AT, direction: DESC}]) {
    nodes { id status createdAt checklist { items { key label doneAt doneBy { id name } } } }
  }
}
fragment BoardGroupRole on Role {
  id kind status termEnd createdAt
  user { id name handle affiliation }
}`;

// More of a group's members, newest first, after the page already shown.
export const GROUP_MEMBERS = graphql`
query BoardGroupMembers($id: ID!, $after: Cursor, $first: Int!) {
  node(id: $id) {
    ... on Group {
      roster(kinds: [MEMBER], first: $first, after: $after, orderBy: [{field: CREATED_AT, direction: DESC}]) {
        pageInfo { hasNextPage endCursor }
        nodes { id kind status termEnd createdAt user { id name handle affiliation } }
      }
    }
  }
}`;

// The figures a roster change can move: counts per kind and the
// official-status requirements (members, organizations).
export const GROUP_FIGURES = graphql`
query BoardGroupFigures($id: ID!) {
  node(id: $id) { ... on Group { id rosterCounts { kind count } } }
  officialRequirements(group: $id) { key label met detail }
}`;

export const GROUP_ROSTER_LIVE = graphql`
subscription BoardGroupRoster($group: ID!, $after: Cursor) {
  groupRoster(group: $group, after: $after) {
    cursor op at
    actor { id name }
    node { id kind status termEnd createdAt endedAt user { id name handle affiliation } }
  }
}`;

export const GROUP_EVENT_LIVE = graphql`
subscription BoardGroupEventRegistrations($event: ID!, $after: Cursor) {
  eventRegistrations(event: $event, after: $after) {
    cursor op at
    event { id goingCount waitlistCount capacity status }
  }
}`;

// The groups list: every group the viewer may see, or one community's.
export const GROUP_LIST = graphql`
query BoardGroups($where: GroupWhereInput) {
  groups(first: 100, where: $where, orderBy: [{field: NAME}]) {
    totalCount
    nodes { id name slug city country status community { id slug name } rosterCounts { kind count } }
  }
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

// A queue card's fields, for the query and the subscription alike.
const QUEUE_CARD = graphql`
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
${QUEUE_CARD}`;

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
${QUEUE_CARD}`;

// === application view ===
// The detail view: the application with everything a reviewer decides on,
// what the viewer may do now (viewerCan…) and what blocks approval, with
// the change position to follow the community's queue from. The timeline
// is read whole: APPLICATION_REVIEWS continues it page after page.
export const APPLICATION_DETAIL = graphql`
query BoardApplication($id: ID!) {
  changeCursor
  node(id: $id) {
    ... on Application {
      id kind status createdAt updatedAt objectionDeadline decidedAt decisionReason
      community { id slug name }
      group { id name slug status city country }
      region { id name }
      applicant { id name handle city organization { name } }
      mentor { id name handle }
      reviewer { id name handle }
      decidedBy { id name }
      answers {
        proposedName city country latitude longitude links { label url } description
        why participation ideas affiliation articleURL amount currency purpose
        budgetLines { label amount }
      }
      screening {
        conflicts { groupId name city status distanceKm resolvedAt resolution resolvedBy { name } }
        flags missing supporters supporterOrganizations
      }
      supporters(first: 50) { totalCount edges { node { id name organization { name } } } }
      viewerCanComment viewerCanRequestInfo viewerCanUpdateProposal viewerCanAssignReviewer viewerCanAssignMentor
      viewerCanResolveConflict viewerCanObject viewerCanEndorse viewerCanResolveObjection viewerCanApprove
      viewerCanReject viewerCanWithdraw
      approvalBlockers { code message }
      openObjections { id body createdAt author { name } }
      reviews(first: 100) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { id kind body fromStatus toStatus createdAt resolvedAt resolvedBy { name } author { id name handle } } }
      }
    }
  }
}`;

export const APPLICATION_REVIEWS = graphql`
query BoardApplicationReviews($id: ID!, $after: Cursor) {
  node(id: $id) {
    ... on Application {
      id
      reviews(first: 100, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { id kind body fromStatus toStatus createdAt resolvedAt resolvedBy { name } author { id name handle } } }
      }
    }
  }
}`;

// The people a reviewer can put in charge or ask to mentor: the
// community's staff and ambassadors (the server checks each choice).
export const APPLICATION_PEOPLE = graphql`
query BoardApplicationPeople($slug: String!) {
  community(slug: $slug) {
    id
    roles(first: 100, where: {status: ACTIVE, kindIn: [COMMUNITY_MANAGER, AMBASSADOR]}) {
      edges { node { id kind user { id name handle } region { name } group { name } } }
    }
  }
}`;

// Every change to the community's applications, whatever their kind or
// status; the view reloads when one is about its application.
export const APPLICATION_LIVE = graphql`
subscription BoardApplicationLive($community: ID!, $after: Cursor) {
  approvalQueue(community: $community, after: $after) {
    cursor op at actor { id name } node { id status }
  }
}`;

// The steps on an application; each answers with the application's new
// status, or userErrors (with blockers when an approval is refused).
export const COMMENT_ON_APPLICATION = graphql`
mutation BoardCommentOnApplication($input: CommentOnApplicationInput!) {
  commentOnApplication(input: $input) { application { id status } userErrors { code message field status blockers } }
}`;

export const REQUEST_APPLICATION_INFO = graphql`
mutation BoardRequestApplicationInfo($input: RequestApplicationInfoInput!) {
  requestApplicationInfo(input: $input) { application { id status } userErrors { code message field status blockers } }
}`;

export const UPDATE_APPLICATION_PROPOSAL = graphql`
mutation BoardUpdateApplicationProposal($input: UpdateApplicationProposalInput!) {
  updateApplicationProposal(input: $input) { application { id status } userErrors { code message field status blockers } }
}`;

export const ASSIGN_APPLICATION_REVIEWER = graphql`
mutation BoardAssignApplicationReviewer($input: AssignApplicationReviewerInput!) {
  assignApplicationReviewer(input: $input) { application { id status } userErrors { code message field status blockers } }
}`;

export const ASSIGN_GROUP_MENTOR = graphql`
mutation BoardAssignGroupMentor($input: AssignGroupMentorInput!) {
  assignGroupMentor(input: $input) { application { id status } userErrors { code message field status blockers } }
}`;

export const RESOLVE_CONFLICT = graphql`
mutation BoardResolveConflict($input: ResolveConflictInput!) {
  resolveConflict(input: $input) { application { id status } userErrors { code message field status blockers } }
}`;

export const OBJECT_TO_APPLICATION = graphql`
mutation BoardObjectToApplication($input: ObjectToApplicationInput!) {
  objectToApplication(input: $input) { application { id status } userErrors { code message field status blockers } }
}`;

export const ENDORSE_APPLICATION = graphql`
mutation BoardEndorseApplication($input: EndorseApplicationInput!) {
  endorseApplication(input: $input) { application { id status } userErrors { code message field status blockers } }
}`;

export const RESOLVE_OBJECTION = graphql`
mutation BoardResolveObjection($input: ResolveObjectionInput!) {
  resolveObjection(input: $input) { application { id status } userErrors { code message field status blockers } }
}`;

export const APPROVE_APPLICATION = graphql`
mutation BoardApproveApplication($input: ApproveApplicationInput!) {
  approveApplication(input: $input) { application { id status } userErrors { code message field status blockers } }
}`;

export const REJECT_APPLICATION = graphql`
mutation BoardRejectApplication($input: RejectApplicationInput!) {
  rejectApplication(input: $input) { application { id status } userErrors { code message field status blockers } }
}`;

export const WITHDRAW_APPLICATION = graphql`
mutation BoardWithdrawApplication($input: WithdrawApplicationInput!) {
  withdrawApplication(input: $input) { application { id status } userErrors { code message field status blockers } }
}`;
