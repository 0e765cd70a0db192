package schema

// valueDocs describes each value of an enum field, for the GraphQL enum
// entgql generates from it: ent has no place for per-value documentation,
// so ent/entc.go reads this annotation (by its name) and fails when a value
// has none.
type valueDocs map[string]string

// Name implements schema.Annotation.
func (valueDocs) Name() string { return "ValueDocs" }
