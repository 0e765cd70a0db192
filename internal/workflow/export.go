package workflow

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/riverqueue/river"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/auditentry"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/export"
	"github.com/usergroups/usergroups/ent/exportchunk"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/jobs"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Bulk exports (issue 24): a person starts one (StartExport), a job writes
// its file page by page under the person's viewer as it is when each page
// is read (RunExport), and the file is downloaded once through a link
// signed with the person's own key (ExportDownloadPath, DownloadExport).

// The export job kinds.
const (
	JobExport        = "export"         // writing one export's file
	JobExpireExports = "expire_exports" // deleting the files of exports downloaded or expired
)

// ExportPageSize is how many rows one page of an export reads and one
// chunk of its file holds: a page is one short read and one short write.
const ExportPageSize = 500

// ExportPath is where the server serves exports' files: ExportPath + id.
const ExportPath = "/exports/"

// exportAttempts bounds a failing export job's retries; the last failure
// is recorded on the export (GiveUpExport).
const exportAttempts = 5

// ExportJob is the job that writes one export's file.
type ExportJob struct {
	ExportID pulid.ID `json:"export_id"`
	// Community is the exported community, so its staff see the job.
	Community pulid.ID `json:"community,omitempty"`
}

// Kind of ExportJob.
func (ExportJob) Kind() string { return JobExport }

// JobCommunity is the community whose staff see the job.
func (j ExportJob) JobCommunity() string { return string(j.Community) }

// StartExportInput is what startExport asks for.
type StartExportInput struct {
	Community pulid.ID
	Kinds     []string
	Format    string
}

// StartExport records an export of a community's data for the person
// asking and queues the job that writes it, auditing the access, in one
// transaction. Any signed-in person may export what they can read; a
// token needs each kind's read area, and applications are for the
// community's staff only. Bad input changes nothing.
func (r *Runner) StartExport(ctx context.Context, in StartExportInput) (*ent.Export, error) {
	return run(ctx, r, "startExport", func(ctx context.Context, c *ent.Client, now time.Time) (*ent.Export, error) {
		v := viewer.FromContext(ctx)
		if !v.IsUser() {
			return nil, apierror.Unauthenticatedf("sign in first")
		}
		com, err := ref.Community(ctx, c, "community", in.Community)
		if err != nil {
			return nil, err
		}
		kinds, err := policy.ExportSelection(in.Kinds, in.Format)
		if err != nil {
			return nil, apierror.Invalid("kinds", "%s", err)
		}
		if err := mayExport(v, com, kinds); err != nil {
			return nil, err
		}
		// The download link is signed with the person's unsubscribe key,
		// made here if they have none yet (no second secret to manage).
		if _, err := noticeSecret(ctx, r, v.UserID); err != nil {
			return nil, err
		}
		create := c.Export.Create().SetCommunityID(com).SetRequesterID(v.UserID).SetKinds(kinds).
			SetFormat(export.Format(in.Format)).SetCreatedAt(now).SetUpdatedAt(now)
		if v.Token != nil {
			create.SetTokenID(v.Token.ID)
		}
		exp, err := create.Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := jobs.Add(ctx, ExportJob{ExportID: exp.ID, Community: com}, &river.InsertOpts{MaxAttempts: exportAttempts}); err != nil {
			return nil, err
		}
		return exp, changelog.Audit(ctx, c, now, changelog.AuditRecord{Action: auditentry.ActionACCESSED,
			NodeType: "Export", NodeID: string(exp.ID), Community: com})
	})
}

// mayExport is who may export kinds of community: a token needs each
// kind's read area (refused naming it), staff-only kinds need the
// community's staff. The job checks again under the viewer of each page.
func mayExport(v *viewer.Viewer, com pulid.ID, kinds []string) error {
	for _, k := range kinds {
		if area := policy.ExportArea(k); !v.CanRead(area) {
			return apierror.MissingScope(viewer.ScopeName(area), "exporting "+k)
		}
		if policy.ExportStaffOnly(k) && !v.IsStaff(com) {
			return apierror.Forbiddenf("only the community's staff may export %s", k)
		}
	}
	return nil
}

// ExportDeps are what the job that writes an export needs from outside
// the workflow: the requester's viewer as it is now (the worker builds it
// with the API token the export was started with, which may have been
// revoked since: an *apierror.Error then fails the export) and the
// change-log position a snapshot reflects (nil: the export has none).
type ExportDeps struct {
	ViewerOf  func(ctx context.Context, userID, tokenID pulid.ID) (*viewer.Viewer, error)
	Reflected func(ctx context.Context, c *ent.Client) (string, error)
	// PageSize is the rows a page reads (ExportPageSize when 0).
	PageSize int
}

// RunExport writes an export's file, page by page, until it is done,
// failed or no longer wanted. A refusal (the token revoked, the person no
// longer staff, a scope removed) fails the export with its reason; any
// other error is returned, for the job to retry from the last page
// written.
func RunExport(ctx context.Context, r *Runner, id pulid.ID, d ExportDeps) error {
	for {
		done, err := ExportPage(ctx, r, id, d)
		if err != nil || done {
			return err
		}
	}
}

// ExportPage writes the next page of an export's file: one read under the
// requester's viewer, then one step that appends the chunk and moves the
// export's position, so a page retried after a crash is written once. It
// reports whether the export is finished (succeeded, failed or gone).
func ExportPage(ctx context.Context, r *Runner, id pulid.ID, d ExportDeps) (bool, error) {
	sys := viewer.SystemContext(ctx)
	exp, err := r.client.Export.Get(sys, id)
	if ent.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if exp.Status != export.StatusQUEUED && exp.Status != export.StatusRUNNING {
		return true, nil
	}
	pg, err := readExportPage(ctx, r, exp, d)
	var refused *apierror.Error
	if errors.As(err, &refused) {
		return true, GiveUpExport(ctx, r, id, err)
	}
	if err != nil {
		return false, err
	}
	return run(sys, r, "export page", func(ctx context.Context, c *ent.Client, now time.Time) (bool, error) {
		q := c.Export.Query().Where(export.ID(id))
		q.Modify(forUpdate)
		cur, err := q.Only(ctx)
		if err != nil {
			return false, err
		}
		if ended := cur.Status != export.StatusQUEUED && cur.Status != export.StatusRUNNING; ended || cur.NextSeq != exp.NextSeq {
			// Another run wrote this page (or ended the export) first.
			return ended, nil
		}
		if len(pg.data) > 0 {
			if err := c.ExportChunk.Create().SetExportID(id).SetSeq(cur.NextSeq).SetData(pg.data).Exec(ctx); err != nil {
				return false, err
			}
		}
		written := cur.RowsWritten + pg.rows
		up := c.Export.UpdateOneID(id).SetStatus(export.StatusRUNNING).SetNextSeq(cur.NextSeq + 1).
			SetKindIndex(pg.kindIndex).SetLastID(pg.lastID).SetRowsWritten(written).SetUpdatedAt(now).
			SetProgress(policy.ExportProgress(written, pg.total, pg.done))
		if cur.NextSeq == 0 {
			up.SetRowsTotal(pg.total)
			if pg.cursor != "" {
				up.SetChangeCursor(pg.cursor)
			}
		}
		if pg.done {
			up.SetStatus(export.StatusSUCCEEDED).SetFinishedAt(now).SetExpiresAt(now.Add(policy.ExportTTL))
		}
		return pg.done, up.Exec(ctx)
	})
}

// GiveUpExport fails an export that is not finished, recording why: a
// refusal's own words, or that its job ran out of attempts.
func GiveUpExport(ctx context.Context, r *Runner, id pulid.ID, cause error) error {
	_, err := run(viewer.SystemContext(ctx), r, "fail export", func(ctx context.Context, c *ent.Client, now time.Time) (struct{}, error) {
		n, err := c.Export.Update().Where(export.ID(id), export.StatusIn(export.StatusQUEUED, export.StatusRUNNING)).
			SetStatus(export.StatusFAILED).SetError(exportFailure(cause)).SetFinishedAt(now).SetUpdatedAt(now).Save(ctx)
		if err != nil || n == 0 {
			return struct{}{}, err
		}
		_, err = c.ExportChunk.Delete().Where(exportchunk.ExportID(id)).Exec(ctx)
		return struct{}{}, err
	})
	return err
}

// exportFailure is what an export's error says: a refusal's message is
// for its requester; anything else is the server's, said generally.
func exportFailure(err error) string {
	var ae *apierror.Error
	if errors.As(err, &ae) {
		return ae.Message
	}
	return "the export could not be written; start it again"
}

// exportPage is one page read: its rows encoded, where the export stands
// after it, and, on the first page, the total and the change cursor.
type exportPage struct {
	data      []byte
	rows      int
	kindIndex int
	lastID    string
	done      bool
	total     int
	cursor    string
}

// readExportPage reads the rows after the export's position under its
// requester's viewer, in one snapshot: on the first page the position in
// the change log that snapshot reflects and the rows to come are counted
// in it too.
func readExportPage(ctx context.Context, r *Runner, exp *ent.Export, d ExportDeps) (exportPage, error) {
	pg := exportPage{kindIndex: exp.KindIndex, lastID: exp.LastID, total: exp.RowsTotal}
	v, err := d.ViewerOf(ctx, exp.RequesterID, exp.TokenID)
	if err != nil {
		return pg, err
	}
	if err := mayExport(v, exp.CommunityID, exp.Kinds); err != nil {
		return pg, err
	}
	size := d.PageSize
	if size <= 0 {
		size = ExportPageSize
	}
	err = r.Read(viewer.NewContext(ctx, v), func(ctx context.Context) error {
		c := ent.FromContext(ctx)
		if exp.NextSeq == 0 {
			if d.Reflected != nil {
				if pg.cursor, err = d.Reflected(ctx, c); err != nil {
					return err
				}
			}
			for _, k := range exp.Kinds {
				n, err := exportTables[k].count(ctx, c, exp.CommunityID)
				if err != nil {
					return err
				}
				pg.total += n
			}
		}
		var buf bytes.Buffer
		var cw *csv.Writer
		if exp.Format == export.FormatCSV {
			cw = csv.NewWriter(&buf)
		}
		for pg.rows < size && pg.kindIndex < len(exp.Kinds) {
			kind := exp.Kinds[pg.kindIndex]
			t := exportTables[kind]
			if cw != nil && exp.NextSeq == 0 && pg.lastID == "" {
				if err := cw.Write(t.columns); err != nil {
					return err
				}
			}
			want := size - pg.rows
			rows, err := t.page(ctx, c, exp.CommunityID, pg.lastID, want)
			if err != nil {
				return err
			}
			for _, row := range rows {
				if err := encodeExportRow(&buf, cw, kind, t.columns, row); err != nil {
					return err
				}
				pg.lastID = fmt.Sprint(row[0])
			}
			pg.rows += len(rows)
			if len(rows) < want {
				pg.kindIndex, pg.lastID = pg.kindIndex+1, ""
			}
		}
		if cw != nil {
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
		}
		pg.data = buf.Bytes()
		return nil
	})
	pg.done = pg.kindIndex >= len(exp.Kinds)
	return pg, err
}

// encodeExportRow writes one row: a JSON object with its kind first and
// the columns in order, or a CSV record.
func encodeExportRow(buf *bytes.Buffer, cw *csv.Writer, kind string, columns []string, row []any) error {
	if cw != nil {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = csvValue(v)
		}
		return cw.Write(rec)
	}
	buf.WriteString(`{"kind":`)
	k, _ := json.Marshal(kind)
	buf.Write(k)
	for i, col := range columns {
		val, err := json.Marshal(row[i])
		if err != nil {
			return err
		}
		buf.WriteString(`,"` + col + `":`)
		buf.Write(val)
	}
	buf.WriteString("}\n")
	return nil
}

// csvValue is a cell: times in RFC 3339 (UTC), nothing for null.
func csvValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case *time.Time:
		if x == nil {
			return ""
		}
		return x.UTC().Format(time.RFC3339)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case *int:
		if x == nil {
			return ""
		}
		return strconv.Itoa(*x)
	case json.RawMessage:
		return string(x)
	}
	return fmt.Sprint(v)
}

// exportTable is one kind's rows: its columns (the first is the id, the
// keyset pages follow; none is named "kind", the row's own kind), how many the viewer in ctx sees, and a page of them.
type exportTable struct {
	columns []string
	count   func(ctx context.Context, c *ent.Client, com pulid.ID) (int, error)
	page    func(ctx context.Context, c *ent.Client, com pulid.ID, after string, n int) ([][]any, error)
}

// after is the keyset condition of a page: ids above the last one written.
func after(id string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		if id != "" {
			s.Where(sql.GT(s.C("id"), id))
		}
	}
}

// exportTables are the kinds' rows, read through ent with the requester's
// viewer in ctx: privacy decides which rows each holds.
var exportTables = map[string]exportTable{
	policy.ExportGroups: {
		columns: []string{"id", "slug", "name", "status", "city", "country", "regionId", "createdAt"},
		count: func(ctx context.Context, c *ent.Client, com pulid.ID) (int, error) {
			return c.Group.Query().Where(group.CommunityID(com)).Count(ctx)
		},
		page: func(ctx context.Context, c *ent.Client, com pulid.ID, last string, n int) ([][]any, error) {
			gs, err := c.Group.Query().Where(group.CommunityID(com), after(last)).Order(group.ByID()).Limit(n).All(ctx)
			return rowsOf(gs, err, func(g *ent.Group) []any {
				return []any{g.ID, g.Slug, g.Name, g.Status, g.City, g.Country, nullID(g.RegionID), g.CreatedAt}
			})
		},
	},
	policy.ExportEvents: {
		columns: []string{"id", "groupId", "title", "eventKind", "status", "visibility", "startsAt", "endsAt", "timeZone",
			"capacity", "goingCount", "waitlistCount", "attendedCount"},
		count: func(ctx context.Context, c *ent.Client, com pulid.ID) (int, error) {
			return c.Event.Query().Where(event.CommunityID(com)).Count(ctx)
		},
		page: func(ctx context.Context, c *ent.Client, com pulid.ID, last string, n int) ([][]any, error) {
			es, err := c.Event.Query().Where(event.CommunityID(com), after(last)).Order(event.ByID()).Limit(n).All(ctx)
			return rowsOf(es, err, func(e *ent.Event) []any {
				return []any{e.ID, e.GroupID, e.Title, e.Kind, e.Status, e.Visibility, e.StartsAt, e.EndsAt, e.TimeZone,
					e.Capacity, e.GoingCount, e.WaitlistCount, e.AttendedCount}
			})
		},
	},
	policy.ExportRosters: {
		columns: []string{"id", "userId", "roleKind", "groupId", "regionId", "termStart", "termEnd"},
		count: func(ctx context.Context, c *ent.Client, com pulid.ID) (int, error) {
			return c.Role.Query().Where(role.CommunityID(com), role.StatusEQ(role.StatusACTIVE)).Count(ctx)
		},
		page: func(ctx context.Context, c *ent.Client, com pulid.ID, last string, n int) ([][]any, error) {
			rs, err := c.Role.Query().Where(role.CommunityID(com), role.StatusEQ(role.StatusACTIVE), after(last)).
				Order(role.ByID()).Limit(n).All(ctx)
			return rowsOf(rs, err, func(r *ent.Role) []any {
				return []any{r.ID, r.UserID, r.Kind, nullID(r.GroupID), nullID(r.RegionID), r.TermStart, r.TermEnd}
			})
		},
	},
	policy.ExportContributions: {
		columns: []string{"id", "userId", "groupId", "eventId", "contributionKind", "title", "occurredOn", "status", "points"},
		count: func(ctx context.Context, c *ent.Client, com pulid.ID) (int, error) {
			return c.Contribution.Query().Where(contribution.CommunityID(com)).Count(ctx)
		},
		page: func(ctx context.Context, c *ent.Client, com pulid.ID, last string, n int) ([][]any, error) {
			cs, err := c.Contribution.Query().Where(contribution.CommunityID(com), after(last)).
				Order(contribution.ByID()).Limit(n).All(ctx)
			return rowsOf(cs, err, func(x *ent.Contribution) []any {
				return []any{x.ID, x.UserID, nullID(x.GroupID), nullID(x.EventID), x.Kind, x.Title, x.OccurredOn, x.Status, x.Points}
			})
		},
	},
	policy.ExportApplications: {
		columns: []string{"id", "applicationKind", "status", "applicantId", "groupId", "regionId", "decidedAt", "screening"},
		count: func(ctx context.Context, c *ent.Client, com pulid.ID) (int, error) {
			return c.Application.Query().Where(application.CommunityID(com)).Count(ctx)
		},
		page: func(ctx context.Context, c *ent.Client, com pulid.ID, last string, n int) ([][]any, error) {
			as, err := c.Application.Query().Where(application.CommunityID(com), after(last)).
				Order(application.ByID()).Limit(n).All(ctx)
			return rowsOf(as, err, func(a *ent.Application) []any {
				screening, _ := json.Marshal(a.Screening)
				return []any{a.ID, a.Kind, a.Status, a.ApplicantID, nullID(a.GroupID), nullID(a.RegionID), a.DecidedAt,
					json.RawMessage(screening)}
			})
		},
	},
}

// rowsOf maps a page of entities to rows.
func rowsOf[T any](xs []T, err error, row func(T) []any) ([][]any, error) {
	if err != nil {
		return nil, err
	}
	out := make([][]any, len(xs))
	for i, x := range xs {
		out[i] = row(x)
	}
	return out, nil
}

// nullID is an optional reference: null when empty.
func nullID(id pulid.ID) any {
	if id == "" {
		return nil
	}
	return id
}

// exportSignature signs "download export id until expires" with its
// requester's key (the one their unsubscribe links use), under its own
// prefix so that neither kind of link verifies as the other.
func exportSignature(secret []byte, id pulid.ID, expires int64) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("export v1|" + string(id) + "|" + strconv.FormatInt(expires, 10)))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// ExportDownloadPath is the signed link that serves exp's file once,
// relative to the server (ExportPath + id, expires and sig): nil unless
// the export succeeded, was not downloaded and has not expired. It reads
// the requester's key, so only the requester (or the system) gets one.
func ExportDownloadPath(ctx context.Context, r *Runner, exp *ent.Export) (*string, error) {
	if exp.Status != export.StatusSUCCEEDED || exp.DownloadedAt != nil || exp.ExpiresAt == nil || !r.now().Before(*exp.ExpiresAt) {
		return nil, nil
	}
	u, err := r.reader(ctx).User.Query().Where(user.ID(exp.RequesterID)).Select(user.FieldNoticeSecret).Only(authz.Unfiltered(ctx))
	if err != nil {
		return nil, err
	}
	expires := exp.ExpiresAt.Unix()
	q := url.Values{"expires": {strconv.FormatInt(expires, 10)}, "sig": {exportSignature(u.NoticeSecret, exp.ID, expires)}}
	p := ExportPath + string(exp.ID) + "?" + q.Encode()
	return &p, nil
}

// Download refusals, which the server answers with their HTTP status.
var (
	// ErrExportSignature: the link was not signed for this export (403).
	ErrExportSignature = errors.New("export: the link's signature is not valid")
	// ErrExportGone: the file was downloaded already or expired (410).
	ErrExportGone = errors.New("export: the file was downloaded already or has expired")
)

// DownloadExport verifies a download link and, if it is good, marks the
// export downloaded (one step, the row locked: one download wins) and
// returns its format and a function that writes its file chunk by chunk;
// the chunks are deleted when written. The link is the credential, so it
// runs as the system.
func DownloadExport(ctx context.Context, r *Runner, id pulid.ID, expires int64, sig string) (string, func(write func([]byte) error) error, error) {
	ctx = viewer.SystemContext(ctx)
	exp, err := run(ctx, r, "download export", func(ctx context.Context, c *ent.Client, now time.Time) (*ent.Export, error) {
		q := c.Export.Query().Where(export.ID(id))
		q.Modify(forUpdate)
		exp, err := q.Only(ctx)
		if ent.IsNotFound(err) {
			return nil, ErrExportSignature
		}
		if err != nil {
			return nil, err
		}
		u, err := c.User.Query().Where(user.ID(exp.RequesterID)).Select(user.FieldNoticeSecret).Only(ctx)
		if err != nil {
			return nil, err
		}
		if len(u.NoticeSecret) == 0 || !hmac.Equal([]byte(exportSignature(u.NoticeSecret, id, expires)), []byte(sig)) {
			return nil, ErrExportSignature
		}
		if exp.Status != export.StatusSUCCEEDED || exp.DownloadedAt != nil || exp.ExpiresAt == nil ||
			!now.Before(*exp.ExpiresAt) || now.Unix() >= expires {
			return nil, ErrExportGone
		}
		return exp, c.Export.UpdateOneID(id).SetDownloadedAt(now).SetUpdatedAt(now).Exec(ctx)
	})
	if err != nil {
		return "", nil, err
	}
	stream := func(write func([]byte) error) error {
		for seq := 0; seq < exp.NextSeq; seq++ {
			ch, err := r.client.ExportChunk.Query().Where(exportchunk.ExportID(id), exportchunk.Seq(seq)).Only(ctx)
			if ent.IsNotFound(err) {
				continue // a page that held no row
			}
			if err != nil {
				return err
			}
			if err := write(ch.Data); err != nil {
				return err
			}
		}
		return expireExport(ctx, r, id, export.StatusSUCCEEDED)
	}
	return string(exp.Format), stream, nil
}

// expireExport deletes an export's file and marks it EXPIRED, if it is
// still in status from.
func expireExport(ctx context.Context, r *Runner, id pulid.ID, from export.Status) error {
	_, err := run(ctx, r, "expire export", func(ctx context.Context, c *ent.Client, now time.Time) (struct{}, error) {
		n, err := c.Export.Update().Where(export.ID(id), export.StatusEQ(from)).
			SetStatus(export.StatusEXPIRED).SetUpdatedAt(now).Save(ctx)
		if err != nil || n == 0 {
			return struct{}{}, err
		}
		_, err = c.ExportChunk.Delete().Where(exportchunk.ExportID(id)).Exec(ctx)
		return struct{}{}, err
	})
	return err
}

// exportDownloadGrace is how long a download may take before the sweep
// deletes the file under it: a download's chunks are deleted when it ends,
// and one cut short leaves them to the sweep.
const exportDownloadGrace = time.Hour

// ExpireExports is the sweep that deletes the files of exports past their
// expiry or downloaded long enough ago, one export per step; it reports
// how many it found.
func ExpireExports(ctx context.Context, r *Runner) (int, error) {
	now := r.now()
	ids, err := r.client.Export.Query().Where(export.StatusEQ(export.StatusSUCCEEDED),
		export.Or(export.ExpiresAtLTE(now), export.DownloadedAtLTE(now.Add(-exportDownloadGrace)))).IDs(viewer.SystemContext(ctx))
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, id := range ids {
		errs = append(errs, expireExport(viewer.SystemContext(ctx), r, id, export.StatusSUCCEEDED))
	}
	return len(ids), errors.Join(errs...)
}
