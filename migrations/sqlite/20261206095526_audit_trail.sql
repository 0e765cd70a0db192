-- +goose Up
-- create "audit_entries" table
CREATE TABLE `audit_entries` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `community_id` text NULL, `group_id` text NULL, `action` text NOT NULL, `node_type` text NOT NULL, `node_id` text NOT NULL, `actor_id` text NULL, `reason` text NULL, `created_at` datetime NOT NULL);
-- create index "auditentry_community_id_id" to table: "audit_entries"
CREATE INDEX `auditentry_community_id_id` ON `audit_entries` (`community_id`, `id`);
-- create index "auditentry_node_id" to table: "audit_entries"
CREATE INDEX `auditentry_node_id` ON `audit_entries` (`node_id`);
-- copy the audit entries the change log held (topic "audit", exports) into the audit trail, which is never pruned
INSERT INTO `audit_entries` (`community_id`, `group_id`, `action`, `node_type`, `node_id`, `actor_id`, `created_at`) SELECT `community_id`, `group_id`, 'ACCESSED', `node_type`, `node_id`, `actor_id`, `created_at` FROM `changes` WHERE `topic` = 'audit' ORDER BY `id`;

-- +goose Down
-- reverse: create index "auditentry_node_id" to table: "audit_entries"
DROP INDEX `auditentry_node_id`;
-- reverse: create index "auditentry_community_id_id" to table: "audit_entries"
DROP INDEX `auditentry_community_id_id`;
-- reverse: create "audit_entries" table
DROP TABLE `audit_entries`;
