package policy

import (
	"errors"
	"testing"
	"time"
)

func TestParseEventTimeRoundTrip(t *testing.T) {
	shanghai, err := LoadZone("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 12, 3, 11, 0, 0, 0, time.UTC)
	for _, in := range []string{"2026-12-03T19:00", "2026-12-03T19:00:00", "2026-12-03 19:00", "2026-12-03T19:00:00+08:00", "2026-12-03T11:00:00Z"} {
		got, err := ParseEventTime("startsAt", in, shanghai)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	if got := want.In(shanghai).Format(time.RFC3339); got != "2026-12-03T19:00:00+08:00" {
		t.Errorf("shown back as %s", got)
	}
	var fe *FieldError
	if _, err := ParseEventTime("startsAt", "next Tuesday", shanghai); !errors.As(err, &fe) || fe.Field != "startsAt" {
		t.Errorf("bad time: %v", err)
	}
	// The range every time input shares: year 0 and year 10000 (here once
	// in UTC) are refused; its edges pass.
	for _, in := range []string{"0000-01-01T00:00", "1969-12-31T23:59:59Z", "1970-01-01T07:59", "9999-12-31T19:00:00-05:00"} {
		if _, err := ParseEventTime("endsAt", in, shanghai); !errors.As(err, &fe) || fe.Field != "endsAt" {
			t.Errorf("%q out of range: %v", in, err)
		}
	}
	for _, in := range []string{"1970-01-01T08:00", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T18:59:59-05:00"} {
		if _, err := ParseEventTime("endsAt", in, shanghai); err != nil {
			t.Errorf("%q at the edge of the range: %v", in, err)
		}
	}
	if _, err := LoadZone("Mars/Olympus_Mons"); !errors.As(err, &fe) || fe.Field != "timeZone" {
		t.Errorf("unknown zone: %v", err)
	}
}

func TestCheckSchedule(t *testing.T) {
	start := time.Date(2026, 12, 3, 11, 0, 0, 0, time.UTC)
	zero, ten := 0, 10
	tests := []struct {
		name  string
		s     Schedule
		field string
	}{
		{"fine", Schedule{Start: start, End: start.Add(2 * time.Hour), Capacity: &ten, Venue: true}, ""},
		{"online only", Schedule{Start: start, End: start.Add(time.Hour), Online: true}, ""},
		{"ends before it starts", Schedule{Start: start, End: start.Add(-time.Hour), Venue: true}, "endsAt"},
		{"ends as it starts", Schedule{Start: start, End: start, Venue: true}, "endsAt"},
		{"three weeks", Schedule{Start: start, End: start.AddDate(0, 0, 21), Venue: true}, "endsAt"},
		{"no seats", Schedule{Start: start, End: start.Add(time.Hour), Capacity: &zero, Venue: true}, "capacity"},
		{"nowhere", Schedule{Start: start, End: start.Add(time.Hour)}, "venueName"},
	}
	for _, tt := range tests {
		err := CheckSchedule(tt.s)
		var fe *FieldError
		if (tt.field == "" && err != nil) || (tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field)) {
			t.Errorf("%s: %v, want field %q", tt.name, err, tt.field)
		}
	}
}

func TestCheckAgenda(t *testing.T) {
	start := time.Date(2026, 12, 3, 11, 0, 0, 0, time.UTC)
	end := start.Add(3 * time.Hour)
	at := func(min int) time.Time { return start.Add(time.Duration(min) * time.Minute) }
	others := []Slot{
		{ID: "a", Title: "Keynote", Track: "main", Start: at(0), Minutes: 45},
		{ID: "b", Title: "Workshop", Track: "lab", Start: at(30), Minutes: 90},
	}
	tests := []struct {
		name  string
		slot  Slot
		field string
	}{
		{"after the keynote", Slot{Track: "main", Start: at(45), Minutes: 30}, ""},
		{"parallel track", Slot{Track: "lab", Start: at(0), Minutes: 30}, ""},
		{"overlaps the keynote", Slot{Track: "main", Start: at(30), Minutes: 30}, "startsAt"},
		{"inside the workshop", Slot{Track: "lab", Start: at(60), Minutes: 10}, "startsAt"},
		{"moving an item over itself", Slot{ID: "a", Title: "Keynote", Track: "main", Start: at(10), Minutes: 45}, ""},
		{"before the event", Slot{Track: "main", Start: at(-10), Minutes: 20}, "startsAt"},
		{"past the end", Slot{Track: "main", Start: at(170), Minutes: 20}, "startsAt"},
		{"ending at the end", Slot{Track: "main", Start: at(160), Minutes: 20}, ""},
		{"short pitch", Slot{Track: "main", Start: at(60), Minutes: 10, Pitch: true}, ""},
		{"long pitch", Slot{Track: "main", Start: at(60), Minutes: 11, Pitch: true}, "durationMinutes"},
		{"no length", Slot{Track: "main", Start: at(60), Minutes: 0}, "durationMinutes"},
	}
	for _, tt := range tests {
		err := CheckAgenda(tt.slot, others, start, end, 10)
		var fe *FieldError
		if (tt.field == "" && err != nil) || (tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field)) {
			t.Errorf("%s: %v, want field %q", tt.name, err, tt.field)
		}
	}
	if err := CheckAgenda(Slot{Track: "main", Start: at(60), Minutes: 30, Pitch: true}, nil, start, end, 0); err != nil {
		t.Errorf("uncapped pitch: %v", err)
	}
}
