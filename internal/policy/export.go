package policy

import (
	"fmt"
	"slices"
	"time"

	"github.com/usergroups/usergroups/internal/viewer"
)

// What a bulk export may hold (the ExportKind enum), in the file's order
// when several are asked for.
const (
	ExportGroups        = "GROUPS"
	ExportEvents        = "EVENTS"
	ExportRosters       = "ROSTERS"
	ExportContributions = "CONTRIBUTIONS"
	ExportApplications  = "APPLICATIONS"
)

// The formats of an export's file (the ExportFormat enum).
const (
	ExportJSONL = "JSONL"
	ExportCSV   = "CSV"
)

// ExportTTL is how long a finished export's file may be downloaded: a day
// is room for a nightly sync that polls late, and the file (a copy of
// what its requester could read then) does not linger.
const ExportTTL = 24 * time.Hour

// ExportKinds lists the kinds in their documented (and the file's) order.
func ExportKinds() []string {
	return []string{ExportGroups, ExportEvents, ExportRosters, ExportContributions, ExportApplications}
}

// ExportArea is the read area (viewer.Area*) a token needs to export kind.
func ExportArea(kind string) string {
	switch kind {
	case ExportGroups:
		return viewer.AreaGroups
	case ExportEvents:
		return viewer.AreaEvents
	case ExportRosters:
		return viewer.AreaRoster
	case ExportContributions:
		return viewer.AreaContributions
	case ExportApplications:
		return viewer.AreaApplications
	}
	return ""
}

// ExportStaffOnly reports whether only the community's staff may export
// kind: applications carry their screening, which only staff read.
func ExportStaffOnly(kind string) bool { return kind == ExportApplications }

// ExportSelection checks what an export asks for and returns its kinds in
// the file's order: at least one, each known, none twice; a CSV file holds
// one kind (one header, one table: the simplest file a spreadsheet opens).
func ExportSelection(kinds []string, format string) ([]string, error) {
	if format != ExportJSONL && format != ExportCSV {
		return nil, fmt.Errorf("unknown format %q", format)
	}
	if len(kinds) == 0 {
		return nil, fmt.Errorf("name at least one kind")
	}
	var out []string
	for _, k := range ExportKinds() {
		if slices.Contains(kinds, k) {
			out = append(out, k)
		}
	}
	for _, k := range kinds {
		if !slices.Contains(ExportKinds(), k) {
			return nil, fmt.Errorf("unknown kind %q", k)
		}
	}
	if len(out) != len(kinds) {
		return nil, fmt.Errorf("a kind is named twice")
	}
	if format == ExportCSV && len(out) > 1 {
		return nil, fmt.Errorf("a CSV export holds one kind; export the others as JSONL or one by one")
	}
	return out, nil
}

// ExportProgress is the share of an export written: written rows of the
// total counted when it began, capped below 1 until the export is done
// (rows added meanwhile make written exceed the count).
func ExportProgress(written, total int, done bool) float64 {
	switch {
	case done:
		return 1
	case total <= 0:
		return 0
	}
	return min(float64(written)/float64(total), 0.99)
}
