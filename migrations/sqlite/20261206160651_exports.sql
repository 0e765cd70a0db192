-- +goose Up
-- create "exports" table
CREATE TABLE `exports` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `requester_id` text NOT NULL, `token_id` text NULL, `kinds` json NOT NULL, `format` text NOT NULL, `status` text NOT NULL DEFAULT ('QUEUED'), `progress` real NOT NULL DEFAULT (0), `rows_written` integer NOT NULL DEFAULT (0), `rows_total` integer NOT NULL DEFAULT (0), `change_cursor` text NULL, `error` text NULL, `kind_index` integer NOT NULL DEFAULT (0), `last_id` text NULL, `next_seq` integer NOT NULL DEFAULT (0), `finished_at` datetime NULL, `expires_at` datetime NULL, `downloaded_at` datetime NULL, `community_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `exports_communities_exports` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION);
-- create index "export_requester_id_created_at" to table: "exports"
CREATE INDEX `export_requester_id_created_at` ON `exports` (`requester_id`, `created_at`);
-- create index "export_status_expires_at" to table: "exports"
CREATE INDEX `export_status_expires_at` ON `exports` (`status`, `expires_at`);
-- create "export_chunks" table
CREATE TABLE `export_chunks` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `export_id` text NOT NULL, `seq` integer NOT NULL, `data` blob NOT NULL);
-- create index "exportchunk_export_id_seq" to table: "export_chunks"
CREATE UNIQUE INDEX `exportchunk_export_id_seq` ON `export_chunks` (`export_id`, `seq`);

-- +goose Down
-- reverse: create index "exportchunk_export_id_seq" to table: "export_chunks"
DROP INDEX `exportchunk_export_id_seq`;
-- reverse: create "export_chunks" table
DROP TABLE `export_chunks`;
-- reverse: create index "export_status_expires_at" to table: "exports"
DROP INDEX `export_status_expires_at`;
-- reverse: create index "export_requester_id_created_at" to table: "exports"
DROP INDEX `export_requester_id_created_at`;
-- reverse: create "exports" table
DROP TABLE `exports`;
