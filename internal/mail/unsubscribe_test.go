package mail

import (
	"bytes"
	"context"
	netmail "net/mail"
	"testing"
)

// TestListUnsubscribeHeaders: an https link and a mailto one are listed
// together with List-Unsubscribe-Post; an http link (a development server
// on localhost) is listed without it, as RFC 8058 wants https for one-click.
func TestListUnsubscribeHeaders(t *testing.T) {
	for _, c := range []struct{ url, list, post string }{
		{"https://groups.example/unsubscribe?t=a", "<https://groups.example/unsubscribe?t=a>, <mailto:a@x.example?subject=unsubscribe>", "List-Unsubscribe=One-Click"},
		{"http://localhost:8080/unsubscribe?t=a", "<http://localhost:8080/unsubscribe?t=a>, <mailto:a@x.example?subject=unsubscribe>", ""},
		{"", "<mailto:a@x.example?subject=unsubscribe>", ""},
	} {
		be := &backend{}
		s := startServer(t, be)
		m := Message{From: "a@x.example", To: "b@y.example", Subject: "hi", Text: "hello",
			ListUnsubscribeURL: c.url, ListUnsubscribeMailto: "mailto:a@x.example?subject=unsubscribe"}
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		pm, err := netmail.ReadMessage(bytes.NewReader(be.messages()[0].Data))
		if err != nil {
			t.Fatal(err)
		}
		if got := pm.Header.Get("List-Unsubscribe"); got != c.list {
			t.Errorf("%q: List-Unsubscribe %q, want %q", c.url, got, c.list)
		}
		if got := pm.Header.Get("List-Unsubscribe-Post"); got != c.post {
			t.Errorf("%q: List-Unsubscribe-Post %q, want %q", c.url, got, c.post)
		}
	}
}
