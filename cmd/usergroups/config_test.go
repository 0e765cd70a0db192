package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEnvironmentSetsDefaults: a setting's environment variable replaces
// its default when it parses (a boolean's takes "true" or "false" only),
// and a flag on the command line wins over both.
func TestEnvironmentSetsDefaults(t *testing.T) {
	t.Setenv("USERGROUPS_INTROSPECTION", "false")
	t.Setenv("USERGROUPS_DEMO", "yes")
	t.Setenv("USERGROUPS_TRUST_PROXY", "true")
	t.Setenv("USERGROUPS_MAX_DEPTH", "not a number")
	t.Setenv("USERGROUPS_MAX_COST", "500")
	t.Setenv("USERGROUPS_READ_TIMEOUT", "1m")
	t.Setenv("USERGROUPS_CORS_ORIGINS", " https://a.example, https://b.example ,")
	t.Setenv("USERGROUPS_LISTEN", ":9000")
	fs, cfg := serveFlags(io.Discard)
	if err := fs.Parse([]string{"--max-aliases", "7", "--listen", ":9001"}); err != nil {
		t.Fatal(err)
	}
	def := defaultServeConfig()
	if !cfg.DisableIntrospection || cfg.Demo || !cfg.TrustProxy {
		t.Errorf("introspection off %v, demo %v, trust proxy %v; want true, false, true", cfg.DisableIntrospection, cfg.Demo, cfg.TrustProxy)
	}
	if cfg.Limits.MaxDepth != def.Limits.MaxDepth || cfg.Limits.MaxCost != 500 || cfg.Limits.MaxAliases != 7 {
		t.Errorf("limits %+v", *cfg.Limits)
	}
	if cfg.Timeouts.Read != time.Minute || cfg.Listen != ":9001" {
		t.Errorf("read timeout %s, listen %q", cfg.Timeouts.Read, cfg.Listen)
	}
	if !slices.Equal(cfg.CORSOrigins, []string{"https://a.example", "https://b.example"}) {
		t.Errorf("CORS origins %q", cfg.CORSOrigins)
	}
	if def.Limits == cfg.Limits || def.Limits.MaxCost == 500 {
		t.Error("the defaults share their limits with a parsed configuration")
	}
	fs, cfg = serveFlags(io.Discard)
	if err := fs.Parse([]string{"--introspection"}); err != nil || cfg.DisableIntrospection {
		t.Errorf("--introspection: err %v, introspection off %v", err, cfg.DisableIntrospection)
	}
}

// TestExplorerDefaultsOnWithDev: the explorer is off by default, on with
// --dev, and --explorer or USERGROUPS_EXPLORER, either way, wins over --dev.
func TestExplorerDefaultsOnWithDev(t *testing.T) {
	for _, c := range []struct {
		env  string
		args []string
		want bool
	}{
		{"", nil, false},
		{"", []string{"--dev"}, true},
		{"", []string{"--explorer"}, true},
		{"", []string{"--dev", "--explorer=false"}, false},
		{"false", []string{"--dev"}, false},
		{"true", nil, true},
		{"junk", []string{"--dev"}, true},
	} {
		t.Run(strings.Join(append([]string{"env=" + c.env}, c.args...), " "), func(t *testing.T) {
			if c.env != "" {
				t.Setenv("USERGROUPS_EXPLORER", c.env)
			}
			fs, cfg := serveFlags(io.Discard)
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			devDefaults(fs, cfg)
			if cfg.Explorer != c.want {
				t.Errorf("explorer %v, want %v", cfg.Explorer, c.want)
			}
		})
	}
}

// TestCheckPublicURL: https anywhere, http only on this machine (make run).
func TestCheckPublicURL(t *testing.T) {
	for s, ok := range map[string]bool{
		"https://usergroups.example.org":     true,
		"https://example.org/groups/":        true,
		"http://localhost:8080":              true,
		"http://127.0.0.1:8080":              true,
		"http://usergroups.example.org":      false,
		"usergroups.example.org":             false,
		"/unsubscribe":                       false,
		"https://example.org/?a=b":           false,
		"https://user:pw@example.org":        false,
		"ftp://example.org":                  false,
		"http://localhost.evil.example:8080": false,
	} {
		if err := checkPublicURL(s); (err == nil) != ok {
			t.Errorf("%q: %v, want ok %v", s, err, ok)
		}
	}
}

// TestCheckRetention: 0 keeps every change; a retention must outlast twice
// the hole watch, so that no watched hole lies below the pruned rows.
func TestCheckRetention(t *testing.T) {
	for retention, ok := range map[time.Duration]bool{
		0:                true,
		720 * time.Hour:  true,
		3 * time.Hour:    true,
		2 * time.Hour:    false,
		time.Hour:        false,
		time.Minute:      false,
		-720 * time.Hour: false,
	} {
		if err := checkRetention(retention, time.Hour); (err == nil) != ok {
			t.Errorf("%v: %v, want ok %v", retention, err, ok)
		}
	}
}

// TestDBMaxConns: 0 keeps the default, a positive number caps the pool,
// and a negative one (which database/sql reads as no limit) is refused.
func TestDBMaxConns(t *testing.T) {
	for n, ok := range map[int]bool{0: true, 1: true, 20: true, -1: false} {
		if err := checkPoolSize(n); (err == nil) != ok {
			t.Errorf("%d: %v, want ok %v", n, err, ok)
		}
	}
	var stderr strings.Builder
	db := filepath.Join(t.TempDir(), "x.db")
	code := run(context.Background(), []string{"serve", "--db-max-conns", "-1", "--database", db}, io.Discard, &stderr, nil)
	if code != 1 || !strings.Contains(stderr.String(), "--db-max-conns") {
		t.Errorf("serve with --db-max-conns -1: exit %d, %q", code, stderr.String())
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused serve touched the database: %v", err)
	}
}
