-- +goose Up
-- add column "notice_secret" to table: "users"
ALTER TABLE `users` ADD COLUMN `notice_secret` blob NULL;

-- +goose Down
-- reverse: add column "notice_secret" to table: "users"
ALTER TABLE `users` DROP COLUMN `notice_secret`;
