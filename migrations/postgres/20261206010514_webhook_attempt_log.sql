-- +goose Up
-- modify "webhook_deliveries" table
ALTER TABLE "webhook_deliveries" ADD COLUMN "attempt_log" jsonb NULL;

-- +goose Down
-- reverse: modify "webhook_deliveries" table
ALTER TABLE "webhook_deliveries" DROP COLUMN "attempt_log";
