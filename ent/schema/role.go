package schema

import (
	"context"
	"fmt"
	"github.com/usergroups/usergroups/internal/authz"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/policy"
)

// Role is a person's role in a scope; a group's roster is its set of roles.
type Role struct{ ent.Schema }

// Mixin of the Role.
func (Role) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("rol"), TimeMixin{}, changeLogMixin{topic: "role"}}
}

// Fields of the Role.
func (Role) Fields() []ent.Field {
	return []ent.Field{
		fkField("user_id", "The person holding the role.").Immutable().Field(),
		fkField("community_id", "The community the role is in; empty only for global admins.").Optional().Immutable().Field(),
		fkField("region_id", "The region a regional ambassador covers.").Optional().Immutable().Field(),
		fkField("group_id", "The group a member, organizer or group ambassador belongs to.").Optional().Immutable().Field(),
		fkField("home_group_id", "An ambassador's home group.").Optional().Field(),
		fkField("report_id", "The report a revocation acted on, when the role was revoked from one.").Optional().Field(),
		field.Enum("kind").
			Values("MEMBER", "ORGANIZER", "AMBASSADOR", "COMMUNITY_MANAGER", "ADMIN").
			Annotations(valueDocs{
				"MEMBER":            "A member of a group.",
				"ORGANIZER":         "An organizer of a group.",
				"AMBASSADOR":        "An ambassador, who mentors groups.",
				"COMMUNITY_MANAGER": "A community's staff member.",
				"ADMIN":             "An administrator of the whole site.",
			}).
			Immutable().
			Comment("What the person is in the scope.").
			Annotations(entgql.OrderField("KIND")),
		field.Enum("status").
			Values("PENDING", "ACTIVE", "LAPSED", "LEFT", "REMOVED", "EMERITUS", "TERM_ENDED").
			Annotations(valueDocs{
				"PENDING":    "Requested; waiting for approval.",
				"ACTIVE":     "Held now.",
				"LAPSED":     "Ended because the person stopped taking part.",
				"LEFT":       "Given up by the person.",
				"REMOVED":    "Taken away by the organizers or staff.",
				"EMERITUS":   "Ended with honours: the person served and stepped down.",
				"TERM_ENDED": "Ended because its term ran out.",
			}).
			Default("ACTIVE").
			Comment("PENDING for a join request, ACTIVE while held, then how it ended (TERM_ENDED when a term ran out).").
			Annotations(entgql.OrderField("STATUS")),
		field.String("scope_key").Immutable().
			Comment("Derived: the scope as one value, so uniqueness holds for every kind of scope.").
			Annotations(entgql.Skip()),
		field.Time("term_start").Optional().Nillable().Comment("When the current term began.").
			Annotations(entgql.OrderField("TERM_START")),
		field.Time("term_end").Optional().Nillable().Comment("When the current term ends; empty for open-ended roles."),
		field.Int("term_number").Default(1).Min(1).Comment("Which term this is (1 for the first)."),
		field.Time("obligation_started_at").Optional().Nillable().
			Comment("A member's current obligation year began: on joining, then at each renewal.").Annotations(entgql.Skip()),
		field.Time("obligation_due_at").Optional().Nillable().
			Comment("When the member's current obligation year ends: without a verified contribution by then the membership lapses. Empty where the community has no obligations.").
			Annotations(entgql.Skip()),
		field.Time("ended_at").Optional().Nillable().Comment("When the role stopped being active."),
		field.String("end_reason").Optional().Validate(runeLen(1, 500)).Comment("Why the role ended."),
	}
}

// Edges of the Role.
func (Role) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("roles").Field("user_id").Unique().Required().Immutable().
			Comment("The person holding the role."),
		edge.From("community", Community.Type).Ref("roles").Field("community_id").Unique().Immutable().
			Comment("The community the role is in."),
		edge.From("region", Region.Type).Ref("roles").Field("region_id").Unique().Immutable().
			Comment("The region a regional ambassador covers."),
		edge.From("group", Group.Type).Ref("roles").Field("group_id").Unique().Immutable().
			Comment("The group of a member, organizer or group ambassador."),
		edge.To("home_group", Group.Type).Field("home_group_id").Unique().
			Comment("An ambassador's home group."),
		edge.To("report", Report.Type).Field("report_id").Unique().
			Comment("The report the revocation acted on; visible only to those who may read the report."),
	}
}

// Indexes of the Role.
func (Role) Indexes() []ent.Index {
	return []ent.Index{
		// One live (pending or active) role of a kind per person and scope.
		index.Fields("user_id", "kind", "scope_key").Unique().
			Annotations(entsql.IndexWhere("status IN ('PENDING', 'ACTIVE')")),
		index.Fields("group_id", "kind", "status"),
		index.Fields("region_id", "kind", "status"),
		index.Fields("community_id", "kind", "status"),
		index.Fields("user_id", "status"),
		index.Fields("status", "obligation_due_at"),
	}
}

// Hooks of the Role.
func (Role) Hooks() []ent.Hook {
	return []ent.Hook{roleScopeKey}
}

// roleScopeKey derives scope_key from the scope edges on create, and checks
// the scope fits the kind (an ADMIN is global, staff need a community, a
// MEMBER or ORGANIZER needs a group).
func roleScopeKey(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if !m.Op().Is(ent.OpCreate) {
			return next.Mutate(ctx, m)
		}
		get := func(name string) string {
			if v, ok := m.Field(name); ok {
				if id, ok := v.(pulid.ID); ok {
					return string(id)
				}
			}
			return ""
		}
		kind, _ := m.Field("kind")
		k := fmt.Sprint(kind)
		community, region, group := get("community_id"), get("region_id"), get("group_id")
		var key string
		switch {
		case k == "ADMIN":
			if community != "" || region != "" || group != "" {
				return nil, &policy.FieldError{Field: "kind", Reason: "ADMIN is a global role and takes no scope"}
			}
			key = "global"
		case community == "":
			return nil, &policy.FieldError{Field: "community_id", Reason: "a " + k + " role needs a community"}
		case group != "":
			key = "group:" + group
		case region != "":
			key = "region:" + region
		case k == "MEMBER" || k == "ORGANIZER":
			return nil, &policy.FieldError{Field: "group_id", Reason: "a " + k + " role needs a group"}
		default:
			key = "community:" + community
		}
		if err := m.SetField("scope_key", key); err != nil {
			return nil, err
		}
		return next.Mutate(ctx, m)
	})
}

// Annotations of the Role.
func (Role) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A person's role (member, organizer, ambassador, staff) in a group, region or community."),
		entgql.RelayConnection(), entgql.QueryField().Description("Roles (roster entries) in groups, regions and communities."), entgql.MultiOrder(),
	}
}

// Policy of the Role (see internal/authz).
func (Role) Policy() ent.Policy { return authz.RolePolicy() }
