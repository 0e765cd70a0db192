-- +goose Up
-- create "webhook_endpoints" table
CREATE TABLE "webhook_endpoints" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "url" character varying NOT NULL, "topics" jsonb NOT NULL, "description" character varying NULL, "status" character varying NOT NULL DEFAULT 'ACTIVE', "disabled_reason" character varying NULL, "disabled_at" timestamptz NULL, "secret" character varying NOT NULL, "previous_secret" character varying NULL, "previous_secret_expires_at" timestamptz NULL, "consecutive_failures" bigint NOT NULL DEFAULT 0, "community_id" character varying NOT NULL, "group_id" character varying NULL, "owner_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "webhook_endpoints_communities_community" FOREIGN KEY ("community_id") REFERENCES "communities" ("id") ON DELETE NO ACTION, CONSTRAINT "webhook_endpoints_groups_group" FOREIGN KEY ("group_id") REFERENCES "groups" ("id") ON DELETE SET NULL, CONSTRAINT "webhook_endpoints_users_owner" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE NO ACTION);
-- create index "webhookendpoint_community_id_status" to table: "webhook_endpoints"
CREATE INDEX "webhookendpoint_community_id_status" ON "webhook_endpoints" ("community_id", "status");
-- create "webhook_deliveries" table
CREATE TABLE "webhook_deliveries" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "community_id" character varying NOT NULL, "group_id" character varying NULL, "change_id" bigint NOT NULL, "event_type" character varying NOT NULL, "payload" text NOT NULL, "status" character varying NOT NULL DEFAULT 'PENDING', "attempts" bigint NOT NULL DEFAULT 0, "redeliveries" bigint NOT NULL DEFAULT 0, "last_status_code" bigint NULL, "last_error" character varying NULL, "response_body" character varying NULL, "last_attempt_at" timestamptz NULL, "next_attempt_at" timestamptz NULL, "delivered_at" timestamptz NULL, "endpoint_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "webhook_deliveries_webhook_endpoints_deliveries" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints" ("id") ON DELETE NO ACTION);
-- create index "webhookdelivery_endpoint_id_change_id" to table: "webhook_deliveries"
CREATE UNIQUE INDEX "webhookdelivery_endpoint_id_change_id" ON "webhook_deliveries" ("endpoint_id", "change_id");
-- create index "webhookdelivery_endpoint_id_status_created_at" to table: "webhook_deliveries"
CREATE INDEX "webhookdelivery_endpoint_id_status_created_at" ON "webhook_deliveries" ("endpoint_id", "status", "created_at");

-- +goose Down
-- reverse: create index "webhookdelivery_endpoint_id_status_created_at" to table: "webhook_deliveries"
DROP INDEX "webhookdelivery_endpoint_id_status_created_at";
-- reverse: create index "webhookdelivery_endpoint_id_change_id" to table: "webhook_deliveries"
DROP INDEX "webhookdelivery_endpoint_id_change_id";
-- reverse: create "webhook_deliveries" table
DROP TABLE "webhook_deliveries";
-- reverse: create index "webhookendpoint_community_id_status" to table: "webhook_endpoints"
DROP INDEX "webhookendpoint_community_id_status";
-- reverse: create "webhook_endpoints" table
DROP TABLE "webhook_endpoints";
