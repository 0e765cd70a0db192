package authz

import (
	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/export"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/privacy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// ExportPolicy: an export is read by the person who started it (with any
// of their credentials: the token it was started with polls it) and by the
// system that writes it; nobody else, admins included, since its file is
// what the requester could read, not what an admin may.
func ExportPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, allowUnfiltered, narrow[*ent.ExportQuery](func(v *viewer.Viewer) predicate.Export {
			if v.UserID == "" {
				return nothing[predicate.Export](v)
			}
			return export.RequesterID(v.UserID)
		}), privacy.AlwaysDenyRule()},
		Mutation: writes(),
	}
}

// ExportChunkPolicy: an export's file is read by the system only, for its
// one download through the signed link (workflow.DownloadExport).
func ExportChunkPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem, allowUnfiltered, privacy.AlwaysDenyRule()},
		Mutation: writes(),
	}
}
