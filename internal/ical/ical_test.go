package ical_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/ical"
	"github.com/usergroups/usergroups/internal/policy"
)

// feedEvents are the events the test creates, by title.
type feedEvents map[string]*ent.Event

func TestFeeds(t *testing.T) {
	db := dbtest.Open(t)
	sys := dbtest.FixtureContext(t)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	day := now.AddDate(0, 0, 30)
	// 19:00 in Shanghai (UTC+8, no daylight saving) is 11:00 UTC.
	evening := time.Date(day.Year(), day.Month(), day.Day(), 19, 0, 0, 0, shanghai)
	lat, lng := 48.8566, 2.3522
	const desc = "Talks; then dinner, as usual.\r\nBring a laptop \\ 带上电脑.\n" +
		"A long line that the serializer has to fold because it is much longer than seventy-five octets."

	evs := feedEvents{}
	tx, err := db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	openstack := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	other := tx.Community.Create().SetName("Other").SetSlug("other").SetPolicy(policy.OpenStack()).SaveX(sys)
	newGroup := func(c *ent.Community, name, slug string) *ent.Group {
		return tx.Group.Create().SetCommunityID(c.ID).SetName(name).SetSlug(slug).SetCity(name).
			SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
	}
	paris, berlin, elsewhere := newGroup(openstack, "Paris", "paris"), newGroup(openstack, "Berlin", "berlin"), newGroup(other, "Lyon", "lyon")
	add := func(g *ent.Group, title string, start time.Time, status event.Status, vis event.Visibility, more func(*ent.EventCreate)) {
		c := tx.Event.Create().SetGroupID(g.ID).SetTitle(title).SetTimeZone("Europe/Paris").
			SetStartsAt(start).SetEndsAt(start.Add(2 * time.Hour)).SetStatus(status).SetVisibility(vis)
		if more == nil {
			c.SetVenueName("Station F")
		} else {
			more(c)
		}
		evs[title] = c.SaveX(sys)
	}
	pub, members := event.VisibilityPUBLIC, event.VisibilityMEMBERS_ONLY
	add(paris, "Shanghai evening", evening, event.StatusPUBLISHED, pub, func(c *ent.EventCreate) {
		c.SetTimeZone("Asia/Shanghai").SetDescription(desc).SetLatitude(lat).SetLongitude(lng).
			SetVenueName("Station F").SetVenueAddress("5 Parvis Alan Turing, Paris")
	})
	add(paris, "Past workshop", now.AddDate(0, -2, 0), event.StatusCOMPLETED, pub, nil)
	add(paris, "Called off", now.AddDate(0, 0, 40), event.StatusCANCELLED, pub, func(c *ent.EventCreate) {
		c.SetOnlineURL("https://meet.example.com/called-off").SetCancelReason("Speaker ill")
	})
	add(paris, "Draft meetup", now.AddDate(0, 0, 20), event.StatusDRAFT, pub, nil)
	add(paris, "Closed door", now.AddDate(0, 0, 25), event.StatusPUBLISHED, members, nil)
	add(paris, "Members retro", now.AddDate(0, -1, 0), event.StatusCOMPLETED, members, nil)
	add(paris, "Long ago", now.AddDate(-2, 0, 0), event.StatusCOMPLETED, pub, nil)
	add(paris, "Far ahead", now.AddDate(3, 0, 0), event.StatusPUBLISHED, pub, nil)
	add(berlin, "Berlin meetup", now.AddDate(0, 0, 50), event.StatusPUBLISHED, pub, nil)
	add(elsewhere, "Lyon meetup", now.AddDate(0, 0, 10), event.StatusPUBLISHED, pub, nil)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	groupNames := map[pulid.ID]string{paris.ID: paris.Name, berlin.ID: berlin.Name}

	// The handler alone, as server.New mounts it on /ical/; going through
	// server.New would tie these tests to the GraphQL packages compiling.
	srv := httptest.NewServer(ical.NewHandler(db.Client, slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)

	t.Run("community", func(t *testing.T) {
		resp, body := get(t, srv.URL+"/ical/communities/openstack.ics", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		cal := parse(t, body)
		if got := calProp(cal, ics.PropertyXWRCalName); got != "OpenStack user groups" {
			t.Errorf("X-WR-CALNAME = %q", got)
		}
		for p, want := range map[ics.Property]string{ics.PropertyVersion: "2.0", ics.PropertyMethod: "PUBLISH", ics.PropertyXPublishedTTL: "PT1H", "REFRESH-INTERVAL": "PT1H"} {
			if got := calProp(cal, p); got != want {
				t.Errorf("%s = %q, want %q", p, got, want)
			}
		}
		if got := calProp(cal, ics.PropertyProductId); got == "" {
			t.Error("no PRODID")
		}
		// In order of start; drafts, members-only, other communities' and
		// out-of-window events never.
		want := []string{"Past workshop", "Shanghai evening", "Cancelled: Called off", "Berlin meetup"}
		if got := summaries(cal); !slices.Equal(got, want) {
			t.Errorf("events = %q, want %q", got, want)
		}
		for _, title := range []string{"Draft meetup", "Closed door", "Members retro", "Lyon meetup", "Long ago", "Far ahead"} {
			if strings.Contains(body, string(evs[title].ID)) {
				t.Errorf("%q leaked into the feed", title)
			}
		}
		checkEvents(t, cal, evs, groupNames)
		for i, line := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
			if len(line) > 75 || strings.ContainsAny(line, "\r\n") {
				t.Errorf("line %d is not a folded content line: %q", i, line)
			}
		}
	})

	t.Run("group", func(t *testing.T) {
		resp, body := get(t, srv.URL+"/ical/groups/openstack/paris.ics", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		for h, want := range map[string]string{"Content-Type": "text/calendar; charset=utf-8", "Cache-Control": "public, max-age=900"} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		if resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
			t.Errorf("validators missing: %v", resp.Header)
		}
		cal := parse(t, body)
		if got := calProp(cal, ics.PropertyXWRCalName); got != "OpenStack — Paris" {
			t.Errorf("X-WR-CALNAME = %q", got)
		}
		want := []string{"Past workshop", "Shanghai evening", "Cancelled: Called off"}
		if got := summaries(cal); !slices.Equal(got, want) {
			t.Errorf("events = %q, want %q", got, want)
		}
		checkEvents(t, cal, evs, groupNames)

		// The same request again: same bytes, so the same UIDs and validators.
		resp2, body2 := get(t, srv.URL+"/ical/groups/openstack/paris.ics", nil)
		if body2 != body || resp2.Header.Get("ETag") != resp.Header.Get("ETag") {
			t.Error("an unchanged feed rendered differently")
		}
	})

	t.Run("conditional", func(t *testing.T) {
		url := srv.URL + "/ical/groups/openstack/paris.ics"
		resp, _ := get(t, url, nil)
		etag := resp.Header.Get("ETag")
		resp, body := get(t, url, http.Header{"If-None-Match": {etag}})
		if resp.StatusCode != http.StatusNotModified || body != "" {
			t.Fatalf("If-None-Match: status %d, body %q", resp.StatusCode, body)
		}
		if resp.Header.Get("ETag") != etag {
			t.Errorf("304 ETag = %q, want %q", resp.Header.Get("ETag"), etag)
		}

		// An edit changes the ETag, and the old one no longer matches.
		tx, err := db.Client.Tx(sys)
		if err != nil {
			t.Fatal(err)
		}
		tx.Event.UpdateOneID(evs["Past workshop"].ID).SetTitle("Past workshop, with slides").ExecX(sys)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		resp, body = get(t, url, http.Header{"If-None-Match": {etag}})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag {
			t.Fatalf("after an edit: status %d, ETag %q (was %q)", resp.StatusCode, resp.Header.Get("ETag"), etag)
		}
		if !slices.Contains(summaries(parse(t, body)), "Past workshop, with slides") {
			t.Error("the edit is not in the feed")
		}
	})

	t.Run("head", func(t *testing.T) {
		resp, body := do(t, http.MethodHead, srv.URL+"/ical/communities/openstack.ics", nil)
		if resp.StatusCode != http.StatusOK || body != "" || resp.Header.Get("ETag") == "" {
			t.Errorf("HEAD: status %d, body %q, headers %v", resp.StatusCode, body, resp.Header)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, path := range []string{
			"/ical/communities/nope.ics",
			"/ical/communities/openstack",
			"/ical/groups/openstack/nope.ics",
			"/ical/groups/nope/paris.ics",
			"/ical/groups/other/paris.ics", // Paris is not a group of that community
			"/ical/groups/openstack/paris",
			"/ical/nope",
		} {
			if resp, _ := get(t, srv.URL+path, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
			}
		}
		for _, path := range []string{"/ical/communities/openstack.ics", "/ical/groups/openstack/paris.ics"} {
			resp, _ := do(t, http.MethodPost, srv.URL+path, nil)
			if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(resp.Header.Get("Allow"), "GET") {
				t.Errorf("POST %s: status %d, Allow %q", path, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
	})
}

// checkEvents checks the properties of the test's public events in cal.
func checkEvents(t *testing.T, cal *ics.Calendar, evs feedEvents, groupNames map[pulid.ID]string) {
	t.Helper()
	byTitle := map[string]*ics.VEvent{}
	for _, v := range cal.Events() {
		byTitle[prop(v, ics.ComponentPropertySummary)] = v
	}
	for title, e := range evs {
		v := byTitle[title]
		if v == nil {
			continue
		}
		if v.Id() != string(e.ID)+"@usergroups" || v.Id() != ical.UID(e) {
			t.Errorf("%s: UID = %q", title, v.Id())
		}
		start, err := v.GetStartAt()
		// iCalendar times have whole seconds.
		if err != nil || !start.Equal(e.StartsAt.Truncate(time.Second)) {
			t.Errorf("%s: DTSTART = %v (%v), want %v", title, start, err, e.StartsAt)
		}
		if end, err := v.GetEndAt(); err != nil || !end.Equal(e.EndsAt.Truncate(time.Second)) {
			t.Errorf("%s: DTEND = %v (%v), want %v", title, end, err, e.EndsAt)
		}
		for _, p := range []ics.ComponentProperty{ics.ComponentPropertyDtstamp, ics.ComponentPropertyLastModified} {
			if got := prop(v, p); got != e.UpdatedAt.UTC().Format("20060102T150405Z") {
				t.Errorf("%s: %s = %q, want %v", title, p, got, e.UpdatedAt)
			}
		}
		wantStatus := "CONFIRMED"
		if e.Status == event.StatusCANCELLED {
			wantStatus = "CANCELLED"
		}
		if got := prop(v, ics.ComponentPropertyStatus); got != wantStatus {
			t.Errorf("%s: STATUS = %q, want %q", title, got, wantStatus)
		}
		if d := prop(v, ics.ComponentPropertyDescription); !strings.HasSuffix(d, "Hosted by "+groupNames[e.GroupID]+".") {
			t.Errorf("%s: DESCRIPTION = %q, want the group's name", title, d)
		}
	}

	v := byTitle["Shanghai evening"]
	if v == nil {
		t.Fatal("no Shanghai evening")
	}
	if got := prop(v, ics.ComponentPropertyDtStart); !strings.HasSuffix(got, "T110000Z") {
		t.Errorf("DTSTART = %q, want 11:00Z", got)
	}
	wantDesc := "Talks; then dinner, as usual.\nBring a laptop \\ 带上电脑.\n" +
		"A long line that the serializer has to fold because it is much longer than seventy-five octets.\n\nHosted by Paris."
	if got := prop(v, ics.ComponentPropertyDescription); got != wantDesc {
		t.Errorf("DESCRIPTION = %q, want %q", got, wantDesc)
	}
	if got := prop(v, ics.ComponentPropertyLocation); got != "Station F, 5 Parvis Alan Turing, Paris" {
		t.Errorf("LOCATION = %q", got)
	}
	if got := prop(v, ics.ComponentPropertyGeo); got != "48.8566;2.3522" {
		t.Errorf("GEO = %q", got)
	}
	if got := prop(v, ics.ComponentPropertyUrl); got != "" {
		t.Errorf("URL = %q, want none for an in-person event", got)
	}

	v = byTitle["Cancelled: Called off"]
	if v == nil {
		t.Fatal("no Called off")
	}
	for p, want := range map[ics.ComponentProperty]string{
		ics.ComponentPropertyLocation: "https://meet.example.com/called-off",
		ics.ComponentPropertyUrl:      "https://meet.example.com/called-off",
		ics.ComponentPropertyGeo:      "",
	} {
		if got := prop(v, p); got != want {
			t.Errorf("cancelled event: %s = %q, want %q", p, got, want)
		}
	}
	if d := prop(v, ics.ComponentPropertyDescription); !strings.HasPrefix(d, "Cancelled: Speaker ill") {
		t.Errorf("cancelled event: DESCRIPTION = %q", d)
	}
}

func get(t *testing.T, url string, h http.Header) (*http.Response, string) {
	t.Helper()
	return do(t, http.MethodGet, url, h)
}

func do(t *testing.T, method, url string, h http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func parse(t *testing.T, body string) *ics.Calendar {
	t.Helper()
	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing the feed: %v\n%s", err, body)
	}
	return cal
}

func calProp(cal *ics.Calendar, p ics.Property) string {
	for _, cp := range cal.CalendarProperties {
		if cp.IANAToken == string(p) {
			return cp.Value
		}
	}
	return ""
}

func prop(v *ics.VEvent, p ics.ComponentProperty) string {
	if ip := v.GetProperty(p); ip != nil {
		return ip.Value
	}
	return ""
}

func summaries(cal *ics.Calendar) []string {
	var out []string
	for _, v := range cal.Events() {
		out = append(out, prop(v, ics.ComponentPropertySummary))
	}
	return out
}
