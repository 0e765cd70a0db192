// Package usergroups is the module root; it holds only the code-generation
// order: ent (and the entgql schema) first, then gqlgen.
package usergroups

//go:generate go run -mod=mod ./ent/entc.go
//go:generate go tool gqlgen generate --config gqlgen.yml
