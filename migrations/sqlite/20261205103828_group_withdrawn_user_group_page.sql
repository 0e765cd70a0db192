-- +goose Up
-- add column "user_group_page_url" to table: "communities"
ALTER TABLE `communities` ADD COLUMN `user_group_page_url` text NULL;

-- +goose Down
-- reverse: add column "user_group_page_url" to table: "communities"
ALTER TABLE `communities` DROP COLUMN `user_group_page_url`;
