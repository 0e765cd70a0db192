package workflow

// IssueAwardCertificate exposes issueAwardCertificate (called by the
// awards' decision) to its tests.
var IssueAwardCertificate = issueAwardCertificate
