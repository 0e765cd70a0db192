-- +goose Up
-- add column "email_bounced_at" to table: "contacts"
ALTER TABLE `contacts` ADD COLUMN `email_bounced_at` datetime NULL;
-- add column "email_bounce_reason" to table: "contacts"
ALTER TABLE `contacts` ADD COLUMN `email_bounce_reason` text NULL;
-- add column "message_id" to table: "messages"
ALTER TABLE `messages` ADD COLUMN `message_id` text NULL;
-- add column "deliveries" to table: "messages"
ALTER TABLE `messages` ADD COLUMN `deliveries` json NULL;

-- +goose Down
-- reverse: add column "deliveries" to table: "messages"
ALTER TABLE `messages` DROP COLUMN `deliveries`;
-- reverse: add column "message_id" to table: "messages"
ALTER TABLE `messages` DROP COLUMN `message_id`;
-- reverse: add column "email_bounce_reason" to table: "contacts"
ALTER TABLE `contacts` DROP COLUMN `email_bounce_reason`;
-- reverse: add column "email_bounced_at" to table: "contacts"
ALTER TABLE `contacts` DROP COLUMN `email_bounced_at`;
