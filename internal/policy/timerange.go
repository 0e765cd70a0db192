package policy

import "time"

// The instants the API accepts as input, in UTC. Outside them the
// databases disagree (SQLite stores times as text, whose years need four
// digits; year 0 or a negative year does not read back) and nothing the
// programme schedules is meant to lie there.
var (
	EarliestTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	LatestTime   = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// CheckTimeRange refuses an instant outside EarliestTime–LatestTime as a
// field error on field.
func CheckTimeRange(field string, t time.Time) error {
	if t.Before(EarliestTime) || t.After(LatestTime) {
		return &FieldError{Field: field, Reason: "must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z"}
	}
	return nil
}
