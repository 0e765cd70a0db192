-- +goose Up
-- River's job queue, migration 3 of 8 ("river_job_tags_non_null") of its line "main", copied from
-- github.com/riverqueue/river/riverdriver/riversqlite v0.51.2 with the schema template
-- left empty, so the tables land in the connection's schema. One file per River
-- version, as River applies them: a later one may use an enum value an earlier one adds.

--
-- Normally `river_job.tags` is set to `NOT NULL` with a `DEFAULT` here, but since
-- SQLite was added well after 003 came about, we push that to version 006 index.
--

SELECT 1;
