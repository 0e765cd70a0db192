package policy

import (
	"fmt"
	"sort"
	"time"

	// Events carry IANA zones: embed the database so a machine without
	// /usr/share/zoneinfo validates and converts them the same way.
	_ "time/tzdata"
)

// MaxEventLength is the longest an event may run (a multi-day summit).
const MaxEventLength = 14 * 24 * time.Hour

// localLayouts are the wall-clock forms an event time may be given in,
// read in the event's own time zone.
var localLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"}

// ParseEventTime reads an event time: an RFC 3339 instant ("2026-12-03T11:00:00Z",
// "2026-12-03T19:00:00+08:00"), or a wall-clock time ("2026-12-03T19:00")
// in loc, the event's zone, which is what organizers usually type.
func ParseEventTime(field, s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), CheckTimeRange(field, t)
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), CheckTimeRange(field, t)
		}
	}
	return time.Time{}, &FieldError{Field: field, Reason: "must be a date and time such as 2026-12-03T19:00 (in the event's time zone) or an RFC 3339 instant"}
}

// LoadZone loads an IANA time zone, as a field error when it does not exist.
func LoadZone(zone string) (*time.Location, error) {
	if err := ValidateTimeZone(zone); err != nil {
		return nil, &FieldError{Field: "timeZone", Reason: err.Error()}
	}
	return time.LoadLocation(zone)
}

// Schedule is what an event's validity depends on.
type Schedule struct {
	Start, End time.Time
	Capacity   *int
	// Venue and Online say where people go: at least one is needed.
	Venue, Online bool
}

// CheckSchedule reports the first impossible part of an event's schedule:
// the end must follow the start within MaxEventLength, a capacity must be
// positive, and the event needs a venue or an online link.
func CheckSchedule(s Schedule) error {
	switch {
	case !s.End.After(s.Start):
		return &FieldError{Field: "endsAt", Reason: "the event must end after it starts"}
	case s.End.Sub(s.Start) > MaxEventLength:
		return &FieldError{Field: "endsAt", Reason: "an event lasts at most 14 days"}
	case s.Capacity != nil && *s.Capacity < 1:
		return &FieldError{Field: "capacity", Reason: "capacity must be positive (leave it out for no limit)"}
	case !s.Venue && !s.Online:
		return &FieldError{Field: "venueName", Reason: "give a venue or an online link"}
	}
	return nil
}

// Slot is an agenda item's place in an event's time.
type Slot struct {
	ID      string
	Title   string
	Track   string
	Start   time.Time
	Minutes int
	// Pitch marks a sponsor's pitch, which the policy may cap.
	Pitch bool
}

// End is when the slot ends.
func (s Slot) End() time.Time { return s.Start.Add(time.Duration(s.Minutes) * time.Minute) }

// CheckAgenda reports why slot cannot stand in an agenda next to others (the
// event's other items): it must lie inside the event, not overlap another
// item of its track, and a sponsor's pitch may last at most maxPitch minutes
// (0: no cap) — sponsors may speak briefly, never become the focus.
func CheckAgenda(slot Slot, others []Slot, eventStart, eventEnd time.Time, maxPitch int) error {
	switch {
	case slot.Minutes < 1 || slot.Minutes > 600:
		return &FieldError{Field: "durationMinutes", Reason: "an agenda item lasts from 1 to 600 minutes"}
	case slot.Start.Before(eventStart) || slot.End().After(eventEnd):
		return &FieldError{Field: "startsAt", Reason: "the item must fit inside the event"}
	case slot.Pitch && maxPitch > 0 && slot.Minutes > maxPitch:
		return &FieldError{Field: "durationMinutes", Reason: fmt.Sprintf("a sponsor's pitch lasts at most %d minutes here", maxPitch)}
	}
	sorted := append([]Slot(nil), others...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start.Before(sorted[j].Start) })
	for _, o := range sorted {
		if o.ID == slot.ID || o.Track != slot.Track {
			continue
		}
		if slot.Start.Before(o.End()) && o.Start.Before(slot.End()) {
			return &FieldError{Field: "startsAt", Reason: fmt.Sprintf("overlaps %q (%s–%s) in track %s",
				o.Title, o.Start.UTC().Format("15:04"), o.End().UTC().Format("15:04"), o.Track)}
		}
	}
	return nil
}
