package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/usergroups/usergroups/internal/authz"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
)

// Application is any request someone reviews: a new group, membership,
// organizer or ambassador role, official status, or funding.
type Application struct{ ent.Schema }

// Mixin of the Application.
func (Application) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("app"), TimeMixin{}, changeLogMixin{topic: "application"}}
}

// Fields of the Application.
func (Application) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community whose queue holds the application.").Immutable().Field(),
		fkField("applicant_id", "Who applied.").Immutable().Field(),
		fkField("group_id", "The group concerned (for a new group, the proposed group).").Optional().Field(),
		fkField("region_id", "The region concerned.").Optional().Field(),
		fkField("reviewer_id", "The reviewer assigned.").Optional().Field(),
		fkField("mentor_id", "The ambassador assigned to mentor a new group.").Optional().Field(),
		fkField("decided_by_id", "Who decided.").Optional().Field(),
		fkField("closed_by_id", "For funding: the staff member who closed it after the activity report.").Optional().Field(),
		field.Enum("kind").
			Values("NEW_GROUP", "MEMBERSHIP", "ORGANIZER", "AMBASSADOR", "OFFICIAL_STATUS", "FUNDING").
			Annotations(valueDocs{
				"NEW_GROUP":       "A request to found a new group.",
				"MEMBERSHIP":      "A request to join a group that reviews its members.",
				"ORGANIZER":       "A request to become an organizer of a group.",
				"AMBASSADOR":      "A request to become an ambassador.",
				"OFFICIAL_STATUS": "A group's request to be recognised as official.",
				"FUNDING":         "A request for funding.",
			}).
			Immutable().
			Comment("What is requested.").
			Annotations(entgql.OrderField("KIND")),
		field.Enum("status").
			Values("SUBMITTED", "IN_REVIEW", "NEEDS_INFO", "OBJECTION_WINDOW", "APPROVED", "REJECTED", "WITHDRAWN", "EXPIRED").
			Annotations(valueDocs{
				"SUBMITTED":        "Submitted; no reviewer has acted yet.",
				"IN_REVIEW":        "Reviewers are looking at it.",
				"NEEDS_INFO":       "A reviewer asked the applicant for more information.",
				"OBJECTION_WINDOW": "Provisionally accepted; members may object until the window closes.",
				"APPROVED":         "Approved (final).",
				"REJECTED":         "Rejected (final).",
				"WITHDRAWN":        "Taken back by the applicant (final).",
				"EXPIRED":          "Closed because nobody decided in time (final).",
			}).
			Default("SUBMITTED").
			Comment("Where the application is in review; APPROVED, REJECTED, WITHDRAWN and EXPIRED are final.").
			Annotations(entgql.OrderField("STATUS")),
		field.JSON("answers", schematype.ApplicationAnswers{}).
			Default(schematype.ApplicationAnswers{}).
			Comment("What the applicant wrote; the fields used depend on the kind.").
			Annotations(entgql.Type("ApplicationAnswers"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.JSON("screening", schematype.Screening{}).
			Optional().
			Comment("What the automatic checks found on submission.").
			Annotations(entgql.Type("Screening"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.JSON("checklist", schematype.HandoverChecklist{}).
			Optional().
			Comment("Handover steps for official status.").
			Annotations(entgql.Type("HandoverChecklist"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Int("unresolved_conflicts").Default(0).NonNegative().
			Comment("Conflicts in the screening that no reviewer has settled; derived from the screening.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("objection_deadline").Optional().Nillable().
			Comment("End of the objection window, when one is open."),
		field.Text("decision_reason").Optional().Validate(runeLen(1, 5000)).
			Comment("Why it was decided as it was."),
		field.Time("decided_at").Optional().Nillable().Comment("When it was decided.").
			Annotations(entgql.OrderField("DECIDED_AT")),
		field.JSON("funding_report", schematype.FundingReport{}).Optional().
			Comment("For approved funding: the organizer's report after the activity."),
		field.Time("closed_at").Optional().Nillable().
			Comment("For approved funding: when staff closed it after the activity report."),
	}
}

// Edges of the Application.
func (Application) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("community", Community.Type).Ref("applications").Field("community_id").Unique().Required().Immutable().
			Comment("The community whose queue holds the application."),
		edge.From("applicant", User.Type).Ref("applications").Field("applicant_id").Unique().Required().Immutable().
			Comment("Who applied."),
		edge.From("group", Group.Type).Ref("applications").Field("group_id").Unique().
			Comment("The group concerned."),
		edge.To("region", Region.Type).Field("region_id").Unique().Comment("The region concerned."),
		edge.To("reviewer", User.Type).Field("reviewer_id").Unique().Comment("The reviewer assigned."),
		edge.To("mentor", User.Type).Field("mentor_id").Unique().Comment("The mentor assigned to a new group."),
		edge.To("decided_by", User.Type).Field("decided_by_id").Unique().Comment("Who decided."),
		edge.To("closed_by", User.Type).Field("closed_by_id").Unique().Comment("Who closed approved funding after its report."),
		edge.To("supporters", User.Type).Comment("People backing a new group request.").
			Annotations(entgql.RelayConnection()),
		edge.To("reviews", Review.Type).Comment("The review timeline.").
			Annotations(entgql.RelayConnection()),
	}
}

// Hooks of the Application.
func (Application) Hooks() []ent.Hook {
	return []ent.Hook{countUnresolvedConflicts}
}

// countUnresolvedConflicts keeps unresolved_conflicts in step with the
// screening, whoever writes it, so the queue can filter on it in SQL.
func countUnresolvedConflicts(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if v, ok := m.Field("screening"); ok {
			if s, ok := v.(schematype.Screening); ok {
				n := 0
				for _, c := range s.Conflicts {
					if c.ResolvedAt == nil {
						n++
					}
				}
				if err := m.SetField("unresolved_conflicts", n); err != nil {
					return nil, err
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}

// Indexes of the Application.
func (Application) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("community_id", "status", "kind", "created_at"),
		index.Fields("applicant_id", "status"),
		index.Fields("group_id", "kind", "status"),
	}
}

// Annotations of the Application.
func (Application) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A request someone reviews: new group, membership, organizer, ambassador, official status or funding."),
		entgql.RelayConnection(), entgql.QueryField().Description("Applications of every kind, the review queues of the communities."), entgql.MultiOrder(),
	}
}

// Policy of the Application (see internal/authz).
func (Application) Policy() ent.Policy { return authz.ApplicationPolicy() }
