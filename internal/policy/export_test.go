package policy

import (
	"slices"
	"testing"

	"github.com/usergroups/usergroups/internal/viewer"
)

func TestExportSelection(t *testing.T) {
	for _, tc := range []struct {
		kinds  []string
		format string
		want   []string
		ok     bool
	}{
		{[]string{ExportEvents, ExportGroups}, ExportJSONL, []string{ExportGroups, ExportEvents}, true},
		{[]string{ExportEvents}, ExportCSV, []string{ExportEvents}, true},
		{[]string{ExportEvents, ExportGroups}, ExportCSV, nil, false},
		{nil, ExportJSONL, nil, false},
		{[]string{"PEOPLE"}, ExportJSONL, nil, false},
		{[]string{ExportEvents, ExportEvents}, ExportJSONL, nil, false},
		{[]string{ExportEvents}, "XML", nil, false},
	} {
		got, err := ExportSelection(tc.kinds, tc.format)
		if (err == nil) != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("ExportSelection(%v, %s) = %v, %v; want %v (ok %v)", tc.kinds, tc.format, got, err, tc.want, tc.ok)
		}
	}
}

func TestExportAreaAndProgress(t *testing.T) {
	want := map[string]string{ExportGroups: viewer.AreaGroups, ExportEvents: viewer.AreaEvents, ExportRosters: viewer.AreaRoster,
		ExportContributions: viewer.AreaContributions, ExportApplications: viewer.AreaApplications}
	for _, k := range ExportKinds() {
		if ExportArea(k) != want[k] {
			t.Errorf("ExportArea(%s) = %q, want %q", k, ExportArea(k), want[k])
		}
	}
	if ExportStaffOnly(ExportEvents) || !ExportStaffOnly(ExportApplications) {
		t.Error("only applications are staff-only")
	}
	for _, tc := range []struct {
		w, t int
		done bool
		want float64
	}{{0, 100, false, 0}, {25, 100, false, 0.25}, {120, 100, false, 0.99}, {0, 0, false, 0}, {0, 0, true, 1}, {50, 100, true, 1}} {
		if got := ExportProgress(tc.w, tc.t, tc.done); got != tc.want {
			t.Errorf("ExportProgress(%d, %d, %v) = %v, want %v", tc.w, tc.t, tc.done, got, tc.want)
		}
	}
}
