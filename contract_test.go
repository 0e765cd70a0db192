package usergroups

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"
)

// schemaLine is how a CHANGELOG.md section records the schema it describes.
var schemaLine = regexp.MustCompile(`^Schema: sha256 ([0-9a-f]{64})\s*$`)

// TestChangelogRecordsSchema fails when schema.graphql changed without a
// CHANGELOG.md entry: the newest `Schema: sha256 …` line of CHANGELOG.md
// must be the hash of the committed schema.graphql. It needs no git
// history, so it holds on a shallow or exported checkout too.
func TestChangelogRecordsSchema(t *testing.T) {
	schema, err := os.ReadFile("schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(schema)
	want := hex.EncodeToString(sum[:])

	f, err := os.Open("CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var section, recorded string
	sc := bufio.NewScanner(f)
	for sc.Scan() && recorded == "" {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			section = line
		}
		if m := schemaLine.FindStringSubmatch(line); m != nil {
			recorded = m[1]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if recorded == want {
		return
	}
	where := "CHANGELOG.md has no `Schema: sha256 <hex>` line yet"
	if recorded != "" {
		where = "the newest entry of CHANGELOG.md (" + section + ") describes sha256 " + recorded
	}
	t.Errorf(`schema.graphql changed without a CHANGELOG.md entry: its sha256 is %s, but %s.
Record the change for client developers:
  1. under "## [Unreleased]" in CHANGELOG.md, say what changed (Added, Changed, Deprecated, Removed);
     list every breaking change as `+"`old → new`"+` (make schema-diff BASE=main lists them);
  2. set the section's schema line (one per section, right under its heading) to
     Schema: sha256 %s
See docs/api-contract.md.`, want, where, want)
}
