// Package webhook implements outbound webhooks per the Standard Webhooks
// specification (https://www.standardwebhooks.com/): message signing and
// verification, a delivery HTTP client that cannot be pointed at internal
// addresses, and the retry schedule. It holds no state and is not yet wired
// into the server or the job queue.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names defined by the Standard Webhooks specification; receivers'
// libraries look for exactly these, so they are fixed.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix marks a symmetric Standard Webhooks secret so that a leaked
// value is recognisable (and scannable) for what it is.
const SecretPrefix = "whsec_"

// Bounds on the decoded secret length required by the specification: shorter
// keys are too weak, longer ones gain nothing for HMAC-SHA256.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

// DefaultTolerance is the timestamp window Verify uses when given a
// non-positive tolerance; five minutes is the specification's recommendation
// and bounds how long a captured request can be replayed.
const DefaultTolerance = 5 * time.Minute

// Errors returned by the signing functions and Verify; callers match them with
// errors.Is to tell a misconfigured secret from a forged or stale request.
var (
	ErrInvalidSecret    = errors.New("webhook: invalid secret (want whsec_ + base64 of 24-64 bytes)")
	ErrNoSecrets        = errors.New("webhook: no secrets given")
	ErrMissingHeader    = errors.New("webhook: missing header")
	ErrInvalidTimestamp = errors.New("webhook: invalid webhook-timestamp")
	ErrTimestampTooOld  = errors.New("webhook: timestamp too old")
	ErrTimestampTooNew  = errors.New("webhook: timestamp too far in the future")
	ErrNoValidSignature = errors.New("webhook: no matching signature")
	ErrInvalidMessageID = errors.New("webhook: invalid webhook-id")
)

// NewSecret returns a fresh secret of 32 random bytes in the whsec_ format;
// it is shown to the endpoint owner once and stored for signing.
func NewSecret() (string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("webhook: generating secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// decodeSecret checks the whsec_ format and returns the HMAC key.
func decodeSecret(secret string) ([]byte, error) {
	enc, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, ErrInvalidSecret
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return nil, ErrInvalidSecret
	}
	return key, nil
}

// ValidateSecret reports whether secret has the whsec_ format and a key of
// allowed length, so that bad input is rejected when stored rather than at
// delivery time.
func ValidateSecret(secret string) error {
	_, err := decodeSecret(secret)
	return err
}

func validID(id string) bool {
	// The id is part of the signed content and travels in a header: it must be
	// non-empty and must not contain separators or control characters.
	if id == "" || len(id) > 256 {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r == 0x7f || r == '.' {
			return false
		}
	}
	return true
}

func mac(key []byte, id string, unix int64, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write([]byte(strconv.FormatInt(unix, 10)))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Sign returns one webhook-signature entry, "v1,<base64 HMAC-SHA256>", over
// id + "." + unix seconds of ts + "." + body, as the specification defines.
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	if !validID(id) {
		return "", ErrInvalidMessageID
	}
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, ts.Unix(), body)), nil
}

// SignAll returns the full webhook-signature header value: one space-separated
// entry per secret, so that during rotation receivers holding either the old
// or the new secret accept the message.
func SignAll(secrets []string, id string, ts time.Time, body []byte) (string, error) {
	if len(secrets) == 0 {
		return "", ErrNoSecrets
	}
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		sig, err := Sign(s, id, ts, body)
		if err != nil {
			return "", err
		}
		sigs = append(sigs, sig)
	}
	return strings.Join(sigs, " "), nil
}

// SetHeaders sets the three Standard Webhooks headers on h for one delivery,
// keeping the header names and the timestamp format in one place.
func SetHeaders(h http.Header, secrets []string, id string, ts time.Time, body []byte) error {
	sig, err := SignAll(secrets, id, ts, body)
	if err != nil {
		return err
	}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, sig)
	return nil
}

// Verify checks a received webhook: the timestamp must lie within tolerance
// of now (DefaultTolerance if tolerance <= 0) to limit replays, and at least
// one v1 signature must match one of secrets (compared in constant time).
// Unknown signature versions are ignored, as the specification requires.
func Verify(secrets []string, headers http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if len(secrets) == 0 {
		return ErrNoSecrets
	}
	keys := make([][]byte, 0, len(secrets))
	for _, s := range secrets {
		k, err := decodeSecret(s)
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	id := headers.Get(HeaderID)
	tsText := headers.Get(HeaderTimestamp)
	sigText := headers.Get(HeaderSignature)
	for _, h := range [...][2]string{{HeaderID, id}, {HeaderTimestamp, tsText}, {HeaderSignature, sigText}} {
		if h[1] == "" {
			return fmt.Errorf("%w: %s", ErrMissingHeader, h[0])
		}
	}
	unix, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil || unix < 0 {
		return ErrInvalidTimestamp
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	tol := int64(tolerance / time.Second)
	nowUnix := now.Unix()
	switch {
	case unix < nowUnix-tol:
		return ErrTimestampTooOld
	case unix > nowUnix+tol:
		return ErrTimestampTooNew
	}
	var got [][]byte
	for _, entry := range strings.Fields(sigText) {
		version, enc, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			continue
		}
		got = append(got, raw)
	}
	for _, k := range keys {
		want := mac(k, id, unix, body)
		for _, g := range got {
			if hmac.Equal(want, g) {
				return nil
			}
		}
	}
	return ErrNoValidSignature
}
