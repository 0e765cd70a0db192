package httpguard

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/99designs/gqlgen/graphql"
)

// checkBody returns why a POST body is not one GraphQL-over-HTTP request, or
// "" when gqlgen can take it. The messages never quote the body: it may hold
// secrets, and echoing it makes the error a reflection vector.
func checkBody(body []byte) string {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return "the request body is empty"
	}
	if !json.Valid(body) {
		return "the request body is not valid JSON"
	}
	switch trimmed[0] {
	case '[':
		return "batching is not supported: send one operation per request"
	case '{':
	default:
		return "the request body must be a JSON object"
	}
	// Decode exactly as gqlgen's POST transport will (same struct, numbers
	// kept as json.Number, keys matched case-insensitively), so that what
	// passes here cannot fail there: gqlgen's own decoding failure path
	// echoes the body and trips entgql's transaction hook.
	var p graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		if te, ok := err.(*json.UnmarshalTypeError); ok {
			return typeMessage(te.Field)
		}
		return "the request body is not a GraphQL request"
	}
	if p.Query == "" && !hasPersistedQuery(p.Extensions) {
		return "the query parameter is required"
	}
	return ""
}

// typeMessage words a type mismatch of one request parameter.
func typeMessage(field string) string {
	switch strings.ToLower(field) {
	case "query":
		return "query must be a string"
	case "operationname":
		return "operationName must be a string"
	case "variables":
		return "variables must be an object"
	case "extensions":
		return "extensions must be an object"
	}
	return "the request parameters have the wrong types"
}

// hasPersistedQuery reports whether ext carries an automatic persisted
// query (APQ) whose hash may stand in for the query text.
func hasPersistedQuery(ext map[string]any) bool {
	_, ok := ext["persistedQuery"].(map[string]any)
	return ok
}

// decodeExtensions decodes the extensions parameter of a GET as gqlgen does.
func decodeExtensions(s string) (map[string]any, error) {
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	err := dec.Decode(&m)
	return m, err
}
