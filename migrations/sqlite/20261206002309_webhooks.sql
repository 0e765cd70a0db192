-- +goose Up
-- create "webhook_deliveries" table
CREATE TABLE `webhook_deliveries` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `community_id` text NOT NULL, `group_id` text NULL, `change_id` integer NOT NULL, `event_type` text NOT NULL, `payload` text NOT NULL, `status` text NOT NULL DEFAULT ('PENDING'), `attempts` integer NOT NULL DEFAULT (0), `redeliveries` integer NOT NULL DEFAULT (0), `last_status_code` integer NULL, `last_error` text NULL, `response_body` text NULL, `last_attempt_at` datetime NULL, `next_attempt_at` datetime NULL, `delivered_at` datetime NULL, `endpoint_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `webhook_deliveries_webhook_endpoints_deliveries` FOREIGN KEY (`endpoint_id`) REFERENCES `webhook_endpoints` (`id`) ON DELETE NO ACTION);
-- create index "webhookdelivery_endpoint_id_change_id" to table: "webhook_deliveries"
CREATE UNIQUE INDEX `webhookdelivery_endpoint_id_change_id` ON `webhook_deliveries` (`endpoint_id`, `change_id`);
-- create index "webhookdelivery_endpoint_id_status_created_at" to table: "webhook_deliveries"
CREATE INDEX `webhookdelivery_endpoint_id_status_created_at` ON `webhook_deliveries` (`endpoint_id`, `status`, `created_at`);
-- create "webhook_endpoints" table
CREATE TABLE `webhook_endpoints` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `url` text NOT NULL, `topics` json NOT NULL, `description` text NULL, `status` text NOT NULL DEFAULT ('ACTIVE'), `disabled_reason` text NULL, `disabled_at` datetime NULL, `secret` text NOT NULL, `previous_secret` text NULL, `previous_secret_expires_at` datetime NULL, `consecutive_failures` integer NOT NULL DEFAULT (0), `community_id` text NOT NULL, `group_id` text NULL, `owner_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `webhook_endpoints_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `webhook_endpoints_groups_group` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `webhook_endpoints_users_owner` FOREIGN KEY (`owner_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "webhookendpoint_community_id_status" to table: "webhook_endpoints"
CREATE INDEX `webhookendpoint_community_id_status` ON `webhook_endpoints` (`community_id`, `status`);

-- +goose Down
-- reverse: create index "webhookendpoint_community_id_status" to table: "webhook_endpoints"
DROP INDEX `webhookendpoint_community_id_status`;
-- reverse: create "webhook_endpoints" table
DROP TABLE `webhook_endpoints`;
-- reverse: create index "webhookdelivery_endpoint_id_status_created_at" to table: "webhook_deliveries"
DROP INDEX `webhookdelivery_endpoint_id_status_created_at`;
-- reverse: create index "webhookdelivery_endpoint_id_change_id" to table: "webhook_deliveries"
DROP INDEX `webhookdelivery_endpoint_id_change_id`;
-- reverse: create "webhook_deliveries" table
DROP TABLE `webhook_deliveries`;
