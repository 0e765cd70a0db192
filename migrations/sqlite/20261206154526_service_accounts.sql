-- +goose Up
-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_api_tokens" table
CREATE TABLE `new_api_tokens` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `token_hash` text NOT NULL, `hint` text NOT NULL, `scopes` json NOT NULL, `last_used_at` datetime NULL, `last_used_address` text NULL, `expires_at` datetime NULL, `revoked_at` datetime NULL, `service_account_id` text NULL, `owner_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `api_tokens_service_accounts_tokens` FOREIGN KEY (`service_account_id`) REFERENCES `service_accounts` (`id`) ON DELETE SET NULL, CONSTRAINT `api_tokens_users_api_tokens` FOREIGN KEY (`owner_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- copy rows from old table "api_tokens" to new temporary table "new_api_tokens"
INSERT INTO `new_api_tokens` (`id`, `created_at`, `updated_at`, `name`, `token_hash`, `hint`, `scopes`, `last_used_at`, `expires_at`, `revoked_at`, `owner_id`) SELECT `id`, `created_at`, `updated_at`, `name`, `token_hash`, `hint`, `scopes`, `last_used_at`, `expires_at`, `revoked_at`, `owner_id` FROM `api_tokens`;
-- drop "api_tokens" table after copying rows
DROP TABLE `api_tokens`;
-- rename temporary table "new_api_tokens" to "api_tokens"
ALTER TABLE `new_api_tokens` RENAME TO `api_tokens`;
-- create index "api_tokens_token_hash_key" to table: "api_tokens"
CREATE UNIQUE INDEX `api_tokens_token_hash_key` ON `api_tokens` (`token_hash`);
-- create "service_accounts" table
CREATE TABLE `service_accounts` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `purpose` text NOT NULL, `deactivated_at` datetime NULL, `community_id` text NOT NULL, `group_id` text NULL, `owner_id` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `service_accounts_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `service_accounts_groups_group` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `service_accounts_users_owner` FOREIGN KEY (`owner_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `service_accounts_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "serviceaccount_community_id" to table: "service_accounts"
CREATE INDEX `serviceaccount_community_id` ON `service_accounts` (`community_id`);
-- create index "serviceaccount_user_id" to table: "service_accounts"
CREATE UNIQUE INDEX `serviceaccount_user_id` ON `service_accounts` (`user_id`);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;

-- +goose Down
-- reverse: create index "serviceaccount_user_id" to table: "service_accounts"
DROP INDEX `serviceaccount_user_id`;
-- reverse: create index "serviceaccount_community_id" to table: "service_accounts"
DROP INDEX `serviceaccount_community_id`;
-- reverse: create "service_accounts" table
DROP TABLE `service_accounts`;
-- reverse: create index "api_tokens_token_hash_key" to table: "api_tokens"
DROP INDEX `api_tokens_token_hash_key`;
-- reverse: create "new_api_tokens" table
DROP TABLE `new_api_tokens`;
