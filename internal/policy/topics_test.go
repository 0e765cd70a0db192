package policy_test

import (
	"testing"

	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// TestTopicArea: every topic the change feed delivers has the area its
// rows are read under; the private topics have none.
func TestTopicArea(t *testing.T) {
	for topic, want := range map[string]string{
		changelog.TopicGroup:        viewer.AreaGroups,
		changelog.TopicCommunity:    viewer.AreaGroups,
		changelog.TopicRole:         viewer.AreaRoster,
		changelog.TopicElection:     viewer.AreaRoster,
		changelog.TopicApplication:  viewer.AreaApplications,
		changelog.TopicReview:       viewer.AreaApplications,
		changelog.TopicEvent:        viewer.AreaEvents,
		changelog.TopicRegistration: viewer.AreaEvents,
		changelog.TopicCredential:   "",
		changelog.TopicAudit:        "",
		"unknown":                   "",
	} {
		if got := policy.TopicArea(topic); got != want {
			t.Errorf("TopicArea(%q) = %q, want %q", topic, got, want)
		}
	}
}
