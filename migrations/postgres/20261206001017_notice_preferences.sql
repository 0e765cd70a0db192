-- +goose Up
-- modify "users" table
ALTER TABLE "users" ADD COLUMN "language" character varying NULL, ADD COLUMN "notices_off" jsonb NULL;

-- +goose Down
-- reverse: modify "users" table
ALTER TABLE "users" DROP COLUMN "notices_off", DROP COLUMN "language";
