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
)

// Contribution is something a member did for the community; verified
// contributions meet obligations and count towards awards.
type Contribution struct{ ent.Schema }

// Mixin of the Contribution.
func (Contribution) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("ctb"), TimeMixin{}}
}

// Fields of the Contribution.
func (Contribution) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community credited.").Immutable().Field(),
		fkField("user_id", "Who contributed.").Immutable().Field(),
		fkField("group_id", "The group credited, if any.").Optional().Field(),
		fkField("verified_by_id", "Who verified it.").Optional().Field(),
		field.Enum("kind").
			Values("ARTICLE", "TALK", "USER_CASE", "REFERRAL", "FEEDBACK", "CODE", "DOCS", "TRANSLATION", "EVENT_HELP").
			Annotations(valueDocs{
				"ARTICLE":     "An article or blog post.",
				"TALK":        "A talk given.",
				"USER_CASE":   "A user case: how someone uses the project.",
				"REFERRAL":    "A person or organisation brought to the community.",
				"FEEDBACK":    "Feedback to the project.",
				"CODE":        "Code contributed.",
				"DOCS":        "Documentation contributed.",
				"TRANSLATION": "A translation.",
				"EVENT_HELP":  "Help running an event.",
			}).
			Comment("What sort of contribution it is.").Annotations(entgql.OrderField("KIND")),
		field.String("title").Validate(runeLen(1, 200)).Comment("A short description."),
		optionalURL("url", "Where it can be seen."),
		field.Time("occurred_on").Comment("When it happened.").Annotations(entgql.OrderField("OCCURRED_ON")),
		field.Time("verified_at").Optional().Nillable().Comment("When it was verified; unverified contributions count for nothing yet."),
	}
}

// Edges of the Contribution.
func (Contribution) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().
			Comment("The community credited."),
		edge.From("user", User.Type).Ref("contributions").Field("user_id").Unique().Required().Immutable().
			Comment("Who contributed."),
		edge.From("group", Group.Type).Ref("contributions").Field("group_id").Unique().
			Comment("The group credited."),
		edge.To("verified_by", User.Type).Field("verified_by_id").Unique().Comment("Who verified it."),
	}
}

// Indexes of the Contribution.
func (Contribution) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("user_id", "occurred_on"),
		index.Fields("community_id", "kind", "occurred_on"),
		index.Fields("group_id", "occurred_on"),
	}
}

// Annotations of the Contribution.
func (Contribution) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("What a member did for the community: article, talk, user case, referral, feedback, code, docs, translation or event help."),
		entgql.RelayConnection(), entgql.QueryField().Description("Contributions members made to their communities."), entgql.MultiOrder(),
	}
}

// Policy of the Contribution (see internal/authz).
func (Contribution) Policy() ent.Policy { return authz.ContributionPolicy() }
