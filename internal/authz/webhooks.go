package authz

import (
	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/privacy"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/serviceaccount"
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

// Service accounts are, like webhook endpoints, a community's integration
// settings: its staff see all of them, a group's organizers those of their
// group, and each account's owner theirs; signed in, never with an API
// token (a leaked token must not list the tokens beside it).

// ServiceAccountVisible is the service accounts v may see.
func ServiceAccountVisible(v *viewer.Viewer) predicate.ServiceAccount {
	return serviceaccount.Or(
		serviceaccount.CommunityIDIn(v.StaffCommunities()...),
		serviceaccount.GroupIDIn(v.OrganizerGroups()...),
		serviceaccount.OwnerID(v.UserID),
	)
}

// ServiceAccountPolicy guards service accounts (see ServiceAccountVisible).
func ServiceAccountPolicy() ent.Policy {
	return privacy.Policy{
		Query:    narrowedNoTokens[*ent.ServiceAccountQuery](ServiceAccountVisible),
		Mutation: writes(),
	}
}

// CanManageServiceAccount: the community's staff manage any of its service
// accounts (create them, issue and revoke their tokens), a group's
// organizers those of their group; signed in, never with an API token.
func CanManageServiceAccount(v *viewer.Viewer, community, group pulid.ID) bool {
	return CanManageWebhookEndpoint(v, community, group)
}
