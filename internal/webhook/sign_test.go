package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The reference vector published with the Standard Webhooks libraries
// (also reproduced by Svix's documentation).
func TestSignMatchesPublishedVector(t *testing.T) {
	const (
		secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		id     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
		body   = `{"test": 2432232314}`
		want   = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	)
	ts := time.Unix(1614265330, 0)
	got, err := Sign(secret, id, ts, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	h := http.Header{}
	h.Set("Webhook-Id", id)
	h.Set("Webhook-Timestamp", "1614265330")
	h.Set("Webhook-Signature", "v1a,ignoredAsymmetric "+want)
	if err := Verify([]string{secret}, h, []byte(body), ts.Add(time.Minute), 0); err != nil {
		t.Fatalf("Verify published vector: %v", err)
	}
}

// independentSign is a separately written implementation of the spec, used to
// check that Sign does not merely agree with itself.
func independentSign(secret, id string, unix int64, body string) string {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		panic(err)
	}
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%d.%s", id, unix, body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func mustSecret(t *testing.T) string {
	t.Helper()
	s, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignAgreesWithIndependentImplementation(t *testing.T) {
	for i := range 20 {
		secret := mustSecret(t)
		id := fmt.Sprintf("msg_%d", i)
		ts := time.Unix(1_700_000_000+int64(i)*977, 0)
		body := strings.Repeat(`{"n":"ä"}`, i)
		got, err := Sign(secret, id, ts, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if want := independentSign(secret, id, ts.Unix(), body); got != want {
			t.Fatalf("Sign = %s, independent = %s", got, want)
		}
	}
}

func TestNewSecretFormat(t *testing.T) {
	a, b := mustSecret(t), mustSecret(t)
	if a == b {
		t.Fatal("two secrets are equal")
	}
	if !strings.HasPrefix(a, "whsec_") {
		t.Fatalf("secret %q lacks whsec_ prefix", a)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "whsec_"))
	if err != nil || len(key) < 24 || len(key) > 64 {
		t.Fatalf("secret key: len %d, err %v", len(key), err)
	}
	if err := ValidateSecret(a); err != nil {
		t.Fatal(err)
	}
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	for _, bad := range []string{"", "whsec_", b64(32), "whsec_" + b64(23), "whsec_" + b64(65), "whsec_not base64!", "wh_" + b64(32)} {
		if err := ValidateSecret(bad); !errors.Is(err, ErrInvalidSecret) {
			t.Errorf("ValidateSecret(%q) = %v, want ErrInvalidSecret", bad, err)
		}
		if _, err := Sign(bad, "msg_1", time.Unix(1, 0), nil); !errors.Is(err, ErrInvalidSecret) {
			t.Errorf("Sign with %q = %v, want ErrInvalidSecret", bad, err)
		}
	}
	for _, ok := range []string{"whsec_" + b64(24), "whsec_" + b64(64)} {
		if err := ValidateSecret(ok); err != nil {
			t.Errorf("ValidateSecret(%q) = %v", ok, err)
		}
	}
}

func signed(t *testing.T, secrets []string, id string, ts time.Time, body []byte) http.Header {
	t.Helper()
	h := http.Header{}
	if err := SetHeaders(h, secrets, id, ts, body); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestRoundTripAndTampering(t *testing.T) {
	secret := mustSecret(t)
	ts := time.Unix(1_750_000_000, 0)
	body := []byte(`{"type":"application.approved","id":"42"}`)
	h := signed(t, []string{secret}, "msg_1", ts, body)
	if err := Verify([]string{secret}, h, body, ts, time.Minute); err != nil {
		t.Fatalf("round trip: %v", err)
	}
	if got := h.Get(HeaderTimestamp); got != "1750000000" {
		t.Fatalf("timestamp header %q", got)
	}

	tampered := func(mod func(h http.Header)) http.Header {
		c := h.Clone()
		mod(c)
		return c
	}
	cases := map[string]struct {
		h    http.Header
		body []byte
		want error
	}{
		"body":          {h, []byte(`{"type":"application.approved","id":"43"}`), ErrNoValidSignature},
		"id":            {tampered(func(h http.Header) { h.Set(HeaderID, "msg_2") }), body, ErrNoValidSignature},
		"timestamp":     {tampered(func(h http.Header) { h.Set(HeaderTimestamp, "1750000001") }), body, ErrNoValidSignature},
		"signature":     {tampered(func(h http.Header) { h.Set(HeaderSignature, "v1,"+base64.StdEncoding.EncodeToString(make([]byte, 32))) }), body, ErrNoValidSignature},
		"wrong version": {tampered(func(h http.Header) { h.Set(HeaderSignature, strings.Replace(h.Get(HeaderSignature), "v1,", "v2,", 1)) }), body, ErrNoValidSignature},
		"missing id":    {tampered(func(h http.Header) { h.Del(HeaderID) }), body, ErrMissingHeader},
		"missing sig":   {tampered(func(h http.Header) { h.Del(HeaderSignature) }), body, ErrMissingHeader},
		"bad timestamp": {tampered(func(h http.Header) { h.Set(HeaderTimestamp, "soon") }), body, ErrInvalidTimestamp},
		"other secret":  {signed(t, []string{mustSecret(t)}, "msg_1", ts, body), body, ErrNoValidSignature},
		"ms timestamp":  {tampered(func(h http.Header) { h.Set(HeaderTimestamp, "1750000000000") }), body, ErrTimestampTooNew},
	}
	for name, c := range cases {
		if err := Verify([]string{secret}, c.h, c.body, ts, time.Minute); !errors.Is(err, c.want) {
			t.Errorf("%s: Verify = %v, want %v", name, err, c.want)
		}
	}
	if err := Verify(nil, h, body, ts, time.Minute); !errors.Is(err, ErrNoSecrets) {
		t.Errorf("no secrets: %v", err)
	}
}

func TestTolerance(t *testing.T) {
	secret := mustSecret(t)
	ts := time.Unix(1_750_000_000, 0)
	body := []byte("x")
	h := signed(t, []string{secret}, "msg_1", ts, body)
	for _, c := range []struct {
		now  time.Time
		tol  time.Duration
		want error
	}{
		{ts.Add(5 * time.Minute), 5 * time.Minute, nil},
		{ts.Add(-5 * time.Minute), 5 * time.Minute, nil},
		{ts.Add(5*time.Minute + time.Second), 5 * time.Minute, ErrTimestampTooOld},
		{ts.Add(-5*time.Minute - time.Second), 5 * time.Minute, ErrTimestampTooNew},
		{ts.Add(4 * time.Minute), 0, nil}, // default tolerance
		{ts.Add(6 * time.Minute), 0, ErrTimestampTooOld},
		{ts.Add(30 * time.Second), 10 * time.Second, ErrTimestampTooOld},
	} {
		if err := Verify([]string{secret}, h, body, c.now, c.tol); !errors.Is(err, c.want) {
			t.Errorf("now=ts%+v tol=%v: Verify = %v, want %v", c.now.Sub(ts), c.tol, err, c.want)
		}
	}
}

func TestRotationTwoSecrets(t *testing.T) {
	oldS, newS := mustSecret(t), mustSecret(t)
	ts := time.Unix(1_750_000_000, 0)
	body := []byte(`{}`)
	h := signed(t, []string{oldS, newS}, "msg_rot", ts, body)
	if n := len(strings.Fields(h.Get(HeaderSignature))); n != 2 {
		t.Fatalf("want 2 signatures, header %q", h.Get(HeaderSignature))
	}
	for name, secrets := range map[string][]string{"old": {oldS}, "new": {newS}, "both": {newS, oldS}} {
		if err := Verify(secrets, h, body, ts, time.Minute); err != nil {
			t.Errorf("receiver with %s secret: %v", name, err)
		}
	}
	// A receiver that already rotated accepts a message signed only with the old secret
	// as long as it keeps both.
	hOld := signed(t, []string{oldS}, "msg_rot", ts, body)
	if err := Verify([]string{newS, oldS}, hOld, body, ts, time.Minute); err != nil {
		t.Errorf("receiver with both, sender with old: %v", err)
	}
	if err := Verify([]string{mustSecret(t)}, h, body, ts, time.Minute); !errors.Is(err, ErrNoValidSignature) {
		t.Errorf("unrelated secret: %v", err)
	}
	if _, err := SignAll(nil, "msg", ts, body); !errors.Is(err, ErrNoSecrets) {
		t.Errorf("SignAll(nil) = %v", err)
	}
	if _, err := Sign(oldS, "has space", ts, body); !errors.Is(err, ErrInvalidMessageID) {
		t.Errorf("Sign with bad id = %v", err)
	}
}
