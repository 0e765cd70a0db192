package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/certificate"
	"github.com/usergroups/usergroups/internal/errmap"
	"github.com/usergroups/usergroups/internal/httpguard"
	"github.com/usergroups/usergroups/internal/ratelimit"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// certificatePDFCost is what drawing a certificate takes from the client
// address's budget on top of the request's base cost: a PDF (the CJK font
// parsed, glyphs subset: some 70–150 ms of CPU and 30 MB of garbage) costs
// far more than answering from one row, so one address draws at most 40 a
// minute under the default anonymous budget of 20,000.
const certificatePDFCost = 500

// verification is the public answer for a certificate code: what the
// certificate states, nothing else about its holder (no id, no contact).
type verification struct {
	Valid         bool    `json:"valid"`
	Kind          string  `json:"kind,omitempty"`
	HolderName    string  `json:"holderName,omitempty"`
	CommunityName string  `json:"communityName,omitempty"`
	GroupName     *string `json:"groupName,omitempty"`
	Title         *string `json:"title,omitempty"`
	Year          *int    `json:"year,omitempty"`
	IssuedAt      string  `json:"issuedAt,omitempty"`
}

type certificates struct {
	runner     *workflow.Runner
	log        *slog.Logger
	trustProxy bool
}

// certificatesHandler serves the public verification of certificates
// (mount it at /certificates/, unstripped): GET /certificates/{code} answers
// JSON, GET /certificates/{code}.pdf the PDF. Codes are taken as typed (any
// case, spaces, hyphens or not); an unknown one is 404 {"valid":false}.
func certificatesHandler(runner *workflow.Runner, log *slog.Logger, trustProxy bool) http.Handler {
	h := &certificates{runner: runner, log: log, trustProxy: trustProxy}
	mux := http.NewServeMux()
	// A GET pattern also matches HEAD; other methods get 405.
	mux.HandleFunc("GET /certificates/{code}", h.serve)
	return mux
}

func (h *certificates) serve(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	pdf := false
	if n := len(code) - len(".pdf"); n >= 0 && strings.EqualFold(code[n:], ".pdf") {
		code, pdf = code[:n], true
	}
	// Anyone may verify: the read is the code's, not the caller's.
	ctx := viewer.NewContext(r.Context(), &viewer.Viewer{})
	crt, err := h.runner.VerifiedCertificate(ctx, code)
	if err != nil {
		if ae := errmap.Classify(err); ae != nil && ae.Code == apierror.NotFound {
			w.Header().Set("Cache-Control", "no-store")
			writeJSON(w, http.StatusNotFound, verification{Valid: false})
			return
		}
		h.log.ErrorContext(ctx, "reading a certificate", "request_id", apierror.RequestID(ctx), "error", err)
		httpguard.WriteError(w, r, http.StatusInternalServerError, &apierror.Error{Code: apierror.Internal,
			Message: "the certificate could not be read; try again later"})
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if !pdf {
		w.Header().Set("Cache-Control", "no-cache")
		writeJSON(w, http.StatusOK, verificationOf(crt))
		return
	}
	if _, err := ratelimit.Charge(ctx, certificatePDFCost); err != nil {
		ae := apierror.As(err)
		if secs, ok := ae.Extensions["retryAfter"].(int); ok {
			w.Header().Set("Retry-After", strconv.Itoa(secs))
		}
		httpguard.WriteError(w, r, http.StatusTooManyRequests, ae)
		return
	}
	body, err := certificate.Render(dataOf(crt, h.origin(r)+certificate.VerificationPath(crt.Code)))
	if err != nil {
		h.log.ErrorContext(ctx, "drawing a certificate", "request_id", apierror.RequestID(ctx), "error", err)
		httpguard.WriteError(w, r, http.StatusInternalServerError, &apierror.Error{Code: apierror.Internal,
			Message: "the certificate could not be drawn; try again later"})
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+certificate.FileName(crt.Code)+`"`)
	// The verification address printed on it follows the Host asked for.
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// origin is the scheme and host the client reached the server at, for the
// verification address printed on a certificate (the server has no
// configured public address). Behind a trusted proxy its X-Forwarded-Proto
// and X-Forwarded-Host say what the client used.
func (h *certificates) origin(r *http.Request) string {
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if h.trustProxy {
		if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
			scheme = p
		}
		if fh := r.Header.Get("X-Forwarded-Host"); fh != "" {
			host, _, _ = strings.Cut(fh, ",")
			host = strings.TrimSpace(host)
		}
	}
	return scheme + "://" + host
}

func verificationOf(crt *ent.Certificate) verification {
	v := verification{Valid: true, Kind: string(crt.Kind), HolderName: crt.HolderName,
		CommunityName: crt.CommunityName, Year: crt.Year, IssuedAt: crt.IssuedAt.UTC().Format(time.RFC3339)}
	if crt.GroupName != "" {
		v.GroupName = &crt.GroupName
	}
	if crt.Title != "" {
		v.Title = &crt.Title
	}
	return v
}

func dataOf(crt *ent.Certificate, verifyURL string) certificate.Data {
	d := certificate.Data{Kind: string(crt.Kind), HolderName: crt.HolderName, CommunityName: crt.CommunityName,
		GroupName: crt.GroupName, Title: crt.Title, IssuedAt: crt.IssuedAt, Code: crt.Code, VerifyURL: verifyURL}
	if crt.Year != nil {
		d.Year = *crt.Year
	}
	return d
}
