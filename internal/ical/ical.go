// Package ical publishes public events as iCalendar (RFC 5545) feeds that
// calendar apps subscribe to: one for a whole community, one per group.
package ical

import (
	"strconv"
	"strings"

	ics "github.com/arran4/golang-ical"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/schema/pulid"
)

// refresh is how often subscribers should poll: events change rarely, and
// an hour keeps a cancellation from going unnoticed for long.
const refresh = "PT1H"

// Calendar returns the calendar called name holding events in the order
// given; groupNames gives the name of each event's group for descriptions.
// It publishes whatever it is handed: choosing public events is the caller's
// job. Serialize it with ics.WithNewLineWindows, as RFC 5545 wants CRLF.
func Calendar(name string, events []*ent.Event, groupNames map[pulid.ID]string) *ics.Calendar {
	cal := ics.NewCalendarFor("usergroups")
	cal.SetProductId("-//usergroups//Calendar feeds//EN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(name) // NAME (RFC 7986) and X-WR-CALNAME, which older clients read
	// The library's property name already carries VALUE=DURATION.
	cal.SetRefreshInterval(refresh)
	cal.SetXPublishedTTL(refresh)
	for _, e := range events {
		cal.AddVEvent(vevent(e, groupNames[e.GroupID]))
	}
	return cal
}

// UID returns the iCalendar UID of e; it never changes, so calendars
// update the event in place instead of duplicating it.
func UID(e *ent.Event) string { return string(e.ID) + "@usergroups" }

func vevent(e *ent.Event, groupName string) *ics.VEvent {
	v := ics.NewEvent(UID(e))
	// DTSTAMP is the event's own change time rather than the time of the
	// request, so an unchanged feed renders byte for byte the same.
	v.SetDtStampTime(e.UpdatedAt)
	v.SetLastModifiedAt(e.UpdatedAt)
	// UTC instants are unambiguous and need no VTIMEZONE blocks; clients
	// show them in the subscriber's own zone.
	v.SetStartAt(e.StartsAt)
	v.SetEndAt(e.EndsAt)
	summary := e.Title
	if e.Status == event.StatusCANCELLED {
		// Some calendar apps ignore STATUS in subscribed feeds: say it in the title too.
		summary = "Cancelled: " + summary
	}
	v.SetSummary(text(summary))
	if d := description(e, groupName); d != "" {
		v.SetDescription(d)
	}
	if loc := location(e); loc != "" {
		v.SetLocation(loc)
	}
	if e.Latitude != nil && e.Longitude != nil {
		// %v would print tiny values in exponent form, which GEO's FLOAT does not allow.
		v.SetGeo(strconv.FormatFloat(*e.Latitude, 'f', -1, 64), strconv.FormatFloat(*e.Longitude, 'f', -1, 64))
	}
	if e.OnlineURL != "" {
		v.SetURL(e.OnlineURL)
	}
	if e.Status == event.StatusCANCELLED {
		// Subscribed calendars drop or strike out a cancelled event only
		// when it stays in the feed with this status.
		v.SetStatus(ics.ObjectStatusCancelled)
	} else {
		v.SetStatus(ics.ObjectStatusConfirmed)
	}
	return v
}

func description(e *ent.Event, groupName string) string {
	var parts []string
	if e.Status == event.StatusCANCELLED {
		c := "Cancelled."
		if e.CancelReason != "" {
			c = "Cancelled: " + e.CancelReason
		}
		parts = append(parts, c)
	}
	if e.Description != "" {
		parts = append(parts, e.Description)
	}
	if groupName != "" {
		parts = append(parts, "Hosted by "+groupName+".")
	}
	return text(strings.Join(parts, "\n\n"))
}

func location(e *ent.Event) string {
	var parts []string
	for _, s := range []string{e.VenueName, e.VenueAddress} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 && e.OnlineURL != "" {
		return e.OnlineURL
	}
	return text(strings.Join(parts, ", "))
}

// text prepares s for a TEXT value. The library escapes backslashes,
// commas, semicolons and line feeds but passes carriage returns and other
// control characters through, and those would end or corrupt the line.
func text(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}
