package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestParseLifetime: the command line takes whole days within the one
// limit every path that creates a token checks (policy.TokenLifetime).
func TestParseLifetime(t *testing.T) {
	for in, want := range map[string]int{"1d": 1, "90d": 90, "730d": 730, "0d": 0, "731d": 0, "3650d": 0, "12h": 0, "90": 0, "d": 0, "-1d": 0} {
		got, err := parseLifetime(in)
		if (err == nil) != (want != 0) || got != want {
			t.Errorf("parseLifetime(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// TestTokenDemoNeedsTheDemo: on a database without the demo's people,
// `token demo` prints no exports and says what is missing (the README's
// test runs it on the demo itself).
func TestTokenDemoNeedsTheDemo(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"token", "demo", "--database", testDSN(t)}, &stdout, &stderr, nil)
	if code != 1 || stdout.Len() > 0 || !strings.Contains(stderr.String(), "demo data set") {
		t.Errorf("token demo on an empty database: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}
