package authz

import (
	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/privacy"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/webhookdelivery"
	"github.com/usergroups/usergroups/ent/webhookendpoint"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Webhook endpoints and their deliveries are a community's integration
// settings: its staff see all of them, a group's organizers those of their
// group. No API token reads them, whoever owns it: they name where the
// community's changes go, and a leaked read token must not learn it.

// WebhookEndpointVisible is the endpoints v may see.
func WebhookEndpointVisible(v *viewer.Viewer) predicate.WebhookEndpoint {
	return webhookendpoint.Or(
		webhookendpoint.CommunityIDIn(v.StaffCommunities()...),
		webhookendpoint.GroupIDIn(v.OrganizerGroups()...),
	)
}

// WebhookEndpointPolicy guards endpoints (see WebhookEndpointVisible).
func WebhookEndpointPolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowedNoTokens[*ent.WebhookEndpointQuery](WebhookEndpointVisible),
		Mutation: writes(),
	}
}

// WebhookDeliveryPolicy: a delivery is visible with its endpoint.
func WebhookDeliveryPolicy() ent.Policy {
	return privacy.Policy{
		Query: narrowedNoTokens[*ent.WebhookDeliveryQuery](func(v *viewer.Viewer) predicate.WebhookDelivery {
			return webhookdelivery.Or(
				webhookdelivery.CommunityIDIn(v.StaffCommunities()...),
				webhookdelivery.GroupIDIn(v.OrganizerGroups()...),
			)
		}),
		Mutation: writes(),
	}
}

// CanManageWebhookEndpoint: the community's staff manage any of its
// endpoints, a group's organizers those of their group; signed in, never
// with an API token (an endpoint receives the community's changes).
func CanManageWebhookEndpoint(v *viewer.Viewer, community, group pulid.ID) bool {
	if !v.IsUser() || v.ViaToken() {
		return false
	}
	if v.IsStaff(community) {
		return true
	}
	return group != "" && v.HasGroupRole(group, viewer.Organizer)
}
