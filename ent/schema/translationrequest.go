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

// TranslationRequest asks volunteers to translate some content: ambassadors
// or staff open it, a volunteer takes it and delivers a link, and the asker
// marks it done.
type TranslationRequest struct{ ent.Schema }

// Mixin of the TranslationRequest.
func (TranslationRequest) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("trq"), TimeMixin{}}
}

// Fields of the TranslationRequest.
func (TranslationRequest) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community asking.").Immutable().Field(),
		fkField("group_id", "The group asked, if the request is for one group.").Optional().Immutable().Field(),
		fkField("requested_by_id", "Who asks.").Immutable().Field(),
		fkField("volunteer_id", "The volunteer who took it.").Optional().Field(),
		field.String("title").Validate(runeLen(3, 200)).Comment("What to translate."),
		field.String("source_url").Validate(runeLen(1, 2000)).Comment("Link to the content to translate."),
		field.String("source_language").Validate(runeLen(2, 35)).Comment("BCP 47 tag of the content's language, e.g. \"en\"."),
		field.JSON("target_languages", []string{}).Comment("BCP 47 tags of the languages wanted, e.g. [\"zh-CN\"]."),
		field.Time("due_at").Optional().Nillable().Comment("When the translation is wanted by.").Annotations(entgql.OrderField("DUE_AT")),
		field.Enum("status").Values("OPEN", "TAKEN", "DELIVERED", "DONE", "CANCELLED").
			Annotations(valueDocs{
				"OPEN":      "Waiting for a volunteer.",
				"TAKEN":     "A volunteer is working on it.",
				"DELIVERED": "The volunteer delivered a link; the asker has not yet marked it done.",
				"DONE":      "The asker accepted the translation.",
				"CANCELLED": "Withdrawn by the asker.",
			}).Default("OPEN").Comment("Where the request stands.").Annotations(entgql.OrderField("STATUS")),
		field.String("delivered_url").Optional().Validate(runeLen(1, 2000)).Comment("Link to the translation delivered."),
		field.Time("taken_at").Optional().Nillable().Comment("When the volunteer took it."),
		field.Time("delivered_at").Optional().Nillable().Comment("When the translation was delivered."),
		field.Time("done_at").Optional().Nillable().Comment("When it was marked done."),
	}
}

// Edges of the TranslationRequest.
func (TranslationRequest) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("community", Community.Type).Field("community_id").Unique().Required().Immutable().Comment("The community asking."),
		edge.To("group", Group.Type).Field("group_id").Unique().Immutable().Comment("The group asked."),
		edge.To("requested_by", User.Type).Field("requested_by_id").Unique().Required().Immutable().Comment("Who asks."),
		edge.To("volunteer", User.Type).Field("volunteer_id").Unique().Comment("The volunteer who took it."),
	}
}

// Indexes of the TranslationRequest.
func (TranslationRequest) Indexes() []ent.Index {
	return []ent.Index{index.Fields("community_id", "status", "created_at")}
}

// Annotations of the TranslationRequest.
func (TranslationRequest) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A request for help translating some content; anyone may read it, a signed-in volunteer takes it."),
		entgql.RelayConnection(), entgql.QueryField().Description("Requests for translation help (public), for volunteers to find one to take."),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the TranslationRequest (see internal/authz).
func (TranslationRequest) Policy() ent.Policy { return authz.TranslationRequestPolicy() }
