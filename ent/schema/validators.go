package schema

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/field"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/policy"
)

// Field builders shared by several schemas, so each format has one rule.

// optionalURL is an optional absolute http(s) URL.
func optionalURL(name, comment string) ent.Field {
	return field.String(name).Optional().Validate(policy.ValidateURL).Comment(comment)
}

// optionalCountry is an optional ISO 3166-1 alpha-2 country code.
func optionalCountry(name, comment string) ent.Field {
	return field.String(name).Optional().Validate(policy.ValidateCountry).Comment(comment).
		Annotations(entgql.OrderField("COUNTRY"))
}

// latitude and longitude are optional coordinates in degrees.
func latitude() ent.Field {
	return field.Float("latitude").Optional().Nillable().Validate(policy.ValidateLatitude).
		Comment("Latitude in degrees (WGS 84).")
}

func longitude() ent.Field {
	return field.Float("longitude").Optional().Nillable().Validate(policy.ValidateLongitude).
		Comment("Longitude in degrees (WGS 84).")
}

// longText is an optional free-text field of at most max characters.
func longText(name string, max int, comment string) ent.Field {
	return field.Text(name).Optional().Validate(runeLen(0, max)).Comment(comment)
}

// fkField declares the foreign-key column behind a unique edge, so filters and
// selects can use the id without a join.
func fkField(name, comment string) *fk { return &fk{name: name, comment: comment} }

type fk struct {
	name, comment string
	optional      bool
	immutable     bool
	private       bool
}

func (f *fk) Optional() *fk  { f.optional = true; return f }
func (f *fk) Immutable() *fk { f.immutable = true; return f }

// Private keeps the column out of GraphQL entirely, filters included: a
// filter on a private value is an oracle for it.
func (f *fk) Private() *fk { f.private = true; return f }

// Field builds the ent field.
func (f *fk) Field() ent.Field {
	b := field.String(f.name).GoType(pulid.ID("")).Comment(f.comment).
		Annotations(entgql.Skip(entgql.SkipType | entgql.SkipOrderField | entgql.SkipMutationCreateInput | entgql.SkipMutationUpdateInput))
	if f.private {
		b = b.Annotations(entgql.Skip())
	}
	if f.optional {
		b = b.Optional()
	}
	if f.immutable {
		b = b.Immutable()
	}
	return b
}

func runeLen(min, max int) func(string) error {
	return func(s string) error {
		n := utf8.RuneCountInString(s)
		if n < min {
			if min == 1 {
				return errors.New("must not be empty")
			}
			return fmt.Errorf("must be at least %d characters", min)
		}
		if n > max {
			return fmt.Errorf("must be at most %d characters", max)
		}
		return nil
	}
}
