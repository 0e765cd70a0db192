package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"github.com/usergroups/usergroups/internal/authz"

	"github.com/usergroups/usergroups/ent/schema/pulid"
)

// APIToken lets a third-party tool act for its owner within its scopes. Only
// a hash of the secret is stored.
type APIToken struct{ ent.Schema }

// Mixin of the APIToken.
func (APIToken) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("tok"), TimeMixin{}}
}

// Fields of the APIToken.
func (APIToken) Fields() []ent.Field {
	return []ent.Field{
		fkField("owner_id", "Whose token it is: a person, or a service account's own user.").Immutable().Private().Field(),
		fkField("service_account_id", "The service account it belongs to; empty for a person's token.").Optional().Immutable().Field(),
		field.String("name").Validate(runeLen(1, 100)).Comment("What the token is for."),
		field.String("token_hash").Unique().Immutable().Sensitive().Comment("SHA-256 of the secret.").Annotations(entgql.Skip()),
		field.String("hint").Immutable().Comment("The first characters of the secret, to recognise it."),
		// Stored in lower case (read, write); the API shows the APITokenScope
		// enum of graph/schema.graphqls, through a field resolver.
		field.Strings("scopes").Comment("What the token may do: read areas and write scopes, or the broad READ and WRITE.").
			Annotations(entgql.Type("[APITokenScope!]")),
		field.Time("last_used_at").Optional().Nillable().Comment("When the token was last used."),
		field.String("last_used_address").Optional().Comment("The client address it was last used from (recorded with lastUsedAt)."),
		field.Time("expires_at").Optional().Nillable().Comment("When the token stops working."),
		field.Time("revoked_at").Optional().Nillable().Comment("When the token was revoked."),
	}
}

// Edges of the APIToken.
func (APIToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("owner", User.Type).Ref("api_tokens").Field("owner_id").Unique().Required().Immutable().
			Comment("Whose token it is."),
		edge.From("service_account", ServiceAccount.Type).Ref("tokens").Field("service_account_id").Unique().Immutable().
			Comment("The service account it belongs to; null for a person's token."),
	}
}

// Annotations of the APIToken.
func (APIToken) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An API token for a third-party tool; the secret is shown once, at creation."),
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// Policy of the APIToken (see internal/authz).
func (APIToken) Policy() ent.Policy { return authz.APITokenPolicy() }
