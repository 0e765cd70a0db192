package ical

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/store/dberr"
	"github.com/usergroups/usergroups/internal/viewer"
)

// maxEvents caps a feed so that one request stays cheap to query, render and
// download, and the file small enough for calendar apps.
const maxEvents = 1000

type handler struct {
	client *ent.Client
	log    *slog.Logger
}

// NewHandler serves the feeds under /ical/ (mount it there, unstripped):
// /ical/communities/{community}.ics and /ical/groups/{community}/{group}.ics.
// Unknown slugs get 404, methods other than GET and HEAD 405.
func NewHandler(client *ent.Client, log *slog.Logger) http.Handler {
	h := &handler{client: client, log: log}
	mux := http.NewServeMux()
	// A GET pattern also matches HEAD; the mux answers other methods with
	// 405 and an Allow header.
	mux.HandleFunc("GET /ical/communities/{file}", h.community)
	mux.HandleFunc("GET /ical/groups/{community}/{file}", h.group)
	return mux
}

// anonymous returns the context the feeds read with. A feed is one URL for
// everybody and is cached publicly, so it must hold what an anonymous
// visitor may see, whoever asks, and the privacy rules still apply.
func anonymous(r *http.Request) context.Context {
	return viewer.NewContext(r.Context(), &viewer.Viewer{})
}

func (h *handler) community(w http.ResponseWriter, r *http.Request) {
	ctx := anonymous(r)
	slug, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		http.NotFound(w, r)
		return
	}
	com, err := h.client.Community.Query().Where(community.Slug(slug)).Only(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	groups, err := com.QueryGroups().Select(group.FieldName, group.FieldUpdatedAt).All(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names := make(map[pulid.ID]string, len(groups))
	ids := make([]pulid.ID, len(groups))
	modified := com.UpdatedAt
	for i, g := range groups {
		names[g.ID], ids[i] = g.Name, g.ID
		modified = later(modified, g.UpdatedAt)
	}
	events, err := h.events(ctx, event.GroupIDIn(ids...))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.serve(w, r, Calendar(com.Name+" user groups", events, names), events, modified)
}

func (h *handler) group(w http.ResponseWriter, r *http.Request) {
	ctx := anonymous(r)
	slug, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		http.NotFound(w, r)
		return
	}
	g, err := h.client.Group.Query().
		Where(group.Slug(slug), group.HasCommunityWith(community.Slug(r.PathValue("community")))).
		WithCommunity().Only(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	events, err := h.events(ctx, event.GroupID(g.ID))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	com := g.Edges.Community
	cal := Calendar(com.Name+" — "+g.Name, events, map[pulid.ID]string{g.ID: g.Name})
	h.serve(w, r, cal, events, later(g.UpdatedAt, com.UpdatedAt))
}

// events returns the public events matching where within the feeds' window:
// ended at most a year ago, starting at most two years ahead. Cancelled
// events stay so that subscribers learn of the cancellation.
func (h *handler) events(ctx context.Context, where predicate.Event) ([]*ent.Event, error) {
	now := time.Now()
	return h.client.Event.Query().
		Where(where,
			event.VisibilityEQ(event.VisibilityPUBLIC),
			event.StatusIn(event.StatusPUBLISHED, event.StatusCOMPLETED, event.StatusCANCELLED),
			event.EndsAtGTE(now.AddDate(-1, 0, 0)),
			event.StartsAtLTE(now.AddDate(2, 0, 0))).
		Order(event.ByStartsAt(), event.ByID()).
		Limit(maxEvents).
		All(ctx)
}

// serve writes cal with validators. modified is the newest change to
// what the calendar shows besides its events: the community and group names.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, cal *ics.Calendar, events []*ent.Event, modified time.Time) {
	ids := fnv.New64a()
	for _, e := range events {
		modified = later(modified, e.UpdatedAt)
		_, _ = io.WriteString(ids, string(e.ID)+"\n")
	}
	var body bytes.Buffer
	// RFC 5545 lines end in CRLF; the library defaults to a bare LF.
	if err := cal.SerializeTo(&body, ics.WithNewLineWindows); err != nil {
		h.fail(w, r, err)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/calendar; charset=utf-8")
	hdr.Set("Cache-Control", "public, max-age=900")
	// The newest change and the count alone would miss one event leaving
	// the window as another, older one enters it; the ids catch that.
	hdr.Set("ETag", fmt.Sprintf(`"%d-%x-%x"`, len(events), modified.UnixNano(), ids.Sum64()))
	// ServeContent answers If-None-Match (and If-Modified-Since) with 304,
	// and HEAD without a body.
	http.ServeContent(w, r, "", modified, bytes.NewReader(body.Bytes()))
}

// fail answers 404 for an unknown community or group, 503 when the
// database cannot be reached (calendar apps retry), and 500 otherwise.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if ent.IsNotFound(err) {
		http.NotFound(w, r)
		return
	}
	if dberr.Unreachable(err) {
		h.log.WarnContext(r.Context(), "calendar feed: database unreachable", "path", r.URL.Path, "error", err,
			"request_id", apierror.RequestID(r.Context()))
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	h.log.ErrorContext(r.Context(), "calendar feed", "path", r.URL.Path, "error", err,
		"request_id", apierror.RequestID(r.Context()))
	http.Error(w, "internal error", http.StatusInternalServerError)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
