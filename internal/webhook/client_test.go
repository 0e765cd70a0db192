package webhook

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/usergroups/usergroups/internal/tracing"
)

func TestForbiddenAddresses(t *testing.T) {
	for _, a := range []string{
		"127.0.0.1", "127.8.9.10", "::1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
		"169.254.169.254", "fe80::1", "fc00::1", "fd12:3456::1", "0.0.0.0", "::", "0.1.2.3",
		"100.64.0.1", "100.127.255.254", "224.0.0.1", "ff02::1", "255.255.255.255",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe",
	} {
		if !forbidden(netip.MustParseAddr(a)) {
			t.Errorf("%s allowed, want forbidden", a)
		}
	}
	for _, a := range []string{"1.1.1.1", "93.184.216.34", "100.63.255.255", "100.128.0.1", "172.32.0.1", "2606:4700::1111"} {
		if forbidden(netip.MustParseAddr(a)) {
			t.Errorf("%s forbidden, want allowed", a)
		}
	}
}

func TestClientRefusesInternalDestinations(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	port := u.Port()

	c := NewClient(ClientOptions{Timeout: 2 * time.Second})
	for _, target := range []string{
		srv.URL,                           // 127.0.0.1
		"http://localhost:" + port + "/",  // hostname resolving to loopback
		"http://10.0.0.1:" + port + "/",   // RFC 1918
		"http://169.254.169.254/latest/",  // cloud metadata, link-local
		"http://100.64.0.1:" + port + "/", // CGNAT
		"http://0.0.0.0:" + port + "/",    // unspecified
	} {
		resp, err := c.Get(target)
		if err == nil {
			resp.Body.Close()
			t.Errorf("GET %s succeeded, want refusal", target)
			continue
		}
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("GET %s: %v, want ErrForbiddenAddress", target, err)
		}
	}
	// ::1 goes through the same dial check; the machine may lack IPv6, so only
	// require that it does not get through.
	if resp, err := c.Get("http://[::1]:" + port + "/"); err == nil {
		resp.Body.Close()
		t.Error("GET [::1] succeeded")
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("server received %d requests without AllowPrivate", n)
	}

	allowed := NewClient(ClientOptions{AllowPrivate: true})
	resp, err := allowed.Get(srv.URL)
	if err != nil {
		t.Fatalf("AllowPrivate: %v", err)
	}
	body, err := ReadLimited(resp, MaxStoredBody)
	if err != nil || string(body) != "ok" || resp.StatusCode != 200 {
		t.Fatalf("AllowPrivate: status %d body %q err %v", resp.StatusCode, body, err)
	}
	if hits.Load() != 1 {
		t.Fatalf("hits = %d, want 1", hits.Load())
	}
}

func TestClientDoesNotFollowRedirects(t *testing.T) {
	var followed atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) { followed.Store(true) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := NewClient(ClientOptions{AllowPrivate: true}).Post(srv.URL+"/hook", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || followed.Load() {
		t.Fatalf("status %d, followed %v; want 307 and not followed", resp.StatusCode, followed.Load())
	}
}

func TestClientTimeoutAndProxy(t *testing.T) {
	c := NewClient(ClientOptions{})
	if c.Timeout != 10*time.Second {
		t.Fatalf("timeout %v, want 10s", c.Timeout)
	}
	if tr := c.Transport.(*tracing.Outgoing).Base.(*http.Transport); tr.Proxy != nil {
		t.Fatal("transport uses a proxy; the proxy would dial unchecked")
	}
	// A receiver slower than the timeout fails the delivery (short timeout, no real 10 s wait).
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	if _, err := NewClient(ClientOptions{AllowPrivate: true, Timeout: 50 * time.Millisecond}).Get(srv.URL); err == nil {
		t.Fatal("slow receiver did not time out")
	}
}

func TestReadLimited(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("a", 5000))
	}))
	defer srv.Close()
	resp, err := NewClient(ClientOptions{AllowPrivate: true}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, err := ReadLimited(resp, MaxStoredBody)
	if err != nil {
		t.Fatal(err)
	}
	if len(body) != 1024 {
		t.Fatalf("read %d bytes, want 1024", len(body))
	}
}
