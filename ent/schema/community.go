package schema

import (
	"context"
	"github.com/usergroups/usergroups/internal/authz"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/internal/policy"
)

// Community is one user-group programme (openEuler, OpenStack) with its own policy.
type Community struct{ ent.Schema }

// Mixin of the Community.
func (Community) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("com"), TimeMixin{}}
}

// Fields of the Community.
func (Community) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Validate(runeLen(2, 100)).Comment("Display name, e.g. \"openEuler\".").Unique().
			Annotations(entgql.OrderField("NAME")),
		field.String("slug").Unique().Validate(policy.ValidateSlug).
			Comment("URL-safe unique name, e.g. \"openeuler\".").
			Annotations(entgql.OrderField("SLUG")),
		longText("description", 5000, "What the programme is about."),
		optionalURL("website_url", "The programme's home page."),
		optionalURL("code_of_conduct_url", "The code of conduct every group and event follows."),
		optionalURL("forum_url", "Where members publish articles and discuss."),
		optionalURL("user_group_page_url", "The page that explains what a user group of the programme is and how to start one; rejected new-group requests link to it."),
		field.String("ambassadors_list_email").Optional().Validate(policy.ValidateEmail).
			Comment("The ambassadors' mailing list; new ambassadors are introduced there."),
		field.JSON("policy", policy.Policy{}).
			Default(policy.OpenStack()).
			Comment("The programme's rules: caps, requirements, windows.").
			Annotations(entgql.Type("CommunityPolicy")),
		field.JSON("message_templates", []schematype.MessageTemplate{}).Optional().
			Comment("Staff's wording of the community's letters, overriding the defaults (see internal/letters).").
			Annotations(entgql.Skip()),
	}
}

// Edges of the Community.
func (Community) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("regions", Region.Type).Comment("Areas inside the community that ambassadors may cover.").
			Annotations(entgql.RelayConnection()),
		edge.To("groups", Group.Type).Comment("The community's user groups.").
			Annotations(entgql.RelayConnection()),
		edge.To("roles", Role.Type).Comment("Roles held in the community or its groups and regions.").
			Annotations(entgql.RelayConnection()),
		edge.To("applications", Application.Type).Comment("Requests reviewed in the community's queue.").
			Annotations(entgql.RelayConnection()),
		edge.From("partners", Organization.Type).Ref("partner_of").
			Comment("Partner enterprises of the community.").
			Annotations(entgql.RelayConnection()),
		edge.To("award_selections", AwardSelection.Type).Comment("The annual outstanding-member selections, newest year first when ordered by YEAR DESC.").
			Annotations(entgql.RelayConnection()),
		edge.To("shipments", Shipment.Type).Comment("Parcels the community owes or sent; only its staff see them.").
			Annotations(entgql.RelayConnection()),
		edge.To("awards", Award.Type).Comment("Yearly recognitions.").
			Annotations(entgql.RelayConnection()),
		// Not in GraphQL: an export is read by its requester, through export(id:).
		edge.To("exports", Export.Type).Comment("Bulk exports of the community's data.").Annotations(entgql.Skip()),
	}
}

// Hooks of the Community.
func (Community) Hooks() []ent.Hook {
	return []ent.Hook{validatePolicy}
}

// validatePolicy rejects impossible policy values; JSON fields have no
// validators of their own.
func validatePolicy(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if v, ok := m.Field("policy"); ok {
			if p, ok := v.(policy.Policy); ok {
				if err := p.Validate(); err != nil {
					return nil, err
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}

// Annotations of the Community.
func (Community) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A user-group programme, such as openEuler's or OpenStack's, with its own policy."),
		entgql.RelayConnection(),
		entgql.QueryField().Description("Communities (programmes) hosted by this deployment."),
		entgql.MultiOrder(),
	}
}

// Policy of the Community (see internal/authz).
func (Community) Policy() ent.Policy { return authz.CommunityPolicy() }
