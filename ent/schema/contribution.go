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
		fkField("declined_by_id", "Who declined it.").Optional().Field(),
		fkField("event_id", "The event attended, for participation.").Optional().Immutable().Field(),
		field.Enum("kind").
			Values("PARTICIPATION", "ARTICLE", "TALK", "USER_CASE", "REFERRAL", "FEEDBACK", "CODE", "DOCS", "COMMUNICATION", "TRANSLATION", "EVENT_HELP").
			Annotations(valueDocs{
				"PARTICIPATION": "Took part in a group event: recorded automatically when the person is checked in.",
				"ARTICLE":       "Technical content or a user-experience write-up: an article or blog post, with its link.",
				"TALK":          "Technical content or experience shared as a talk, with a link to the slides or recording.",
				"USER_CASE":     "A user case: how an organisation uses the project.",
				"REFERRAL":      "New users attracted: recorded automatically for the inviter when someone joins with their invite.",
				"FEEDBACK":      "Feedback on users' requirements, passed on to the project.",
				"CODE":          "Code contributed to the project, with a link.",
				"DOCS":          "Documentation contributed to the project, with a link.",
				"COMMUNICATION": "Spreading the word: posts, newsletters, moderation, with a link.",
				"TRANSLATION":   "A translation.",
				"EVENT_HELP":    "Help running an event.",
			}).
			Comment("What sort of contribution it is.").Annotations(entgql.OrderField("KIND")),
		field.String("title").Validate(runeLen(1, 200)).Comment("A short description."),
		optionalURL("url", "Where it can be seen."),
		field.Time("occurred_on").Comment("When it happened.").Annotations(entgql.OrderField("OCCURRED_ON")),
		longText("details", 2000, "What was done, in the contributor's words."),
		field.Enum("status").Values("PENDING", "VERIFIED", "DECLINED").Default("PENDING").
			Annotations(valueDocs{
				"PENDING":  "Recorded by the member; waiting for an organizer or ambassador of the group to check it.",
				"VERIFIED": "Checked: it meets an obligation and earns its points.",
				"DECLINED": "Not accepted, with a reason; it counts for nothing.",
			}).
			Comment("Whether the contribution counts yet.").Annotations(entgql.OrderField("STATUS")),
		field.Int("points").Default(0).NonNegative().
			Comment("Points it earns in the yearly tally: the community's points for its kind when it was verified; 0 until then."),
		field.Time("verified_at").Optional().Nillable().Comment("When it was verified; unverified contributions count for nothing yet."),
		field.Time("declined_at").Optional().Nillable().Comment("When it was declined."),
		field.String("decline_reason").Optional().Validate(runeLen(0, 500)).Comment("Why it was declined."),
		field.Bool("automatic").Default(false).
			Comment("Recorded by the system (a check-in, a redeemed invite) rather than by the member; arrives verified."),
		field.String("source_key").Optional().Nillable().Unique().Immutable().
			Comment("What an automatic contribution came from, so it is recorded once.").Annotations(entgql.Skip()),
		field.Int("shortlisted_year").Optional().Nillable().Range(2000, 2200).
			Comment("For a user case: the year of the annual summit staff shortlisted it for."),
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
		edge.To("declined_by", User.Type).Field("declined_by_id").Unique().Comment("Who declined it."),
		edge.To("event", Event.Type).Field("event_id").Unique().Immutable().Comment("The event attended, for participation."),
	}
}

// Indexes of the Contribution.
func (Contribution) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("user_id", "occurred_on"),
		index.Fields("community_id", "kind", "occurred_on"),
		index.Fields("group_id", "occurred_on"),
		index.Fields("group_id", "status"),
		index.Fields("community_id", "shortlisted_year"),
	}
}

// Annotations of the Contribution.
func (Contribution) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("What a member did for the community, one kind per member obligation; verified contributions meet the yearly obligation and count towards awards."),
		entgql.RelayConnection(), entgql.QueryField().Description("Contributions members made to their communities."), entgql.MultiOrder(),
	}
}

// Policy of the Contribution (see internal/authz).
func (Contribution) Policy() ent.Policy { return authz.ContributionPolicy() }
