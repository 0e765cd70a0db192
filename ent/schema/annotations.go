package schema

// valueDocs describes each value of an enum field, for the GraphQL enum
// entgql generates from it: ent has no place for per-value documentation,
// so ent/entc.go reads this annotation (by its name) and fails when a value
// has none.
type valueDocs map[string]string

// Name implements schema.Annotation.
func (valueDocs) Name() string { return "ValueDocs" }

// joinLoad marks a unique edge held by a foreign key of its own (a person's
// organization) whose eager load may be answered by the owner's query
// itself, through a LEFT JOIN, instead of a statement of its own
// (ent/template/joinload.tmpl): the nested dashboard loads people with
// their organizations in one statement. It applies only while the edge's
// query is a plain load, and only once the target's privacy policy has
// added no filter.
type joinLoad struct{}

// Name implements schema.Annotation.
func (joinLoad) Name() string { return "JoinLoad" }
