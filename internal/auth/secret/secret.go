// Package secret is the format of API token secrets: how one is minted,
// recognised and hashed. It imports nothing of ours, so both the workflow
// step that issues tokens and the authentication that checks them use the
// one definition.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// Prefix starts every API token, so a leaked one is recognisable (and
// secret scanners can find it) and so it is never mistaken for a JWT.
const Prefix = "ugt_"

// size is how many random bytes a token carries: 256 bits, beyond guessing.
const size = 32

// hintLen is how much of a token is kept in clear to recognise it in lists.
const hintLen = len(Prefix) + 6

// length is the length of every secret New mints.
var length = len(Prefix) + base64.RawURLEncoding.EncodedLen(size)

// New mints a token secret: the prefix, then size random bytes in unpadded
// base64url.
func New() (string, error) {
	var raw [size]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("generating token: %w", err)
	}
	return Prefix + base64.RawURLEncoding.EncodeToString(raw[:]), nil
}

// Hash is what is stored of a secret (its SHA-256 in hex): the secret
// itself is shown once and never kept.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Hint is the start of a secret kept in clear, to tell tokens apart in lists.
func Hint(s string) string { return s[:min(hintLen, len(s))] }

// WellFormed reports whether s has the shape of a secret New mints — the
// prefix, then size bytes in canonical unpadded base64url — so that a
// guess of any other shape is refused without a database read.
func WellFormed(s string) bool {
	if len(s) != length || !strings.HasPrefix(s, Prefix) {
		return false
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s[len(Prefix):])
	return err == nil && len(raw) == size
}
