-- +goose Up
-- modify "contacts" table
ALTER TABLE "contacts" ADD COLUMN "email_bounced_at" timestamptz NULL, ADD COLUMN "email_bounce_reason" character varying NULL;
-- modify "messages" table
ALTER TABLE "messages" ADD COLUMN "message_id" character varying NULL, ADD COLUMN "deliveries" jsonb NULL;

-- +goose Down
-- reverse: modify "messages" table
ALTER TABLE "messages" DROP COLUMN "deliveries", DROP COLUMN "message_id";
-- reverse: modify "contacts" table
ALTER TABLE "contacts" DROP COLUMN "email_bounce_reason", DROP COLUMN "email_bounced_at";
