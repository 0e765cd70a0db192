package server

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// exportsHandler serves exports' files at workflow.ExportPath{id}: the
// signed link (expires, sig) is the credential, so no sign-in; the file is
// served once. A link not signed for the export is 403, one already used
// or past its expiry 410.
func exportsHandler(runner *workflow.Runner, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+workflow.ExportPath+"{id}", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id := pulid.ID(r.PathValue("id"))
		expires, err := strconv.ParseInt(r.URL.Query().Get("expires"), 10, 64)
		if err != nil {
			plain(w, http.StatusForbidden, "this download link is not valid")
			return
		}
		format, stream, err := workflow.DownloadExport(ctx, runner, id, expires, r.URL.Query().Get("sig"))
		switch {
		case errors.Is(err, workflow.ErrExportSignature):
			plain(w, http.StatusForbidden, "this download link is not valid")
			return
		case errors.Is(err, workflow.ErrExportGone):
			plain(w, http.StatusGone, "this export was downloaded already or has expired; start a new one")
			return
		case err != nil:
			log.ErrorContext(ctx, "downloading an export", "request_id", apierror.RequestID(ctx), "error", err)
			plain(w, http.StatusInternalServerError, "the export could not be read; try again later")
			return
		}
		noStore(w)
		name, ctype := string(id)+".jsonl", "application/x-ndjson"
		if format == policy.ExportCSV {
			name, ctype = string(id)+".csv", "text/csv; charset=utf-8"
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		w.WriteHeader(http.StatusOK)
		if err := stream(func(b []byte) error { _, err := w.Write(b); return err }); err != nil {
			// The status is sent: the client sees a cut-short body.
			log.ErrorContext(ctx, "streaming an export", "request_id", apierror.RequestID(ctx), "export", id, "error", err)
		}
	})
	return mux
}
