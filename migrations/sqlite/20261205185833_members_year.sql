-- +goose Up
-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_awards" table
CREATE TABLE `new_awards` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `category` text NULL, `points` integer NOT NULL DEFAULT (0), `year` integer NOT NULL, `title` text NOT NULL, `rank` integer NOT NULL, `citation` text NULL, `group_id` text NULL, `selection_id` text NULL, `community_id` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `awards_groups_group` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `awards_award_selections_awards` FOREIGN KEY (`selection_id`) REFERENCES `award_selections` (`id`) ON DELETE SET NULL, CONSTRAINT `awards_communities_awards` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `awards_users_awards` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- copy rows from old table "awards" to new temporary table "new_awards"
INSERT INTO `new_awards` (`id`, `created_at`, `updated_at`, `year`, `title`, `rank`, `citation`, `group_id`, `community_id`, `user_id`) SELECT `id`, `created_at`, `updated_at`, `year`, `title`, `rank`, `citation`, `group_id`, `community_id`, `user_id` FROM `awards`;
-- drop "awards" table after copying rows
DROP TABLE `awards`;
-- rename temporary table "new_awards" to "awards"
ALTER TABLE `new_awards` RENAME TO `awards`;
-- create index "award_community_id_year_title_user_id" to table: "awards"
CREATE UNIQUE INDEX `award_community_id_year_title_user_id` ON `awards` (`community_id`, `year`, `title`, `user_id`);
-- add column "phone" to table: "contacts"
ALTER TABLE `contacts` ADD COLUMN `phone` text NULL;
-- add column "messaging" to table: "contacts"
ALTER TABLE `contacts` ADD COLUMN `messaging` text NULL;
-- create "new_contributions" table
CREATE TABLE `new_contributions` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `title` text NOT NULL, `url` text NULL, `occurred_on` datetime NOT NULL, `details` text NULL, `status` text NOT NULL DEFAULT ('PENDING'), `points` integer NOT NULL DEFAULT (0), `verified_at` datetime NULL, `declined_at` datetime NULL, `decline_reason` text NULL, `automatic` bool NOT NULL DEFAULT (false), `source_key` text NULL, `shortlisted_year` integer NULL, `community_id` text NOT NULL, `verified_by_id` text NULL, `declined_by_id` text NULL, `event_id` text NULL, `group_id` text NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `contributions_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `contributions_users_verified_by` FOREIGN KEY (`verified_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `contributions_users_declined_by` FOREIGN KEY (`declined_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `contributions_events_event` FOREIGN KEY (`event_id`) REFERENCES `events` (`id`) ON DELETE SET NULL, CONSTRAINT `contributions_groups_contributions` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `contributions_users_contributions` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- copy rows from old table "contributions" to new temporary table "new_contributions"
INSERT INTO `new_contributions` (`id`, `created_at`, `updated_at`, `kind`, `title`, `url`, `occurred_on`, `verified_at`, `community_id`, `verified_by_id`, `group_id`, `user_id`) SELECT `id`, `created_at`, `updated_at`, `kind`, `title`, `url`, `occurred_on`, `verified_at`, `community_id`, `verified_by_id`, `group_id`, `user_id` FROM `contributions`;
-- drop "contributions" table after copying rows
DROP TABLE `contributions`;
-- rename temporary table "new_contributions" to "contributions"
ALTER TABLE `new_contributions` RENAME TO `contributions`;
-- create index "contributions_source_key_key" to table: "contributions"
CREATE UNIQUE INDEX `contributions_source_key_key` ON `contributions` (`source_key`);
-- create index "contribution_user_id_occurred_on" to table: "contributions"
CREATE INDEX `contribution_user_id_occurred_on` ON `contributions` (`user_id`, `occurred_on`);
-- create index "contribution_community_id_kind_occurred_on" to table: "contributions"
CREATE INDEX `contribution_community_id_kind_occurred_on` ON `contributions` (`community_id`, `kind`, `occurred_on`);
-- create index "contribution_group_id_occurred_on" to table: "contributions"
CREATE INDEX `contribution_group_id_occurred_on` ON `contributions` (`group_id`, `occurred_on`);
-- create index "contribution_group_id_status" to table: "contributions"
CREATE INDEX `contribution_group_id_status` ON `contributions` (`group_id`, `status`);
-- create index "contribution_community_id_shortlisted_year" to table: "contributions"
CREATE INDEX `contribution_community_id_shortlisted_year` ON `contributions` (`community_id`, `shortlisted_year`);
-- create "new_roles" table
CREATE TABLE `new_roles` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `status` text NOT NULL DEFAULT ('ACTIVE'), `scope_key` text NOT NULL, `term_start` datetime NULL, `term_end` datetime NULL, `term_number` integer NOT NULL DEFAULT (1), `obligation_started_at` datetime NULL, `obligation_due_at` datetime NULL, `ended_at` datetime NULL, `end_reason` text NULL, `community_id` text NULL, `group_id` text NULL, `region_id` text NULL, `home_group_id` text NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `roles_communities_roles` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE SET NULL, CONSTRAINT `roles_groups_roles` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `roles_regions_roles` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL, CONSTRAINT `roles_groups_home_group` FOREIGN KEY (`home_group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `roles_users_roles` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- copy rows from old table "roles" to new temporary table "new_roles"
INSERT INTO `new_roles` (`id`, `created_at`, `updated_at`, `kind`, `status`, `scope_key`, `term_start`, `term_end`, `term_number`, `ended_at`, `end_reason`, `community_id`, `group_id`, `region_id`, `home_group_id`, `user_id`) SELECT `id`, `created_at`, `updated_at`, `kind`, `status`, `scope_key`, `term_start`, `term_end`, `term_number`, `ended_at`, `end_reason`, `community_id`, `group_id`, `region_id`, `home_group_id`, `user_id` FROM `roles`;
-- drop "roles" table after copying rows
DROP TABLE `roles`;
-- rename temporary table "new_roles" to "roles"
ALTER TABLE `new_roles` RENAME TO `roles`;
-- create index "role_user_id_kind_scope_key" to table: "roles"
CREATE UNIQUE INDEX `role_user_id_kind_scope_key` ON `roles` (`user_id`, `kind`, `scope_key`) WHERE status IN ('PENDING', 'ACTIVE');
-- create index "role_group_id_kind_status" to table: "roles"
CREATE INDEX `role_group_id_kind_status` ON `roles` (`group_id`, `kind`, `status`);
-- create index "role_region_id_kind_status" to table: "roles"
CREATE INDEX `role_region_id_kind_status` ON `roles` (`region_id`, `kind`, `status`);
-- create index "role_community_id_kind_status" to table: "roles"
CREATE INDEX `role_community_id_kind_status` ON `roles` (`community_id`, `kind`, `status`);
-- create index "role_user_id_status" to table: "roles"
CREATE INDEX `role_user_id_status` ON `roles` (`user_id`, `status`);
-- create index "role_status_obligation_due_at" to table: "roles"
CREATE INDEX `role_status_obligation_due_at` ON `roles` (`status`, `obligation_due_at`);
-- create "new_users" table
CREATE TABLE `new_users` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `handle` text NOT NULL, `name` text NOT NULL, `bio` text NULL, `city` text NULL, `country` text NULL, `affiliation` text NULL, `avatar_url` text NULL, `languages` json NULL, `links` json NULL, `showcase_consent` bool NOT NULL DEFAULT (false), `photo_consent` bool NOT NULL DEFAULT (false), `ledger_public` bool NOT NULL DEFAULT (false), `oidc_issuer` text NULL, `oidc_subject` text NULL, `organization_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `users_organizations_members` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL);
-- copy rows from old table "users" to new temporary table "new_users"
INSERT INTO `new_users` (`id`, `created_at`, `updated_at`, `handle`, `name`, `bio`, `city`, `country`, `affiliation`, `avatar_url`, `oidc_issuer`, `oidc_subject`, `organization_id`) SELECT `id`, `created_at`, `updated_at`, `handle`, `name`, `bio`, `city`, `country`, `affiliation`, `avatar_url`, `oidc_issuer`, `oidc_subject`, `organization_id` FROM `users`;
-- drop "users" table after copying rows
DROP TABLE `users`;
-- rename temporary table "new_users" to "users"
ALTER TABLE `new_users` RENAME TO `users`;
-- create index "users_handle_key" to table: "users"
CREATE UNIQUE INDEX `users_handle_key` ON `users` (`handle`);
-- create index "user_oidc_issuer_oidc_subject" to table: "users"
CREATE UNIQUE INDEX `user_oidc_issuer_oidc_subject` ON `users` (`oidc_issuer`, `oidc_subject`);
-- create index "user_organization_id" to table: "users"
CREATE INDEX `user_organization_id` ON `users` (`organization_id`);
-- create "award_nominations" table
CREATE TABLE `award_nominations` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `category` text NOT NULL, `citation` text NULL, `status` text NOT NULL DEFAULT ('NOMINATED'), `community_id` text NOT NULL, `group_id` text NOT NULL, `user_id` text NOT NULL, `nominated_by_id` text NOT NULL, `selection_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `award_nominations_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `award_nominations_groups_group` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE NO ACTION, CONSTRAINT `award_nominations_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `award_nominations_users_nominated_by` FOREIGN KEY (`nominated_by_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `award_nominations_award_selections_nominations` FOREIGN KEY (`selection_id`) REFERENCES `award_selections` (`id`) ON DELETE NO ACTION);
-- create index "awardnomination_selection_id_user_id_category" to table: "award_nominations"
CREATE UNIQUE INDEX `awardnomination_selection_id_user_id_category` ON `award_nominations` (`selection_id`, `user_id`, `category`);
-- create "award_selections" table
CREATE TABLE `award_selections` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `year` integer NOT NULL, `status` text NOT NULL DEFAULT ('OPEN'), `nominations_close_at` datetime NULL, `decided_at` datetime NULL, `tie_break` text NULL, `opened_by_id` text NOT NULL, `decided_by_id` text NULL, `community_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `award_selections_users_opened_by` FOREIGN KEY (`opened_by_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `award_selections_users_decided_by` FOREIGN KEY (`decided_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `award_selections_communities_award_selections` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION);
-- create index "awardselection_community_id_year" to table: "award_selections"
CREATE UNIQUE INDEX `awardselection_community_id_year` ON `award_selections` (`community_id`, `year`);
-- create "certificates" table
CREATE TABLE `certificates` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `code` text NOT NULL, `holder_name` text NOT NULL, `community_name` text NOT NULL, `group_name` text NULL, `title` text NULL, `year` integer NULL, `issued_at` datetime NOT NULL, `community_id` text NOT NULL, `group_id` text NULL, `role_id` text NULL, `award_id` text NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `certificates_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `certificates_groups_group` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `certificates_roles_role` FOREIGN KEY (`role_id`) REFERENCES `roles` (`id`) ON DELETE SET NULL, CONSTRAINT `certificates_awards_award` FOREIGN KEY (`award_id`) REFERENCES `awards` (`id`) ON DELETE SET NULL, CONSTRAINT `certificates_users_certificates` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "certificates_code_key" to table: "certificates"
CREATE UNIQUE INDEX `certificates_code_key` ON `certificates` (`code`);
-- create index "certificate_user_id" to table: "certificates"
CREATE INDEX `certificate_user_id` ON `certificates` (`user_id`);
-- create index "certificate_role_id" to table: "certificates"
CREATE UNIQUE INDEX `certificate_role_id` ON `certificates` (`role_id`);
-- create index "certificate_award_id" to table: "certificates"
CREATE UNIQUE INDEX `certificate_award_id` ON `certificates` (`award_id`);
-- create "shipments" table
CREATE TABLE `shipments` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `status` text NOT NULL DEFAULT ('PENDING'), `shipped_at` datetime NULL, `carrier` text NULL, `tracking_code` text NULL, `dedupe_key` text NOT NULL, `community_id` text NOT NULL, `award_id` text NULL, `role_id` text NULL, `shipped_by_id` text NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `shipments_communities_shipments` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `shipments_awards_award` FOREIGN KEY (`award_id`) REFERENCES `awards` (`id`) ON DELETE SET NULL, CONSTRAINT `shipments_roles_role` FOREIGN KEY (`role_id`) REFERENCES `roles` (`id`) ON DELETE SET NULL, CONSTRAINT `shipments_users_shipped_by` FOREIGN KEY (`shipped_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `shipments_users_shipments` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "shipments_dedupe_key_key" to table: "shipments"
CREATE UNIQUE INDEX `shipments_dedupe_key_key` ON `shipments` (`dedupe_key`);
-- create index "shipment_community_id_status" to table: "shipments"
CREATE INDEX `shipment_community_id_status` ON `shipments` (`community_id`, `status`);
-- create index "shipment_user_id" to table: "shipments"
CREATE INDEX `shipment_user_id` ON `shipments` (`user_id`);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;

-- contributions verified before statuses existed count as verified, with the default points of their kind
UPDATE contributions SET status = 'VERIFIED', points = CASE kind WHEN 'ARTICLE' THEN 5 WHEN 'TALK' THEN 5 WHEN 'USER_CASE' THEN 8 WHEN 'CODE' THEN 5 WHEN 'DOCS' THEN 3 WHEN 'TRANSLATION' THEN 3 ELSE 2 END WHERE verified_at IS NOT NULL;
-- +goose Down
-- reverse: create index "shipment_user_id" to table: "shipments"
DROP INDEX `shipment_user_id`;
-- reverse: create index "shipment_community_id_status" to table: "shipments"
DROP INDEX `shipment_community_id_status`;
-- reverse: create index "shipments_dedupe_key_key" to table: "shipments"
DROP INDEX `shipments_dedupe_key_key`;
-- reverse: create "shipments" table
DROP TABLE `shipments`;
-- reverse: create index "certificate_award_id" to table: "certificates"
DROP INDEX `certificate_award_id`;
-- reverse: create index "certificate_role_id" to table: "certificates"
DROP INDEX `certificate_role_id`;
-- reverse: create index "certificate_user_id" to table: "certificates"
DROP INDEX `certificate_user_id`;
-- reverse: create index "certificates_code_key" to table: "certificates"
DROP INDEX `certificates_code_key`;
-- reverse: create "certificates" table
DROP TABLE `certificates`;
-- reverse: create index "awardselection_community_id_year" to table: "award_selections"
DROP INDEX `awardselection_community_id_year`;
-- reverse: create "award_selections" table
DROP TABLE `award_selections`;
-- reverse: create index "awardnomination_selection_id_user_id_category" to table: "award_nominations"
DROP INDEX `awardnomination_selection_id_user_id_category`;
-- reverse: create "award_nominations" table
DROP TABLE `award_nominations`;
-- reverse: create index "user_organization_id" to table: "users"
DROP INDEX `user_organization_id`;
-- reverse: create index "user_oidc_issuer_oidc_subject" to table: "users"
DROP INDEX `user_oidc_issuer_oidc_subject`;
-- reverse: create index "users_handle_key" to table: "users"
DROP INDEX `users_handle_key`;
-- reverse: create "new_users" table
DROP TABLE `new_users`;
-- reverse: create index "role_status_obligation_due_at" to table: "roles"
DROP INDEX `role_status_obligation_due_at`;
-- reverse: create index "role_user_id_status" to table: "roles"
DROP INDEX `role_user_id_status`;
-- reverse: create index "role_community_id_kind_status" to table: "roles"
DROP INDEX `role_community_id_kind_status`;
-- reverse: create index "role_region_id_kind_status" to table: "roles"
DROP INDEX `role_region_id_kind_status`;
-- reverse: create index "role_group_id_kind_status" to table: "roles"
DROP INDEX `role_group_id_kind_status`;
-- reverse: create index "role_user_id_kind_scope_key" to table: "roles"
DROP INDEX `role_user_id_kind_scope_key`;
-- reverse: create "new_roles" table
DROP TABLE `new_roles`;
-- reverse: create index "contribution_community_id_shortlisted_year" to table: "contributions"
DROP INDEX `contribution_community_id_shortlisted_year`;
-- reverse: create index "contribution_group_id_status" to table: "contributions"
DROP INDEX `contribution_group_id_status`;
-- reverse: create index "contribution_group_id_occurred_on" to table: "contributions"
DROP INDEX `contribution_group_id_occurred_on`;
-- reverse: create index "contribution_community_id_kind_occurred_on" to table: "contributions"
DROP INDEX `contribution_community_id_kind_occurred_on`;
-- reverse: create index "contribution_user_id_occurred_on" to table: "contributions"
DROP INDEX `contribution_user_id_occurred_on`;
-- reverse: create index "contributions_source_key_key" to table: "contributions"
DROP INDEX `contributions_source_key_key`;
-- reverse: create "new_contributions" table
DROP TABLE `new_contributions`;
-- reverse: add column "messaging" to table: "contacts"
ALTER TABLE `contacts` DROP COLUMN `messaging`;
-- reverse: add column "phone" to table: "contacts"
ALTER TABLE `contacts` DROP COLUMN `phone`;
-- reverse: create index "award_community_id_year_title_user_id" to table: "awards"
DROP INDEX `award_community_id_year_title_user_id`;
-- reverse: create "new_awards" table
DROP TABLE `new_awards`;
