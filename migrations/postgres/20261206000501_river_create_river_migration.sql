-- +goose Up
-- River's job queue, migration 1 of 8 ("create_river_migration") of its line "main", copied from
-- github.com/riverqueue/river/riverdriver/riverpgxv5 v0.51.2 with the schema template
-- left empty, so the tables land in the connection's schema. One file per River
-- version, as River applies them: a later one may use an enum value an earlier one adds.

CREATE TABLE river_migration(
  id bigserial PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT NOW(),
  version bigint NOT NULL,
  CONSTRAINT version CHECK (version >= 1)
);

CREATE UNIQUE INDEX ON river_migration USING btree(version);
