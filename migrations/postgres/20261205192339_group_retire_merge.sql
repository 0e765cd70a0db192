-- +goose Up
-- modify "groups" table
ALTER TABLE "groups" ADD COLUMN "ended_at" timestamptz NULL, ADD COLUMN "end_reason" character varying NULL, ADD COLUMN "merged_into_id" character varying NULL, ADD CONSTRAINT "groups_groups_merged_groups" FOREIGN KEY ("merged_into_id") REFERENCES "groups" ("id") ON DELETE SET NULL;

-- +goose Down
-- reverse: modify "groups" table
ALTER TABLE "groups" DROP CONSTRAINT "groups_groups_merged_groups", DROP COLUMN "merged_into_id", DROP COLUMN "end_reason", DROP COLUMN "ended_at";
