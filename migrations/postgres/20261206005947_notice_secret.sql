-- +goose Up
-- modify "users" table
ALTER TABLE "users" ADD COLUMN "notice_secret" bytea NULL;

-- +goose Down
-- reverse: modify "users" table
ALTER TABLE "users" DROP COLUMN "notice_secret";
