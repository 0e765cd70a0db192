-- +goose Up
-- add column "attempt_log" to table: "webhook_deliveries"
ALTER TABLE `webhook_deliveries` ADD COLUMN `attempt_log` json NULL;

-- +goose Down
-- reverse: add column "attempt_log" to table: "webhook_deliveries"
ALTER TABLE `webhook_deliveries` DROP COLUMN `attempt_log`;
