-- +goose Up
-- create "api_tokens" table
CREATE TABLE `api_tokens` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `token_hash` text NOT NULL, `hint` text NOT NULL, `scopes` json NOT NULL, `last_used_at` datetime NULL, `expires_at` datetime NULL, `revoked_at` datetime NULL, `owner_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `api_tokens_users_api_tokens` FOREIGN KEY (`owner_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "api_tokens_token_hash_key" to table: "api_tokens"
CREATE UNIQUE INDEX `api_tokens_token_hash_key` ON `api_tokens` (`token_hash`);
-- create "agenda_items" table
CREATE TABLE `agenda_items` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL DEFAULT ('TALK'), `title` text NOT NULL, `description` text NULL, `speaker_name` text NULL, `starts_at` datetime NOT NULL, `duration_minutes` integer NOT NULL, `track` text NOT NULL DEFAULT ('main'), `speaker_id` text NULL, `event_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `agenda_items_users_speaker` FOREIGN KEY (`speaker_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `agenda_items_events_agenda_items` FOREIGN KEY (`event_id`) REFERENCES `events` (`id`) ON DELETE NO ACTION);
-- create index "agendaitem_event_id_starts_at" to table: "agenda_items"
CREATE INDEX `agendaitem_event_id_starts_at` ON `agenda_items` (`event_id`, `starts_at`);
-- create "applications" table
CREATE TABLE `applications` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `status` text NOT NULL DEFAULT ('SUBMITTED'), `answers` json NOT NULL, `screening` json NULL, `checklist` json NULL, `unresolved_conflicts` integer NOT NULL DEFAULT (0), `objection_deadline` datetime NULL, `decision_reason` text NULL, `decided_at` datetime NULL, `region_id` text NULL, `reviewer_id` text NULL, `mentor_id` text NULL, `decided_by_id` text NULL, `community_id` text NOT NULL, `group_id` text NULL, `applicant_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `applications_regions_region` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL, CONSTRAINT `applications_users_reviewer` FOREIGN KEY (`reviewer_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `applications_users_mentor` FOREIGN KEY (`mentor_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `applications_users_decided_by` FOREIGN KEY (`decided_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `applications_communities_applications` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `applications_groups_applications` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `applications_users_applications` FOREIGN KEY (`applicant_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "application_community_id_status_kind_created_at" to table: "applications"
CREATE INDEX `application_community_id_status_kind_created_at` ON `applications` (`community_id`, `status`, `kind`, `created_at`);
-- create index "application_applicant_id_status" to table: "applications"
CREATE INDEX `application_applicant_id_status` ON `applications` (`applicant_id`, `status`);
-- create index "application_group_id_kind_status" to table: "applications"
CREATE INDEX `application_group_id_kind_status` ON `applications` (`group_id`, `kind`, `status`);
-- create "awards" table
CREATE TABLE `awards` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `year` integer NOT NULL, `title` text NOT NULL, `rank` integer NOT NULL, `citation` text NULL, `group_id` text NULL, `community_id` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `awards_groups_group` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `awards_communities_awards` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `awards_users_awards` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "award_community_id_year_title_user_id" to table: "awards"
CREATE UNIQUE INDEX `award_community_id_year_title_user_id` ON `awards` (`community_id`, `year`, `title`, `user_id`);
-- create "candidates" table
CREATE TABLE `candidates` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `status` text NOT NULL DEFAULT ('NOMINATED'), `statement` text NULL, `votes` integer NOT NULL DEFAULT (0), `elected` bool NOT NULL DEFAULT (false), `user_id` text NOT NULL, `nominated_by_id` text NOT NULL, `election_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `candidates_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `candidates_users_nominated_by` FOREIGN KEY (`nominated_by_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `candidates_elections_candidates` FOREIGN KEY (`election_id`) REFERENCES `elections` (`id`) ON DELETE NO ACTION);
-- create index "candidate_election_id_user_id" to table: "candidates"
CREATE UNIQUE INDEX `candidate_election_id_user_id` ON `candidates` (`election_id`, `user_id`);
-- create "changes" table
CREATE TABLE `changes` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `community_id` text NULL, `group_id` text NULL, `topic` text NOT NULL, `node_type` text NOT NULL, `node_id` text NOT NULL, `op` text NOT NULL, `actor_id` text NULL, `created_at` datetime NOT NULL);
-- create index "change_community_id_id" to table: "changes"
CREATE INDEX `change_community_id_id` ON `changes` (`community_id`, `id`);
-- create index "change_group_id_id" to table: "changes"
CREATE INDEX `change_group_id_id` ON `changes` (`group_id`, `id`);
-- create index "change_node_id" to table: "changes"
CREATE INDEX `change_node_id` ON `changes` (`node_id`);
-- create "communities" table
CREATE TABLE `communities` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `slug` text NOT NULL, `description` text NULL, `website_url` text NULL, `code_of_conduct_url` text NULL, `forum_url` text NULL, `ambassadors_list_email` text NULL, `policy` json NOT NULL, PRIMARY KEY (`id`));
-- create index "communities_name_key" to table: "communities"
CREATE UNIQUE INDEX `communities_name_key` ON `communities` (`name`);
-- create index "communities_slug_key" to table: "communities"
CREATE UNIQUE INDEX `communities_slug_key` ON `communities` (`slug`);
-- create "contacts" table
CREATE TABLE `contacts` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `contacts_users_contact` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "contacts_email_key" to table: "contacts"
CREATE UNIQUE INDEX `contacts_email_key` ON `contacts` (`email`);
-- create index "contacts_user_id_key" to table: "contacts"
CREATE UNIQUE INDEX `contacts_user_id_key` ON `contacts` (`user_id`);
-- create "contributions" table
CREATE TABLE `contributions` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `title` text NOT NULL, `url` text NULL, `occurred_on` datetime NOT NULL, `verified_at` datetime NULL, `community_id` text NOT NULL, `verified_by_id` text NULL, `group_id` text NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `contributions_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `contributions_users_verified_by` FOREIGN KEY (`verified_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `contributions_groups_contributions` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `contributions_users_contributions` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "contribution_user_id_occurred_on" to table: "contributions"
CREATE INDEX `contribution_user_id_occurred_on` ON `contributions` (`user_id`, `occurred_on`);
-- create index "contribution_community_id_kind_occurred_on" to table: "contributions"
CREATE INDEX `contribution_community_id_kind_occurred_on` ON `contributions` (`community_id`, `kind`, `occurred_on`);
-- create index "contribution_group_id_occurred_on" to table: "contributions"
CREATE INDEX `contribution_group_id_occurred_on` ON `contributions` (`group_id`, `occurred_on`);
-- create "elections" table
CREATE TABLE `elections` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `seats` integer NOT NULL DEFAULT (1), `status` text NOT NULL DEFAULT ('OPEN'), `nominations_close_at` datetime NOT NULL, `voting_closes_at` datetime NOT NULL, `term_starts_at` datetime NOT NULL, `term_number` integer NOT NULL, `turnout` integer NULL, `decided_at` datetime NULL, `note` text NULL, `community_id` text NOT NULL, `opened_by_id` text NOT NULL, `group_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `elections_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `elections_users_opened_by` FOREIGN KEY (`opened_by_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `elections_groups_elections` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE NO ACTION);
-- create index "election_group_id_kind_status" to table: "elections"
CREATE INDEX `election_group_id_kind_status` ON `elections` (`group_id`, `kind`, `status`);
-- create index "election_status_voting_closes_at" to table: "elections"
CREATE INDEX `election_status_voting_closes_at` ON `elections` (`status`, `voting_closes_at`);
-- create index "election_status_term_starts_at" to table: "elections"
CREATE INDEX `election_status_term_starts_at` ON `elections` (`status`, `term_starts_at`);
-- create "events" table
CREATE TABLE `events` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `community_id` text NULL, `kind` text NOT NULL DEFAULT ('MEETUP'), `title` text NOT NULL, `description` text NULL, `starts_at` datetime NOT NULL, `ends_at` datetime NOT NULL, `time_zone` text NOT NULL, `venue_name` text NULL, `venue_address` text NULL, `latitude` real NULL, `longitude` real NULL, `online_url` text NULL, `capacity` integer NULL, `visibility` text NOT NULL DEFAULT ('PUBLIC'), `status` text NOT NULL DEFAULT ('DRAFT'), `going_count` integer NOT NULL DEFAULT (0), `waitlist_count` integer NOT NULL DEFAULT (0), `attended_count` integer NOT NULL DEFAULT (0), `cancel_reason` text NULL, `group_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `events_groups_events` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE NO ACTION);
-- create index "event_group_id_starts_at" to table: "events"
CREATE INDEX `event_group_id_starts_at` ON `events` (`group_id`, `starts_at`);
-- create index "event_status_starts_at" to table: "events"
CREATE INDEX `event_status_starts_at` ON `events` (`status`, `starts_at`);
-- create "groups" table
CREATE TABLE `groups` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `slug` text NOT NULL, `city` text NOT NULL, `country` text NOT NULL, `latitude` real NULL, `longitude` real NULL, `description` text NULL, `website_url` text NULL, `meetup_url` text NULL, `chat_url` text NULL, `logo_url` text NULL, `status` text NOT NULL DEFAULT ('PROPOSED'), `official_since` datetime NULL, `community_id` text NOT NULL, `mentor_id` text NULL, `region_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `groups_communities_groups` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `groups_users_mentor` FOREIGN KEY (`mentor_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `groups_regions_groups` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL);
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
-- create "invites" table
CREATE TABLE `invites` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `code` text NOT NULL, `expires_at` datetime NOT NULL, `max_uses` integer NOT NULL, `uses` integer NOT NULL DEFAULT (0), `revoked_at` datetime NULL, `group_id` text NOT NULL, `created_by_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `invites_groups_invites` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE NO ACTION, CONSTRAINT `invites_users_created_by` FOREIGN KEY (`created_by_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "invites_code_key" to table: "invites"
CREATE UNIQUE INDEX `invites_code_key` ON `invites` (`code`);
-- create "messages" table
CREATE TABLE `messages` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `to_address` text NULL, `template` text NOT NULL, `subject` text NOT NULL, `body` text NOT NULL, `status` text NOT NULL DEFAULT ('PENDING'), `attempts` integer NOT NULL DEFAULT (0), `send_after` datetime NULL, `sent_at` datetime NULL, `last_error` text NULL, `dedupe_key` text NULL, `community_id` text NULL, `recipient_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `messages_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE SET NULL, CONSTRAINT `messages_users_recipient` FOREIGN KEY (`recipient_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "messages_dedupe_key_key" to table: "messages"
CREATE UNIQUE INDEX `messages_dedupe_key_key` ON `messages` (`dedupe_key`);
-- create index "message_status_send_after" to table: "messages"
CREATE INDEX `message_status_send_after` ON `messages` (`status`, `send_after`);
-- create "organizations" table
CREATE TABLE `organizations` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `slug` text NOT NULL, `website_url` text NULL, `country` text NULL, `description` text NULL, PRIMARY KEY (`id`));
-- create index "organizations_name_key" to table: "organizations"
CREATE UNIQUE INDEX `organizations_name_key` ON `organizations` (`name`);
-- create index "organizations_slug_key" to table: "organizations"
CREATE UNIQUE INDEX `organizations_slug_key` ON `organizations` (`slug`);
-- create "regions" table
CREATE TABLE `regions` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `slug` text NOT NULL, `countries` json NOT NULL, `description` text NULL, `community_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `regions_communities_regions` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION);
-- create index "region_community_id_slug" to table: "regions"
CREATE UNIQUE INDEX `region_community_id_slug` ON `regions` (`community_id`, `slug`);
-- create "registrations" table
CREATE TABLE `registrations` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `status` text NOT NULL DEFAULT ('GOING'), `check_in_code` text NOT NULL, `checked_in_at` datetime NULL, `cancelled_at` datetime NULL, `queued_at` datetime NOT NULL, `event_id` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `registrations_events_registrations` FOREIGN KEY (`event_id`) REFERENCES `events` (`id`) ON DELETE NO ACTION, CONSTRAINT `registrations_users_registrations` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "registrations_check_in_code_key" to table: "registrations"
CREATE UNIQUE INDEX `registrations_check_in_code_key` ON `registrations` (`check_in_code`);
-- create index "registration_event_id_user_id" to table: "registrations"
CREATE UNIQUE INDEX `registration_event_id_user_id` ON `registrations` (`event_id`, `user_id`);
-- create index "registration_event_id_status_queued_at" to table: "registrations"
CREATE INDEX `registration_event_id_status_queued_at` ON `registrations` (`event_id`, `status`, `queued_at`);
-- create index "registration_user_id" to table: "registrations"
CREATE INDEX `registration_user_id` ON `registrations` (`user_id`);
-- create "reports" table
CREATE TABLE `reports` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `description` text NOT NULL, `status` text NOT NULL DEFAULT ('OPEN'), `resolution` text NULL, `community_id` text NOT NULL, `reporter_id` text NOT NULL, `subject_user_id` text NULL, `group_id` text NULL, `event_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `reports_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `reports_users_reporter` FOREIGN KEY (`reporter_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `reports_users_subject_user` FOREIGN KEY (`subject_user_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `reports_groups_group` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `reports_events_event` FOREIGN KEY (`event_id`) REFERENCES `events` (`id`) ON DELETE SET NULL);
-- create index "report_community_id_status_created_at" to table: "reports"
CREATE INDEX `report_community_id_status_created_at` ON `reports` (`community_id`, `status`, `created_at`);
-- create index "report_reporter_id" to table: "reports"
CREATE INDEX `report_reporter_id` ON `reports` (`reporter_id`);
-- create "reviews" table
CREATE TABLE `reviews` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `body` text NULL, `from_status` text NULL, `to_status` text NULL, `resolved_at` datetime NULL, `application_id` text NOT NULL, `author_id` text NULL, `resolved_by_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `reviews_applications_reviews` FOREIGN KEY (`application_id`) REFERENCES `applications` (`id`) ON DELETE NO ACTION, CONSTRAINT `reviews_users_author` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `reviews_users_resolved_by` FOREIGN KEY (`resolved_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "review_application_id_created_at" to table: "reviews"
CREATE INDEX `review_application_id_created_at` ON `reviews` (`application_id`, `created_at`);
-- create "roles" table
CREATE TABLE `roles` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `status` text NOT NULL DEFAULT ('ACTIVE'), `scope_key` text NOT NULL, `term_start` datetime NULL, `term_end` datetime NULL, `term_number` integer NOT NULL DEFAULT (1), `ended_at` datetime NULL, `end_reason` text NULL, `community_id` text NULL, `group_id` text NULL, `region_id` text NULL, `home_group_id` text NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `roles_communities_roles` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE SET NULL, CONSTRAINT `roles_groups_roles` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `roles_regions_roles` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL, CONSTRAINT `roles_groups_home_group` FOREIGN KEY (`home_group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `roles_users_roles` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
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
-- create "shipping_addresses" table
CREATE TABLE `shipping_addresses` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `recipient_name` text NOT NULL, `address` text NOT NULL, `phone` text NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `shipping_addresses_users_shipping_address` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "shipping_addresses_user_id_key" to table: "shipping_addresses"
CREATE UNIQUE INDEX `shipping_addresses_user_id_key` ON `shipping_addresses` (`user_id`);
-- create "sponsors" table
CREATE TABLE `sponsors` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `website_url` text NULL, `logo_url` text NULL, `covers` text NULL, `pitch_minutes` integer NOT NULL DEFAULT (0), `event_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `sponsors_events_sponsors` FOREIGN KEY (`event_id`) REFERENCES `events` (`id`) ON DELETE NO ACTION);
-- create "submissions" table
CREATE TABLE `submissions` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `title` text NOT NULL, `body` text NOT NULL, `status` text NOT NULL DEFAULT ('SUBMITTED'), `community_id` text NOT NULL, `author_id` text NOT NULL, `group_id` text NULL, `region_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `submissions_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `submissions_users_author` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `submissions_groups_group` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `submissions_regions_region` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL);
-- create index "submission_community_id_kind_created_at" to table: "submissions"
CREATE INDEX `submission_community_id_kind_created_at` ON `submissions` (`community_id`, `kind`, `created_at`);
-- create "users" table
CREATE TABLE `users` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `handle` text NOT NULL, `name` text NOT NULL, `bio` text NULL, `city` text NULL, `country` text NULL, `affiliation` text NULL, `avatar_url` text NULL, `oidc_issuer` text NULL, `oidc_subject` text NULL, `organization_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `users_organizations_members` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE SET NULL);
-- create index "users_handle_key" to table: "users"
CREATE UNIQUE INDEX `users_handle_key` ON `users` (`handle`);
-- create index "user_oidc_issuer_oidc_subject" to table: "users"
CREATE UNIQUE INDEX `user_oidc_issuer_oidc_subject` ON `users` (`oidc_issuer`, `oidc_subject`);
-- create index "user_organization_id" to table: "users"
CREATE INDEX `user_organization_id` ON `users` (`organization_id`);
-- create "voters" table
CREATE TABLE `voters` (`id` text NOT NULL, `election_id` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `voters_elections_election` FOREIGN KEY (`election_id`) REFERENCES `elections` (`id`) ON DELETE NO ACTION, CONSTRAINT `voters_users_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "voter_election_id_user_id" to table: "voters"
CREATE UNIQUE INDEX `voter_election_id_user_id` ON `voters` (`election_id`, `user_id`);
-- create "application_supporters" table
CREATE TABLE `application_supporters` (`application_id` text NOT NULL, `user_id` text NOT NULL, PRIMARY KEY (`application_id`, `user_id`), CONSTRAINT `application_supporters_application_id` FOREIGN KEY (`application_id`) REFERENCES `applications` (`id`) ON DELETE CASCADE, CONSTRAINT `application_supporters_user_id` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- create "organization_partner_of" table
CREATE TABLE `organization_partner_of` (`organization_id` text NOT NULL, `community_id` text NOT NULL, PRIMARY KEY (`organization_id`, `community_id`), CONSTRAINT `organization_partner_of_organization_id` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE CASCADE, CONSTRAINT `organization_partner_of_community_id` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE CASCADE);

-- +goose Down
-- reverse: create "organization_partner_of" table
DROP TABLE `organization_partner_of`;
-- reverse: create "application_supporters" table
DROP TABLE `application_supporters`;
-- reverse: create index "voter_election_id_user_id" to table: "voters"
DROP INDEX `voter_election_id_user_id`;
-- reverse: create "voters" table
DROP TABLE `voters`;
-- reverse: create index "user_organization_id" to table: "users"
DROP INDEX `user_organization_id`;
-- reverse: create index "user_oidc_issuer_oidc_subject" to table: "users"
DROP INDEX `user_oidc_issuer_oidc_subject`;
-- reverse: create index "users_handle_key" to table: "users"
DROP INDEX `users_handle_key`;
-- reverse: create "users" table
DROP TABLE `users`;
-- reverse: create index "submission_community_id_kind_created_at" to table: "submissions"
DROP INDEX `submission_community_id_kind_created_at`;
-- reverse: create "submissions" table
DROP TABLE `submissions`;
-- reverse: create "sponsors" table
DROP TABLE `sponsors`;
-- reverse: create index "shipping_addresses_user_id_key" to table: "shipping_addresses"
DROP INDEX `shipping_addresses_user_id_key`;
-- reverse: create "shipping_addresses" table
DROP TABLE `shipping_addresses`;
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
-- reverse: create "roles" table
DROP TABLE `roles`;
-- reverse: create index "review_application_id_created_at" to table: "reviews"
DROP INDEX `review_application_id_created_at`;
-- reverse: create "reviews" table
DROP TABLE `reviews`;
-- reverse: create index "report_reporter_id" to table: "reports"
DROP INDEX `report_reporter_id`;
-- reverse: create index "report_community_id_status_created_at" to table: "reports"
DROP INDEX `report_community_id_status_created_at`;
-- reverse: create "reports" table
DROP TABLE `reports`;
-- reverse: create index "registration_user_id" to table: "registrations"
DROP INDEX `registration_user_id`;
-- reverse: create index "registration_event_id_status_queued_at" to table: "registrations"
DROP INDEX `registration_event_id_status_queued_at`;
-- reverse: create index "registration_event_id_user_id" to table: "registrations"
DROP INDEX `registration_event_id_user_id`;
-- reverse: create index "registrations_check_in_code_key" to table: "registrations"
DROP INDEX `registrations_check_in_code_key`;
-- reverse: create "registrations" table
DROP TABLE `registrations`;
-- reverse: create index "region_community_id_slug" to table: "regions"
DROP INDEX `region_community_id_slug`;
-- reverse: create "regions" table
DROP TABLE `regions`;
-- reverse: create index "organizations_slug_key" to table: "organizations"
DROP INDEX `organizations_slug_key`;
-- reverse: create index "organizations_name_key" to table: "organizations"
DROP INDEX `organizations_name_key`;
-- reverse: create "organizations" table
DROP TABLE `organizations`;
-- reverse: create index "message_status_send_after" to table: "messages"
DROP INDEX `message_status_send_after`;
-- reverse: create index "messages_dedupe_key_key" to table: "messages"
DROP INDEX `messages_dedupe_key_key`;
-- reverse: create "messages" table
DROP TABLE `messages`;
-- reverse: create index "invites_code_key" to table: "invites"
DROP INDEX `invites_code_key`;
-- reverse: create "invites" table
DROP TABLE `invites`;
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
-- reverse: create "groups" table
DROP TABLE `groups`;
-- reverse: create index "event_status_starts_at" to table: "events"
DROP INDEX `event_status_starts_at`;
-- reverse: create index "event_group_id_starts_at" to table: "events"
DROP INDEX `event_group_id_starts_at`;
-- reverse: create "events" table
DROP TABLE `events`;
-- reverse: create index "election_status_term_starts_at" to table: "elections"
DROP INDEX `election_status_term_starts_at`;
-- reverse: create index "election_status_voting_closes_at" to table: "elections"
DROP INDEX `election_status_voting_closes_at`;
-- reverse: create index "election_group_id_kind_status" to table: "elections"
DROP INDEX `election_group_id_kind_status`;
-- reverse: create "elections" table
DROP TABLE `elections`;
-- reverse: create index "contribution_group_id_occurred_on" to table: "contributions"
DROP INDEX `contribution_group_id_occurred_on`;
-- reverse: create index "contribution_community_id_kind_occurred_on" to table: "contributions"
DROP INDEX `contribution_community_id_kind_occurred_on`;
-- reverse: create index "contribution_user_id_occurred_on" to table: "contributions"
DROP INDEX `contribution_user_id_occurred_on`;
-- reverse: create "contributions" table
DROP TABLE `contributions`;
-- reverse: create index "contacts_user_id_key" to table: "contacts"
DROP INDEX `contacts_user_id_key`;
-- reverse: create index "contacts_email_key" to table: "contacts"
DROP INDEX `contacts_email_key`;
-- reverse: create "contacts" table
DROP TABLE `contacts`;
-- reverse: create index "communities_slug_key" to table: "communities"
DROP INDEX `communities_slug_key`;
-- reverse: create index "communities_name_key" to table: "communities"
DROP INDEX `communities_name_key`;
-- reverse: create "communities" table
DROP TABLE `communities`;
-- reverse: create index "change_node_id" to table: "changes"
DROP INDEX `change_node_id`;
-- reverse: create index "change_group_id_id" to table: "changes"
DROP INDEX `change_group_id_id`;
-- reverse: create index "change_community_id_id" to table: "changes"
DROP INDEX `change_community_id_id`;
-- reverse: create "changes" table
DROP TABLE `changes`;
-- reverse: create index "candidate_election_id_user_id" to table: "candidates"
DROP INDEX `candidate_election_id_user_id`;
-- reverse: create "candidates" table
DROP TABLE `candidates`;
-- reverse: create index "award_community_id_year_title_user_id" to table: "awards"
DROP INDEX `award_community_id_year_title_user_id`;
-- reverse: create "awards" table
DROP TABLE `awards`;
-- reverse: create index "application_group_id_kind_status" to table: "applications"
DROP INDEX `application_group_id_kind_status`;
-- reverse: create index "application_applicant_id_status" to table: "applications"
DROP INDEX `application_applicant_id_status`;
-- reverse: create index "application_community_id_status_kind_created_at" to table: "applications"
DROP INDEX `application_community_id_status_kind_created_at`;
-- reverse: create "applications" table
DROP TABLE `applications`;
-- reverse: create index "agendaitem_event_id_starts_at" to table: "agenda_items"
DROP INDEX `agendaitem_event_id_starts_at`;
-- reverse: create "agenda_items" table
DROP TABLE `agenda_items`;
-- reverse: create index "api_tokens_token_hash_key" to table: "api_tokens"
DROP INDEX `api_tokens_token_hash_key`;
-- reverse: create "api_tokens" table
DROP TABLE `api_tokens`;
