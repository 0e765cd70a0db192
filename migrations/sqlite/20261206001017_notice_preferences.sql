-- +goose Up
-- add column "language" to table: "users"
ALTER TABLE `users` ADD COLUMN `language` text NULL;
-- add column "notices_off" to table: "users"
ALTER TABLE `users` ADD COLUMN `notices_off` json NULL;

-- +goose Down
-- reverse: add column "notices_off" to table: "users"
ALTER TABLE `users` DROP COLUMN `notices_off`;
-- reverse: add column "language" to table: "users"
ALTER TABLE `users` DROP COLUMN `language`;
