package webhook

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/usergroups/usergroups/internal/tracing"
)

// DefaultTimeout bounds a whole delivery (connect, TLS, request, response
// headers and body) so a slow receiver cannot hold a worker.
const DefaultTimeout = 10 * time.Second

// MaxStoredBody is how much of a receiver's response body is kept with a
// delivery attempt: enough to debug, too little to abuse our storage.
const MaxStoredBody = 1024

// ErrForbiddenAddress is returned (wrapped) when a delivery would connect to a
// loopback, private, link-local or otherwise internal address; endpoint URLs
// come from users and must not reach our own network.
var ErrForbiddenAddress = errors.New("webhook: destination address not allowed")

// ClientOptions configures NewClient; the zero value is the safe production
// setting.
type ClientOptions struct {
	// AllowPrivate permits internal destinations; tests and local development
	// set it to deliver to receivers on 127.0.0.1.
	AllowPrivate bool
	// Timeout overrides DefaultTimeout when positive.
	Timeout time.Duration
}

// Ranges not covered by netip.Addr's predicates that are still not public
// Internet destinations.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, includes broadcast
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64, may embed any IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
}

// forbidden reports whether ip is not a public unicast address.
func forbidden(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() ||
		ip.IsMulticast() || !ip.IsGlobalUnicast() {
		return true
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// PublicAddress reports whether ip is a public unicast address, one a
// delivery may connect to without ClientOptions.AllowPrivate: endpoint
// URLs naming an internal address literally are refused when saved.
func PublicAddress(ip netip.Addr) bool { return !forbidden(ip) }

// dialControl runs after DNS resolution, on the exact address about to be
// connected, so a hostname that resolves (or re-resolves) to an internal
// address is refused.
func dialControl(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrForbiddenAddress, address, err)
	}
	if forbidden(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, ap.Addr())
	}
	return nil
}

// NewClient returns the HTTP client for webhook deliveries: it refuses
// internal destinations at dial time (unless opts.AllowPrivate), ignores proxy
// settings (a proxy would dial on our behalf, unchecked), does not follow
// redirects (a redirect could point anywhere), times out after 10 s and
// sends the traceparent of the span in a request's context, if any.
func NewClient(opts ClientOptions) *http.Client {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !opts.AllowPrivate {
		dialer.Control = dialControl
	}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		// A delivery's request carries its job's traceparent, so a
		// receiver that traces can join the trace.
		Transport: &tracing.Outgoing{Base: transport},
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// ReadLimited reads at most limit bytes of resp's body for storage with the
// delivery attempt and closes the body; a receiver cannot make us buffer or
// store more than that.
func ReadLimited(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	if limit < 0 {
		limit = 0
	}
	return io.ReadAll(io.LimitReader(resp.Body, limit))
}
