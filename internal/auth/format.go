package auth

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// parsesAsJWT reports whether a credential of the JWT shape has what every
// signed token has: a header object naming its algorithm, a claims object
// and a signature. The identity provider's keys are fetched (and, on first
// use, its discovery document) before go-oidc parses the token, so junk is
// refused here, before it can cost a call to the provider.
func parsesAsJWT(cred string) bool {
	header, claims, sig, ok := splitJWT(cred)
	if !ok {
		return false
	}
	var h struct {
		Alg string `json:"alg"`
	}
	var c map[string]json.RawMessage
	return decodeSegment(header, &h) && h.Alg != "" && decodeSegment(claims, &c) && c != nil && validSegment(sig)
}

func splitJWT(s string) (header, claims, sig string, ok bool) {
	header, rest, ok1 := strings.Cut(s, ".")
	claims, sig, ok2 := strings.Cut(rest, ".")
	return header, claims, sig, ok1 && ok2 && !strings.Contains(sig, ".")
}

func decodeSegment(seg string, v any) bool {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	return err == nil && json.Unmarshal(raw, v) == nil
}

func validSegment(seg string) bool {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	return err == nil && len(raw) > 0
}
