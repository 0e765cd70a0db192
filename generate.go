// Package usergroups is the module root; it holds only the code-generation
// order: ent (and the entgql schema) first, then gqlgen, then the rewrite
// of gqlgen's executor that internal/tools/execpatch explains, and last the
// published schema, schema.graphql, printed from the compiled one
// (internal/tools/sdl; docs/api-contract.md says how it is published).
package usergroups

//go:generate go run -mod=mod ./ent/entc.go
//go:generate go tool gqlgen generate --config gqlgen.yml
//go:generate go run ./internal/tools/execpatch graph/generated/generated.go
//go:generate go run ./internal/tools/sdl -o schema.graphql
