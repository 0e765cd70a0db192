-- +goose Up
-- River's job queue, migration 8 of 8 ("job_id_autoincrement") of its line "main", copied from
-- github.com/riverqueue/river/riverdriver/riverpgxv5 v0.51.2 with the schema template
-- left empty, so the tables land in the connection's schema. One file per River
-- version, as River applies them: a later one may use an enum value an earlier one adds.

-- No-op. Postgres sequences already prevent automatically generated job IDs
-- from being reused.
SELECT 1;

-- Record River's versions as applied, as rivermigrate would have, so River's
-- own tooling (river migrate-get, rivermigrate) agrees with this history.
INSERT INTO river_migration (line, version) VALUES ('main', 1), ('main', 2), ('main', 3), ('main', 4), ('main', 5), ('main', 6), ('main', 7), ('main', 8);
