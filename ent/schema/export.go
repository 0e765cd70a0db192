package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
)

// Export is a bulk export of a community's data, started by a person
// (startExport) and written by a background job under their viewer; its
// file is kept in ExportChunk rows until its one download or its expiry.
type Export struct{ ent.Schema }

// Mixin of the Export.
func (Export) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix("exp"), TimeMixin{}}
}

// Fields of the Export.
func (Export) Fields() []ent.Field {
	return []ent.Field{
		fkField("community_id", "The community exported.").Immutable().Field(),
		fkField("requester_id", "Who started the export; the only person who reads it.").Immutable().Private().Field(),
		fkField("token_id", "The API token the export was started with, if any: the job reads with it.").
			Optional().Immutable().Private().Field(),
		// Stored as the ExportKind enum's values; shown through a field resolver.
		field.Strings("kinds").Immutable().Comment("What the export holds, in the file's order.").
			Annotations(entgql.Type("[ExportKind!]")),
		field.Enum("format").Values("JSONL", "CSV").Immutable().
			Annotations(valueDocs{
				"JSONL": "One JSON object a line, each with its \"kind\" (application/x-ndjson).",
				"CSV":   "RFC 4180 CSV of one kind, its header first (text/csv).",
			}).Comment("The file's format."),
		field.Enum("status").Values("QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "EXPIRED").Default("QUEUED").
			Annotations(valueDocs{
				"QUEUED":    "Waiting for its job.",
				"RUNNING":   "Being written, page by page.",
				"SUCCEEDED": "Written; downloadUrl serves it once until expiresAt.",
				"FAILED":    "Stopped; error says why.",
				"EXPIRED":   "Downloaded or past expiresAt: its file is deleted.",
			}).Comment("Where the export stands."),
		field.Float("progress").Default(0).Comment("Share of the rows written, from 0 to 1."),
		field.Int("rows_written").Default(0).NonNegative().Comment("Rows written so far."),
		field.Int("rows_total").Default(0).NonNegative().Annotations(entgql.Skip()).
			Comment("Rows the first page counted, the denominator of progress."),
		field.String("change_cursor").Optional().Nillable().
			Comment("The change-log position the export reflects: continue the incremental feed (changes, subscriptions) after it."),
		field.String("error").Optional().Comment("Why the export failed."),
		// Where the job stands, so a retried page step writes nothing twice.
		field.Int("kind_index").Default(0).NonNegative().Annotations(entgql.Skip()).
			Comment("The kind being written, an index into kinds."),
		field.String("last_id").Optional().Annotations(entgql.Skip()).Comment("The last id written of that kind."),
		field.Int("next_seq").Default(0).NonNegative().Annotations(entgql.Skip()).Comment("The next chunk's sequence number."),
		field.Time("finished_at").Optional().Nillable().Comment("When the export succeeded or failed."),
		field.Time("expires_at").Optional().Nillable().Comment("Until when the file may be downloaded."),
		field.Time("downloaded_at").Optional().Nillable().Comment("When the file was downloaded (once)."),
	}
}

// Edges of the Export.
func (Export) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("community", Community.Type).Ref("exports").Field("community_id").Unique().Required().Immutable().
			Comment("The community exported."),
	}
}

// Indexes of the Export.
func (Export) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("requester_id", "created_at"),
		index.Fields("status", "expires_at"),
	}
}

// Annotations of the Export.
func (Export) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A bulk export of a community's data, visible to the person who started it."),
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipOrderField),
	}
}

// Policy of the Export (see internal/authz).
func (Export) Policy() ent.Policy { return authz.ExportPolicy() }

// ExportChunk is a piece of an export's file, in order of seq: kept in the
// database so any replica serves the download and no replica holds the
// whole file in memory.
type ExportChunk struct{ ent.Schema }

// Fields of the ExportChunk.
func (ExportChunk) Fields() []ent.Field {
	return []ent.Field{
		field.String("export_id").GoType(pulid.ID("")).Immutable().Comment("The export the chunk belongs to."),
		field.Int("seq").Immutable().NonNegative().Comment("Its place in the file."),
		field.Bytes("data").Immutable().Comment("Its bytes."),
	}
}

// Indexes of the ExportChunk.
func (ExportChunk) Indexes() []ent.Index {
	return []ent.Index{index.Fields("export_id", "seq").Unique()}
}

// Annotations of the ExportChunk.
func (ExportChunk) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}

// Policy of the ExportChunk (see internal/authz).
func (ExportChunk) Policy() ent.Policy { return authz.ExportChunkPolicy() }
