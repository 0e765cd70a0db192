package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
)

// Election is a group's vote for the next term of a role (openEuler: the
// community appoints first terms, the group's members elect later ones).
type Election struct{ ent.Schema }

// Mixin of the Election.
func (Election) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("ele"), TimeMixin{}, changeLogMixin{topic: "election"}}
}

// Fields of the Election.
func (Election) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community of the group.").Immutable().Field(),
		fkField("group_id", "The group electing.").Immutable().Field(),
		fkField("opened_by_id", "The organizer or staff member who opened it.").Immutable().Private().Field(),
		field.Enum("kind").Values("ORGANIZER", "AMBASSADOR").
			Annotations(valueDocs{
				"ORGANIZER":  "Elects the group's organizers.",
				"AMBASSADOR": "Elects the group's ambassador.",
			}).Immutable().
			Comment("The role being elected."),
		field.Int("seats").Range(1, 10).Default(1).Immutable().
			Comment("How many people are elected."),
		field.Enum("status").
			Values("OPEN", "DECIDED", "TIED", "NO_CANDIDATES", "SEATED", "SEATING_FAILED", "CANCELLED").
			Annotations(valueDocs{
				"OPEN":           "Taking nominations or votes until the deadline.",
				"DECIDED":        "The deadline passed and the winners are known.",
				"TIED":           "The deadline passed with a tie for the last seat; staff break it.",
				"NO_CANDIDATES":  "The deadline passed without accepted candidates; the community appoints.",
				"SEATED":         "The winners' term has begun.",
				"SEATING_FAILED": "The winners cannot take office yet; the note says why, and seating is retried until they can or staff cancel.",
				"CANCELLED":      "Cancelled before a result took effect.",
			}).
			Default("OPEN").
			Comment("OPEN until the deadline; then DECIDED (winners known), TIED (staff break the tie) or NO_CANDIDATES (the community appoints); SEATED once the winners' term began; SEATING_FAILED while the winners cannot take office (the note says why; retried until they can, or staff cancel)."),
		field.Time("nominations_close_at").Immutable().
			Comment("Nominations are taken until then; voting starts then."),
		field.Time("voting_closes_at").Immutable().
			Comment("The deadline: the result is computed then."),
		field.Time("term_starts_at").Immutable().
			Comment("When the winners' term begins (when the current term ends)."),
		field.Int("term_number").Min(1).Immutable().
			Comment("Which term is being elected."),
		field.Int("turnout").Optional().Nillable().
			Comment("How many members voted; known once voting closed."),
		field.Time("decided_at").Optional().Nillable().Comment("When the result was computed."),
		field.String("note").Optional().Validate(runeLen(1, 1000)).
			Comment("How the election ended: tie-break, cancellation reason, or why nobody was seated."),
	}
}

// Edges of the Election.
func (Election) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().
			Comment("The community of the group."),
		edge.From("group", Group.Type).Ref("elections").Field("group_id").Unique().Required().Immutable().
			Comment("The group electing."),
		edge.To("opened_by", User.Type).Field("opened_by_id").Unique().Required().Immutable().
			Comment("Who opened it.").Annotations(entgql.Skip()),
		edge.To("candidates", Candidate.Type).Comment("The people nominated, in nomination order."),
	}
}

// Indexes of the Election.
func (Election) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("group_id", "kind", "status"),
		index.Fields("status", "voting_closes_at"),
		index.Fields("status", "term_starts_at"),
	}
}

// Policy of the Election (see internal/authz).
func (Election) Policy() ent.Policy { return authz.ElectionPolicy() }

// Annotations of the Election.
func (Election) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A group's election for the next term of a role; public like the group, with a secret ballot."),
		// No connection lists elections, so an ordering input would be
		// published unused (graphql-schema-linter: defined-types-are-used).
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipOrderField),
	}
}

// Candidate is a person nominated in an election.
type Candidate struct{ ent.Schema }

// Mixin of the Candidate.
func (Candidate) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("cnd"), TimeMixin{}}
}

// Fields of the Candidate.
func (Candidate) Fields() []ent.Field {
	return []ent.Field{
		fkField("election_id", "The election.").Immutable().Field(),
		fkField("user_id", "The person nominated.").Immutable().Field(),
		fkField("nominated_by_id", "Who nominated them (themselves, or another member).").Immutable().Field(),
		field.Enum("status").Values("NOMINATED", "ACCEPTED", "DECLINED", "WITHDRAWN").
			Annotations(valueDocs{
				"NOMINATED": "Nominated; the person has not accepted yet.",
				"ACCEPTED":  "The person accepted and stands for election.",
				"DECLINED":  "The person declined the nomination.",
				"WITHDRAWN": "The person withdrew after accepting.",
			}).Default("NOMINATED").
			Comment("NOMINATED until the person accepts; only ACCEPTED candidates stand."),
		field.Text("statement").Optional().Validate(runeLen(1, 2000)).
			Comment("What the candidate wants to do in the role."),
		// Secret until the deadline, so the column stays out of GraphQL,
		// filters and ordering included; a resolver shows it afterwards.
		field.Int("votes").Default(0).NonNegative().
			Comment("Votes received.").Annotations(entgql.Skip()),
		field.Bool("elected").Default(false).Comment("Whether the candidate won a seat."),
	}
}

// Edges of the Candidate.
func (Candidate) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("election", Election.Type).Ref("candidates").Field("election_id").Unique().Required().Immutable().
			Comment("The election."),
		edge.To("user", User.Type).Field("user_id").Unique().Required().Immutable().Comment("The person nominated."),
		edge.To("nominated_by", User.Type).Field("nominated_by_id").Unique().Required().Immutable().
			Comment("Who nominated them."),
	}
}

// Indexes of the Candidate.
func (Candidate) Indexes() []ent.Index {
	return []ent.Index{index.Fields("election_id", "user_id").Unique()}
}

// Policy of the Candidate (see internal/authz).
func (Candidate) Policy() ent.Policy { return authz.CandidatePolicy() }

// Annotations of the Candidate.
func (Candidate) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A person nominated in an election."),
		// Candidates are listed by their election, not as a connection: no
		// ordering input (it would be published unused).
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput, entgql.SkipOrderField),
	}
}

// Voter records that a member voted in an election — and not for whom: the
// choice only adds to a candidate's tally, so no row links a person to a
// vote, and a second vote hits the unique index.
type Voter struct{ ent.Schema }

// Mixin of the Voter.
func (Voter) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("vtr")}
}

// Fields of the Voter.
func (Voter) Fields() []ent.Field {
	return []ent.Field{
		fkField("election_id", "The election.").Immutable().Private().Field(),
		fkField("user_id", "The member who voted.").Immutable().Private().Field(),
	}
}

// Edges of the Voter.
func (Voter) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("election", Election.Type).Field("election_id").Unique().Required().Immutable(),
		edge.To("user", User.Type).Field("user_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Voter.
func (Voter) Indexes() []ent.Index {
	return []ent.Index{index.Fields("election_id", "user_id").Unique()}
}

// Policy of the Voter (see internal/authz).
func (Voter) Policy() ent.Policy { return authz.VoterPolicy() }

// Annotations of the Voter.
func (Voter) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("That a member voted (never for whom)."),
		entgql.Skip(),
	}
}
