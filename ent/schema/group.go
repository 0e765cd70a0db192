package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/usergroups/usergroups/internal/authz"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/policy"
)

// Group is a local user group of a community.
type Group struct{ ent.Schema }

// Mixin of the Group.
func (Group) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("grp"), TimeMixin{}, changeLogMixin{topic: "group"}}
}

// Fields of the Group.
func (Group) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community the group belongs to.").Immutable().Field(),
		fkField("region_id", "The region the group is in, if the community uses regions.").Optional().Field(),
		fkField("mentor_id", "The ambassador mentoring the group.").Optional().Field(),
		field.String("name").Validate(policy.ValidateGroupName).
			Comment("Display name: the geographic name first, an optional nickname in braces at the end, e.g. \"Bay Area {Stackers}\".").
			Annotations(entgql.OrderField("NAME")),
		field.String("slug").Validate(policy.ValidateSlug).Comment("URL-safe name, unique in the community.").
			Annotations(entgql.OrderField("SLUG")),
		field.String("city").Validate(runeLen(1, 100)).Comment("The city the group meets in.").Annotations(entgql.OrderField("CITY")),
		field.String("country").Validate(policy.ValidateCountry).
			Comment("ISO 3166-1 alpha-2 country code.").Annotations(entgql.OrderField("COUNTRY")),
		latitude(),
		longitude(),
		longText("description", 5000, "What the group is about."),
		optionalURL("website_url", "The group's own web site."),
		optionalURL("meetup_url", "Where the group announces meetings."),
		optionalURL("chat_url", "The group's chat or mailing list."),
		optionalURL("logo_url", "The group's logo."),
		field.Enum("status").
			Values("PROPOSED", "ACTIVE", "OFFICIAL", "REJECTED", "WITHDRAWN", "DORMANT", "ARCHIVED").
			Annotations(valueDocs{
				"PROPOSED":  "Its founding request is being reviewed.",
				"ACTIVE":    "Running, mentored by an ambassador.",
				"OFFICIAL":  "Recognised as an official group.",
				"REJECTED":  "Its founding request was turned down.",
				"WITHDRAWN": "Its founding request was taken back.",
				"DORMANT":   "No events for a long time.",
				"ARCHIVED":  "Closed; kept for the record.",
			}).
			Default("PROPOSED").
			Comment("Lifecycle: PROPOSED while its request is reviewed, ACTIVE while mentored, OFFICIAL once recognised; REJECTED or WITHDRAWN when its request was turned down or taken back; also DORMANT, ARCHIVED.").
			Annotations(entgql.OrderField("STATUS")),
		field.Time("official_since").Optional().Nillable().
			Comment("When the group became official.").Annotations(entgql.OrderField("OFFICIAL_SINCE")),
		field.Time("ended_at").Optional().Nillable().
			Comment("When staff archived the group, retiring it or merging it into another."),
		field.String("end_reason").Optional().Validate(runeLen(1, 500)).
			Comment("Why staff archived the group, as they gave it."),
		fkField("merged_into_id", "The group this one was merged into.").Optional().Field(),
	}
}

// Edges of the Group.
func (Group) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("community", Community.Type).Ref("groups").Field("community_id").Unique().Required().Immutable().
			Comment("The community the group belongs to."),
		edge.From("region", Region.Type).Ref("groups").Field("region_id").Unique().
			Comment("The region the group is in."),
		edge.To("mentor", User.Type).Field("mentor_id").Unique().
			Comment("The ambassador mentoring the group towards official status."),
		edge.To("roles", Role.Type).Comment("The roster: members, organizers and group ambassadors.").
			Annotations(entgql.RelayConnection()),
		edge.To("events", Event.Type).Comment("The group's meetings.").
			Annotations(entgql.RelayConnection()),
		edge.To("applications", Application.Type).Comment("Applications that concern the group.").
			Annotations(entgql.RelayConnection()),
		edge.To("contributions", Contribution.Type).Comment("Contributions credited to the group.").
			Annotations(entgql.RelayConnection()),
		edge.To("elections", Election.Type).Comment("Elections for the group's roles, newest first when ordered by deadline."),
		edge.To("invites", Invite.Type).Comment("Invite codes (the group's organizers and staff only)."),
		edge.To("merged_groups", Group.Type).Comment("Groups merged into this one.").From("merged_into").Field("merged_into_id").Unique().
			Comment("The group this one was merged into; its members moved there."),
	}
}

// Indexes of the Group.
func (Group) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("community_id", "slug").Unique(),
		index.Fields("community_id", "status"),
		index.Fields("community_id", "region_id"),
		index.Fields("country", "city"),
		index.Fields("mentor_id"),
	}
}

// Annotations of the Group.
func (Group) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A local user group (a city group or chapter) of a community."),
		entgql.RelayConnection(), entgql.QueryField().Description("User groups of all communities; filter by community, status, region or place."), entgql.MultiOrder(),
	}
}

// Policy of the Group (see internal/authz).
func (Group) Policy() ent.Policy { return authz.GroupPolicy() }
