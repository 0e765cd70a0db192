-- +goose Up
-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_groups" table
CREATE TABLE `new_groups` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `slug` text NOT NULL, `city` text NOT NULL, `country` text NOT NULL, `latitude` real NULL, `longitude` real NULL, `description` text NULL, `website_url` text NULL, `meetup_url` text NULL, `chat_url` text NULL, `logo_url` text NULL, `status` text NOT NULL DEFAULT ('PROPOSED'), `official_since` datetime NULL, `ended_at` datetime NULL, `end_reason` text NULL, `community_id` text NOT NULL, `mentor_id` text NULL, `merged_into_id` text NULL, `region_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `groups_communities_groups` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `groups_users_mentor` FOREIGN KEY (`mentor_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `groups_groups_merged_groups` FOREIGN KEY (`merged_into_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `groups_regions_groups` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL);
-- copy rows from old table "groups" to new temporary table "new_groups"
INSERT INTO `new_groups` (`id`, `created_at`, `updated_at`, `name`, `slug`, `city`, `country`, `latitude`, `longitude`, `description`, `website_url`, `meetup_url`, `chat_url`, `logo_url`, `status`, `official_since`, `community_id`, `mentor_id`, `region_id`) SELECT `id`, `created_at`, `updated_at`, `name`, `slug`, `city`, `country`, `latitude`, `longitude`, `description`, `website_url`, `meetup_url`, `chat_url`, `logo_url`, `status`, `official_since`, `community_id`, `mentor_id`, `region_id` FROM `groups`;
-- drop "groups" table after copying rows
DROP TABLE `groups`;
-- rename temporary table "new_groups" to "groups"
ALTER TABLE `new_groups` RENAME TO `groups`;
-- create index "group_community_id_slug" to table: "groups"
CREATE UNIQUE INDEX `group_community_id_slug` ON `groups` (`community_id`, `slug`);
-- create index "group_community_id_status" to table: "groups"
CREATE INDEX `group_community_id_status` ON `groups` (`community_id`, `status`);
-- create index "group_community_id_region_id" to table: "groups"
CREATE INDEX `group_community_id_region_id` ON `groups` (`community_id`, `region_id`);
-- create index "group_country_city" to table: "groups"
CREATE INDEX `group_country_city` ON `groups` (`country`, `city`);
-- create index "group_mentor_id" to table: "groups"
CREATE INDEX `group_mentor_id` ON `groups` (`mentor_id`);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;

-- +goose Down
-- reverse: create index "group_mentor_id" to table: "groups"
DROP INDEX `group_mentor_id`;
-- reverse: create index "group_country_city" to table: "groups"
DROP INDEX `group_country_city`;
-- reverse: create index "group_community_id_region_id" to table: "groups"
DROP INDEX `group_community_id_region_id`;
-- reverse: create index "group_community_id_status" to table: "groups"
DROP INDEX `group_community_id_status`;
-- reverse: create index "group_community_id_slug" to table: "groups"
DROP INDEX `group_community_id_slug`;
-- reverse: create "new_groups" table
DROP TABLE `new_groups`;
