package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// trustedDocuments is the allow-list mode for deployments that serve only
// their own dashboards: a document runs only if its SHA-256 is on the list.
// Clients send the hash alone (extensions.persistedQuery.sha256Hash, as
// Apollo's persisted queries do) or the full text, which must hash to an
// entry. It replaces automatic persisted queries, which would let anyone
// register a new document.
type trustedDocuments map[string]string

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = trustedDocuments(nil)

func (trustedDocuments) ExtensionName() string                   { return "TrustedDocuments" }
func (trustedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters fills in a document sent by hash and refuses
// any document not on the list.
func (t trustedDocuments) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	hash := ""
	if pq, ok := p.Extensions["persistedQuery"].(map[string]any); ok {
		hash, _ = pq["sha256Hash"].(string)
	}
	if p.Query == "" {
		doc, ok := t[strings.ToLower(hash)]
		if !ok {
			return &gqlerror.Error{Message: "PersistedQueryNotFound: this server runs trusted documents only",
				Extensions: map[string]any{"code": "PERSISTED_QUERY_NOT_FOUND"}}
		}
		p.Query = doc
		return nil
	}
	sum := sha256.Sum256([]byte(p.Query))
	if _, ok := t[hex.EncodeToString(sum[:])]; !ok {
		return &gqlerror.Error{Message: "this server runs trusted documents only, and this document is not one of them",
			Extensions: map[string]any{"code": "DOCUMENT_NOT_ALLOWED"}}
	}
	return nil
}

// LoadTrustedDocuments reads an allow-list: either a JSON object of
// SHA-256 hex → document, or an Apollo persisted-query manifest
// ({"operations": [{"id", "body"}]}). Every hash is checked against its
// document, so a list cannot smuggle a document under another's hash.
func LoadTrustedDocuments(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var manifest struct {
		Operations []struct {
			ID   string `json:"id"`
			Body string `json:"body"`
		} `json:"operations"`
	}
	docs := map[string]string{}
	if err := json.Unmarshal(raw, &manifest); err == nil && len(manifest.Operations) > 0 {
		for _, op := range manifest.Operations {
			docs[op.ID] = op.Body
		}
	} else {
		docs = map[string]string{}
		if err := json.Unmarshal(raw, &docs); err != nil {
			return nil, fmt.Errorf("%s: neither a hash → document object nor a persisted-query manifest: %w", path, err)
		}
	}
	out := make(map[string]string, len(docs))
	for hash, doc := range docs {
		sum := sha256.Sum256([]byte(doc))
		if got := hex.EncodeToString(sum[:]); !strings.EqualFold(got, hash) {
			return nil, fmt.Errorf("%s: the entry %q is not the SHA-256 of its document (%s)", path, hash, got)
		}
		out[strings.ToLower(hash)] = doc
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no documents", path)
	}
	return out, nil
}
