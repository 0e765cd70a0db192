package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestUnsubscribeEndpoint: GET of a notice's one-click link shows a page
// (in the reader's language) whose button POSTs, and changes nothing; a
// POST as mail clients send it turns the kind off; a bad token, an unknown
// or a mandatory kind is refused with a short message and changes nothing.
// (TestOneClickUnsubscribe in internal/workflow follows a link from a
// delivered email.)
func TestUnsubscribeEndpoint(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	sys := dbtest.FixtureContext(t)
	secret := []byte("0123456789abcdef0123456789abcdef")
	ada := db.Client.User.Create().SetHandle("ada").SetName("Ada").SetNoticeSecret(secret).SaveX(sys)
	bob := db.Client.User.Create().SetHandle("bob").SetName("Bob").SetNoticeSecret([]byte("another secret of thirty-two b..")).SaveX(sys)
	api := httptest.NewServer(server.New(db, server.Config{Logger: quietLogger()}))
	t.Cleanup(api.Close)
	kind := letters.KindEventCancelled
	link := func(u pulid.ID, k letters.Kind, token string) string {
		return workflow.UnsubscribeURL(api.URL+"/", u, k, token)
	}
	good := link(ada.ID, kind, workflow.UnsubscribeToken(secret, ada.ID, kind))
	do := func(method, target, lang string, form url.Values) (int, string, http.Header) {
		t.Helper()
		var body *strings.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		} else {
			body = strings.NewReader("")
		}
		req, err := http.NewRequest(method, target, body)
		if err != nil {
			t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
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
		return resp.StatusCode, string(b), resp.Header
	}
	off := func(u *ent.User) []letters.Kind {
		return db.Client.User.GetX(sys, u.ID).NoticesOff
	}
	oneClick := url.Values{"List-Unsubscribe": {"One-Click"}}

	// GET: a page with a button, in English or Chinese; nothing changes.
	status, page, h := do(http.MethodGet, good, "fr, en;q=0.8", nil)
	if status != http.StatusOK || !strings.Contains(page, `<form method="post"`) || !strings.Contains(page, "event cancelled") ||
		!strings.Contains(page, `name="List-Unsubscribe" value="One-Click"`) {
		t.Fatalf("GET: %d %s", status, page)
	}
	if h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Errorf("GET headers %v", h)
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "src=") || strings.Contains(page, "<link") {
		t.Errorf("the page loads something: %s", page)
	}
	if _, page, _ := do(http.MethodGet, good, "zh-CN,zh;q=0.9,en;q=0.5", nil); !strings.Contains(page, "退订") {
		t.Errorf("GET in Chinese: %s", page)
	}
	if got := off(ada); len(got) != 0 {
		t.Fatalf("GET turned off %v", got)
	}

	// Refusals change nothing.
	for _, c := range []struct {
		name, target string
		status       int
	}{
		{"forged token", link(ada.ID, kind, "AAAA"+workflow.UnsubscribeToken(secret, ada.ID, kind)[4:]), http.StatusNotFound},
		{"bob's token", link(ada.ID, kind, workflow.UnsubscribeToken([]byte("another secret of thirty-two b.."), bob.ID, kind)), http.StatusNotFound},
		{"ada's token on bob", link(bob.ID, kind, workflow.UnsubscribeToken(secret, ada.ID, kind)), http.StatusNotFound},
		{"no parameters", api.URL + workflow.UnsubscribePath, http.StatusBadRequest},
		{"unknown kind", link(ada.ID, "nope", workflow.UnsubscribeToken(secret, ada.ID, "nope")), http.StatusBadRequest},
		{"mandatory kind", link(ada.ID, letters.KindAwardWon, workflow.UnsubscribeToken(secret, ada.ID, letters.KindAwardWon)), http.StatusBadRequest},
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			status, body, h := do(method, c.target, "", oneClick)
			if status != c.status || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") || len(body) > 100 {
				t.Errorf("%s %s: %d %q, want %d with a short message", method, c.name, status, body, c.status)
			}
		}
	}
	if status, _, _ := do(http.MethodPut, good, "", oneClick); status != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d", status)
	}
	if a, b := off(ada), off(bob); len(a)+len(b) != 0 {
		t.Fatalf("refused requests turned off %v and %v", a, b)
	}

	// POST as a mail client sends it (RFC 8058), twice: the kind is off.
	for range 2 {
		status, page, _ := do(http.MethodPost, good, "", oneClick)
		if status != http.StatusOK || !strings.Contains(page, "event cancelled") || strings.Contains(page, "<form") {
			t.Fatalf("POST: %d %s", status, page)
		}
	}
	if got := off(ada); !slices.Equal(got, []letters.Kind{kind}) {
		t.Errorf("ada turned off %v, want [%s]", got, kind)
	}
	if got := off(bob); len(got) != 0 {
		t.Errorf("bob turned off %v", got)
	}
	// The confirmation page's form may also carry the link in its body.
	feedback := letters.KindFeedbackForwarded
	form := url.Values{"List-Unsubscribe": {"One-Click"}, "u": {string(bob.ID)}, "k": {string(feedback)},
		"t": {workflow.UnsubscribeToken([]byte("another secret of thirty-two b.."), bob.ID, feedback)}}
	if status, _, _ := do(http.MethodPost, api.URL+workflow.UnsubscribePath, "zh-CN", form); status != http.StatusOK {
		t.Errorf("POST with the link in the form: %d", status)
	}
	if got := off(bob); !slices.Equal(got, []letters.Kind{feedback}) {
		t.Errorf("bob turned off %v, want [%s]", got, feedback)
	}
}
