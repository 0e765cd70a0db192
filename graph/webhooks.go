package graph

import (
	"strings"
	"time"

	"github.com/usergroups/usergroups/graph/generated"
	"github.com/usergroups/usergroups/internal/workflow"
)

// newWebhookEndpoint translates createWebhookEndpoint's input.
func newWebhookEndpoint(in generated.CreateWebhookEndpointInput) workflow.NewWebhookEndpoint {
	return workflow.NewWebhookEndpoint{Community: in.Community, Group: in.Group, URL: in.URL,
		Topics: webhookTopics(in.Topics), Description: in.Description}
}

// webhookChanges translates updateWebhookEndpoint's input; topics left
// out stay nil (unchanged).
func webhookChanges(in generated.UpdateWebhookEndpointInput) workflow.WebhookEndpointChanges {
	ch := workflow.WebhookEndpointChanges{URL: in.URL, Description: in.Description, Enabled: in.Enabled,
		EndRotation: in.EndRotation != nil && *in.EndRotation}
	if in.Topics != nil {
		ch.Topics = webhookTopics(in.Topics)
	}
	return ch
}

// webhookTopics maps the API's topics to the change log's (lower case).
func webhookTopics(ts []generated.WebhookTopic) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = strings.ToLower(string(t))
	}
	return out
}

// secretOf is the secret an endpoint was issued with, or nil.
func secretOf(out workflow.IssuedWebhookEndpoint) *string {
	if out.Secret == "" {
		return nil
	}
	return &out.Secret
}

// hours converts an optional number of hours.
func hours(h *int) *time.Duration {
	if h == nil {
		return nil
	}
	d := time.Duration(*h) * time.Hour
	return &d
}
