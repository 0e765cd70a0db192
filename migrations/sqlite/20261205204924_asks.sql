-- +goose Up
-- disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- create "new_applications" table
CREATE TABLE `new_applications` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `status` text NOT NULL DEFAULT ('SUBMITTED'), `answers` json NOT NULL, `screening` json NULL, `checklist` json NULL, `unresolved_conflicts` integer NOT NULL DEFAULT (0), `objection_deadline` datetime NULL, `decision_reason` text NULL, `decided_at` datetime NULL, `funding_report` json NULL, `closed_at` datetime NULL, `region_id` text NULL, `reviewer_id` text NULL, `mentor_id` text NULL, `decided_by_id` text NULL, `closed_by_id` text NULL, `community_id` text NOT NULL, `group_id` text NULL, `applicant_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `applications_regions_region` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL, CONSTRAINT `applications_users_reviewer` FOREIGN KEY (`reviewer_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `applications_users_mentor` FOREIGN KEY (`mentor_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `applications_users_decided_by` FOREIGN KEY (`decided_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `applications_users_closed_by` FOREIGN KEY (`closed_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `applications_communities_applications` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `applications_groups_applications` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `applications_users_applications` FOREIGN KEY (`applicant_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- copy rows from old table "applications" to new temporary table "new_applications"
INSERT INTO `new_applications` (`id`, `created_at`, `updated_at`, `kind`, `status`, `answers`, `screening`, `checklist`, `unresolved_conflicts`, `objection_deadline`, `decision_reason`, `decided_at`, `region_id`, `reviewer_id`, `mentor_id`, `decided_by_id`, `community_id`, `group_id`, `applicant_id`) SELECT `id`, `created_at`, `updated_at`, `kind`, `status`, `answers`, `screening`, `checklist`, `unresolved_conflicts`, `objection_deadline`, `decision_reason`, `decided_at`, `region_id`, `reviewer_id`, `mentor_id`, `decided_by_id`, `community_id`, `group_id`, `applicant_id` FROM `applications`;
-- drop "applications" table after copying rows
DROP TABLE `applications`;
-- rename temporary table "new_applications" to "applications"
ALTER TABLE `new_applications` RENAME TO `applications`;
-- create index "application_community_id_status_kind_created_at" to table: "applications"
CREATE INDEX `application_community_id_status_kind_created_at` ON `applications` (`community_id`, `status`, `kind`, `created_at`);
-- create index "application_applicant_id_status" to table: "applications"
CREATE INDEX `application_applicant_id_status` ON `applications` (`applicant_id`, `status`);
-- create index "application_group_id_kind_status" to table: "applications"
CREATE INDEX `application_group_id_kind_status` ON `applications` (`group_id`, `kind`, `status`);
-- create "new_reports" table
CREATE TABLE `new_reports` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `description` text NOT NULL, `occurred_at` datetime NULL, `status` text NOT NULL DEFAULT ('RECEIVED'), `respond_by` datetime NULL, `responded_at` datetime NULL, `closed_at` datetime NULL, `resolution` text NULL, `follow_up_code_hash` text NULL, `source_hash` text NULL, `community_id` text NOT NULL, `reporter_id` text NULL, `subject_user_id` text NULL, `group_id` text NULL, `event_id` text NULL, `contact_message_id` text NULL, `closed_by_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `reports_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `reports_users_reporter` FOREIGN KEY (`reporter_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `reports_users_subject_user` FOREIGN KEY (`subject_user_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `reports_groups_group` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `reports_events_event` FOREIGN KEY (`event_id`) REFERENCES `events` (`id`) ON DELETE SET NULL, CONSTRAINT `reports_contact_messages_contact_message` FOREIGN KEY (`contact_message_id`) REFERENCES `contact_messages` (`id`) ON DELETE SET NULL, CONSTRAINT `reports_users_closed_by` FOREIGN KEY (`closed_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- copy rows from old table "reports" to new temporary table "new_reports"
INSERT INTO `new_reports` (`id`, `created_at`, `updated_at`, `kind`, `description`, `status`, `resolution`, `community_id`, `reporter_id`, `subject_user_id`, `group_id`, `event_id`) SELECT `id`, `created_at`, `updated_at`, `kind`, `description`, IFNULL(`status`, ('RECEIVED')) AS `status`, `resolution`, `community_id`, `reporter_id`, `subject_user_id`, `group_id`, `event_id` FROM `reports`;
-- drop "reports" table after copying rows
DROP TABLE `reports`;
-- rename temporary table "new_reports" to "reports"
ALTER TABLE `new_reports` RENAME TO `reports`;
-- create index "reports_follow_up_code_hash_key" to table: "reports"
CREATE UNIQUE INDEX `reports_follow_up_code_hash_key` ON `reports` (`follow_up_code_hash`);
-- create index "report_community_id_status_created_at" to table: "reports"
CREATE INDEX `report_community_id_status_created_at` ON `reports` (`community_id`, `status`, `created_at`);
-- create index "report_reporter_id" to table: "reports"
CREATE INDEX `report_reporter_id` ON `reports` (`reporter_id`);
-- create index "report_source_hash_created_at" to table: "reports"
CREATE INDEX `report_source_hash_created_at` ON `reports` (`source_hash`, `created_at`);
-- create "new_submissions" table
CREATE TABLE `new_submissions` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `title` text NOT NULL, `body` text NOT NULL, `status` text NOT NULL DEFAULT ('SUBMITTED'), `project_area` text NULL, `links` json NULL, `newsletter_issue` text NULL, `newsletter_position` integer NULL, `events_count` integer NULL, `attendees_count` integer NULL, `new_members_count` integer NULL, `decline_reason` text NULL, `decided_at` datetime NULL, `forwarded_at` datetime NULL, `delivered_at` datetime NULL, `request_id` text NULL, `community_id` text NOT NULL, `author_id` text NOT NULL, `group_id` text NULL, `region_id` text NULL, `event_id` text NULL, `decided_by_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `submissions_activity_requests_answers` FOREIGN KEY (`request_id`) REFERENCES `activity_requests` (`id`) ON DELETE SET NULL, CONSTRAINT `submissions_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `submissions_users_author` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `submissions_groups_group` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `submissions_regions_region` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL, CONSTRAINT `submissions_events_event` FOREIGN KEY (`event_id`) REFERENCES `events` (`id`) ON DELETE SET NULL, CONSTRAINT `submissions_users_decided_by` FOREIGN KEY (`decided_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- copy rows from old table "submissions" to new temporary table "new_submissions"
INSERT INTO `new_submissions` (`id`, `created_at`, `updated_at`, `kind`, `title`, `body`, `status`, `community_id`, `author_id`, `group_id`, `region_id`) SELECT `id`, `created_at`, `updated_at`, `kind`, `title`, `body`, `status`, `community_id`, `author_id`, `group_id`, `region_id` FROM `submissions`;
-- drop "submissions" table after copying rows
DROP TABLE `submissions`;
-- rename temporary table "new_submissions" to "submissions"
ALTER TABLE `new_submissions` RENAME TO `submissions`;
-- create index "submission_community_id_kind_created_at" to table: "submissions"
CREATE INDEX `submission_community_id_kind_created_at` ON `submissions` (`community_id`, `kind`, `created_at`);
-- create index "submission_community_id_newsletter_issue_newsletter_position" to table: "submissions"
CREATE UNIQUE INDEX `submission_community_id_newsletter_issue_newsletter_position` ON `submissions` (`community_id`, `newsletter_issue`, `newsletter_position`);
-- create index "submission_request_id_group_id" to table: "submissions"
CREATE UNIQUE INDEX `submission_request_id_group_id` ON `submissions` (`request_id`, `group_id`);
-- create "new_roles" table
CREATE TABLE `new_roles` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `kind` text NOT NULL, `status` text NOT NULL DEFAULT ('ACTIVE'), `scope_key` text NOT NULL, `term_start` datetime NULL, `term_end` datetime NULL, `term_number` integer NOT NULL DEFAULT (1), `obligation_started_at` datetime NULL, `obligation_due_at` datetime NULL, `ended_at` datetime NULL, `end_reason` text NULL, `community_id` text NULL, `group_id` text NULL, `region_id` text NULL, `home_group_id` text NULL, `report_id` text NULL, `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `roles_communities_roles` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE SET NULL, CONSTRAINT `roles_groups_roles` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `roles_regions_roles` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL, CONSTRAINT `roles_groups_home_group` FOREIGN KEY (`home_group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `roles_reports_report` FOREIGN KEY (`report_id`) REFERENCES `reports` (`id`) ON DELETE SET NULL, CONSTRAINT `roles_users_roles` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- copy rows from old table "roles" to new temporary table "new_roles"
INSERT INTO `new_roles` (`id`, `created_at`, `updated_at`, `kind`, `status`, `scope_key`, `term_start`, `term_end`, `term_number`, `obligation_started_at`, `obligation_due_at`, `ended_at`, `end_reason`, `community_id`, `group_id`, `region_id`, `home_group_id`, `user_id`) SELECT `id`, `created_at`, `updated_at`, `kind`, `status`, `scope_key`, `term_start`, `term_end`, `term_number`, `obligation_started_at`, `obligation_due_at`, `ended_at`, `end_reason`, `community_id`, `group_id`, `region_id`, `home_group_id`, `user_id` FROM `roles`;
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
-- create "activity_requests" table
CREATE TABLE `activity_requests` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `title` text NOT NULL, `message` text NULL, `period_start` datetime NOT NULL, `period_end` datetime NOT NULL, `due_at` datetime NOT NULL, `community_id` text NOT NULL, `region_id` text NOT NULL, `requested_by_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `activity_requests_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `activity_requests_regions_region` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`) ON DELETE NO ACTION, CONSTRAINT `activity_requests_users_requested_by` FOREIGN KEY (`requested_by_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "activityrequest_region_id_due_at" to table: "activity_requests"
CREATE INDEX `activityrequest_region_id_due_at` ON `activity_requests` (`region_id`, `due_at`);
-- create index "activityrequest_community_id_due_at" to table: "activity_requests"
CREATE INDEX `activityrequest_community_id_due_at` ON `activity_requests` (`community_id`, `due_at`);
-- create "contact_messages" table
CREATE TABLE `contact_messages` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `body` text NOT NULL, `author_id` text NOT NULL, `thread_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `contact_messages_users_author` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `contact_messages_contact_threads_messages` FOREIGN KEY (`thread_id`) REFERENCES `contact_threads` (`id`) ON DELETE NO ACTION);
-- create index "contactmessage_thread_id_created_at" to table: "contact_messages"
CREATE INDEX `contactmessage_thread_id_created_at` ON `contact_messages` (`thread_id`, `created_at`);
-- create index "contactmessage_author_id_created_at" to table: "contact_messages"
CREATE INDEX `contactmessage_author_id_created_at` ON `contact_messages` (`author_id`, `created_at`);
-- create "contact_threads" table
CREATE TABLE `contact_threads` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `subject` text NOT NULL, `revealed_at` datetime NULL, `community_id` text NOT NULL, `sender_id` text NOT NULL, `recipient_id` text NULL, `group_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `contact_threads_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `contact_threads_users_sender` FOREIGN KEY (`sender_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `contact_threads_users_recipient` FOREIGN KEY (`recipient_id`) REFERENCES `users` (`id`) ON DELETE SET NULL, CONSTRAINT `contact_threads_groups_group` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL);
-- create index "contactthread_sender_id_created_at" to table: "contact_threads"
CREATE INDEX `contactthread_sender_id_created_at` ON `contact_threads` (`sender_id`, `created_at`);
-- create index "contactthread_recipient_id" to table: "contact_threads"
CREATE INDEX `contactthread_recipient_id` ON `contact_threads` (`recipient_id`);
-- create index "contactthread_group_id" to table: "contact_threads"
CREATE INDEX `contactthread_group_id` ON `contact_threads` (`group_id`);
-- create "global_efforts" table
CREATE TABLE `global_efforts` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `title` text NOT NULL, `description` text NULL, `url` text NULL, `starts_at` datetime NOT NULL, `ends_at` datetime NOT NULL, `community_id` text NOT NULL, `region_id` text NULL, `announced_by_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `global_efforts_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `global_efforts_regions_region` FOREIGN KEY (`region_id`) REFERENCES `regions` (`id`) ON DELETE SET NULL, CONSTRAINT `global_efforts_users_announced_by` FOREIGN KEY (`announced_by_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "globaleffort_community_id_starts_at" to table: "global_efforts"
CREATE INDEX `globaleffort_community_id_starts_at` ON `global_efforts` (`community_id`, `starts_at`);
-- create "global_effort_participations" table
CREATE TABLE `global_effort_participations` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `effort_id` text NOT NULL, `group_id` text NOT NULL, `opted_in_by_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `global_effort_participations_global_efforts_participations` FOREIGN KEY (`effort_id`) REFERENCES `global_efforts` (`id`) ON DELETE NO ACTION, CONSTRAINT `global_effort_participations_groups_group` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE NO ACTION, CONSTRAINT `global_effort_participations_users_opted_in_by` FOREIGN KEY (`opted_in_by_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- create index "globaleffortparticipation_effort_id_group_id" to table: "global_effort_participations"
CREATE UNIQUE INDEX `globaleffortparticipation_effort_id_group_id` ON `global_effort_participations` (`effort_id`, `group_id`);
-- create index "globaleffortparticipation_group_id" to table: "global_effort_participations"
CREATE INDEX `globaleffortparticipation_group_id` ON `global_effort_participations` (`group_id`);
-- create "report_replies" table
CREATE TABLE `report_replies` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `from_staff` bool NOT NULL, `body` text NOT NULL, `report_id` text NOT NULL, `author_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `report_replies_reports_replies` FOREIGN KEY (`report_id`) REFERENCES `reports` (`id`) ON DELETE NO ACTION, CONSTRAINT `report_replies_users_author` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "reportreply_report_id_created_at" to table: "report_replies"
CREATE INDEX `reportreply_report_id_created_at` ON `report_replies` (`report_id`, `created_at`);
-- create "translation_requests" table
CREATE TABLE `translation_requests` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `title` text NOT NULL, `source_url` text NOT NULL, `source_language` text NOT NULL, `target_languages` json NOT NULL, `due_at` datetime NULL, `status` text NOT NULL DEFAULT ('OPEN'), `delivered_url` text NULL, `taken_at` datetime NULL, `delivered_at` datetime NULL, `done_at` datetime NULL, `community_id` text NOT NULL, `group_id` text NULL, `requested_by_id` text NOT NULL, `volunteer_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `translation_requests_communities_community` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE NO ACTION, CONSTRAINT `translation_requests_groups_group` FOREIGN KEY (`group_id`) REFERENCES `groups` (`id`) ON DELETE SET NULL, CONSTRAINT `translation_requests_users_requested_by` FOREIGN KEY (`requested_by_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION, CONSTRAINT `translation_requests_users_volunteer` FOREIGN KEY (`volunteer_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- create index "translationrequest_community_id_status_created_at" to table: "translation_requests"
CREATE INDEX `translationrequest_community_id_status_created_at` ON `translation_requests` (`community_id`, `status`, `created_at`);
-- enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;

-- Reports move to the triage statuses; a newsletter item once PUBLISHED was accepted.
UPDATE reports SET status = CASE status WHEN 'OPEN' THEN 'RECEIVED' WHEN 'RESOLVED' THEN 'ACTION_TAKEN' WHEN 'DISMISSED' THEN 'NO_ACTION' ELSE status END;
UPDATE submissions SET status = 'ACCEPTED' WHERE status = 'PUBLISHED';

-- +goose Down
-- reverse: the status renames.
UPDATE reports SET status = CASE status WHEN 'RECEIVED' THEN 'OPEN' WHEN 'ACTION_TAKEN' THEN 'RESOLVED' WHEN 'NO_ACTION' THEN 'DISMISSED' ELSE status END;
UPDATE submissions SET status = 'PUBLISHED' WHERE status = 'ACCEPTED';
UPDATE submissions SET status = 'ACKNOWLEDGED' WHERE status NOT IN ('SUBMITTED', 'ACKNOWLEDGED', 'PUBLISHED');
DELETE FROM report_replies WHERE report_id IN (SELECT id FROM reports WHERE reporter_id IS NULL);
UPDATE roles SET report_id = NULL WHERE report_id IN (SELECT id FROM reports WHERE reporter_id IS NULL);
DELETE FROM reports WHERE reporter_id IS NULL;
-- reverse: create index "translationrequest_community_id_status_created_at" to table: "translation_requests"
DROP INDEX `translationrequest_community_id_status_created_at`;
-- reverse: create "translation_requests" table
DROP TABLE `translation_requests`;
-- reverse: create index "reportreply_report_id_created_at" to table: "report_replies"
DROP INDEX `reportreply_report_id_created_at`;
-- reverse: create "report_replies" table
DROP TABLE `report_replies`;
-- reverse: create index "globaleffortparticipation_group_id" to table: "global_effort_participations"
DROP INDEX `globaleffortparticipation_group_id`;
-- reverse: create index "globaleffortparticipation_effort_id_group_id" to table: "global_effort_participations"
DROP INDEX `globaleffortparticipation_effort_id_group_id`;
-- reverse: create "global_effort_participations" table
DROP TABLE `global_effort_participations`;
-- reverse: create index "globaleffort_community_id_starts_at" to table: "global_efforts"
DROP INDEX `globaleffort_community_id_starts_at`;
-- reverse: create "global_efforts" table
DROP TABLE `global_efforts`;
-- reverse: create index "contactthread_group_id" to table: "contact_threads"
DROP INDEX `contactthread_group_id`;
-- reverse: create index "contactthread_recipient_id" to table: "contact_threads"
DROP INDEX `contactthread_recipient_id`;
-- reverse: create index "contactthread_sender_id_created_at" to table: "contact_threads"
DROP INDEX `contactthread_sender_id_created_at`;
-- reverse: create "contact_threads" table
DROP TABLE `contact_threads`;
-- reverse: create index "contactmessage_author_id_created_at" to table: "contact_messages"
DROP INDEX `contactmessage_author_id_created_at`;
-- reverse: create index "contactmessage_thread_id_created_at" to table: "contact_messages"
DROP INDEX `contactmessage_thread_id_created_at`;
-- reverse: create "contact_messages" table
DROP TABLE `contact_messages`;
-- reverse: create index "activityrequest_community_id_due_at" to table: "activity_requests"
DROP INDEX `activityrequest_community_id_due_at`;
-- reverse: create index "activityrequest_region_id_due_at" to table: "activity_requests"
DROP INDEX `activityrequest_region_id_due_at`;
-- reverse: create "activity_requests" table
DROP TABLE `activity_requests`;
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
-- reverse: create index "submission_request_id_group_id" to table: "submissions"
DROP INDEX `submission_request_id_group_id`;
-- reverse: create index "submission_community_id_newsletter_issue_newsletter_position" to table: "submissions"
DROP INDEX `submission_community_id_newsletter_issue_newsletter_position`;
-- reverse: create index "submission_community_id_kind_created_at" to table: "submissions"
DROP INDEX `submission_community_id_kind_created_at`;
-- reverse: create "new_submissions" table
DROP TABLE `new_submissions`;
-- reverse: create index "report_source_hash_created_at" to table: "reports"
DROP INDEX `report_source_hash_created_at`;
-- reverse: create index "report_reporter_id" to table: "reports"
DROP INDEX `report_reporter_id`;
-- reverse: create index "report_community_id_status_created_at" to table: "reports"
DROP INDEX `report_community_id_status_created_at`;
-- reverse: create index "reports_follow_up_code_hash_key" to table: "reports"
DROP INDEX `reports_follow_up_code_hash_key`;
-- reverse: create "new_reports" table
DROP TABLE `new_reports`;
-- reverse: create index "application_group_id_kind_status" to table: "applications"
DROP INDEX `application_group_id_kind_status`;
-- reverse: create index "application_applicant_id_status" to table: "applications"
DROP INDEX `application_applicant_id_status`;
-- reverse: create index "application_community_id_status_kind_created_at" to table: "applications"
DROP INDEX `application_community_id_status_kind_created_at`;
-- reverse: create "new_applications" table
DROP TABLE `new_applications`;
