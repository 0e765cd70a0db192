package policy

import "github.com/usergroups/usergroups/internal/viewer"

// topicAreas is the read area (viewer.Area*) a change of each change-log
// topic belongs to: an API token follows a topic in the change feed only
// when it may read that area, as it may read the rows themselves.
var topicAreas = map[string]string{
	"group":        viewer.AreaGroups,
	"community":    viewer.AreaGroups,
	"role":         viewer.AreaRoster,
	"election":     viewer.AreaRoster,
	"application":  viewer.AreaApplications,
	"review":       viewer.AreaApplications,
	"event":        viewer.AreaEvents,
	"registration": viewer.AreaEvents,
}

// TopicArea is the read area of a change-log topic; "" for a topic of no
// area (credential and audit changes, which nobody is delivered), which no
// token may read.
func TopicArea(topic string) string { return topicAreas[topic] }
