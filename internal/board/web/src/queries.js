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
