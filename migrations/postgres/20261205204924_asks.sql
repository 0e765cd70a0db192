-- +goose Up
-- create "activity_requests" table
CREATE TABLE "activity_requests" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "title" character varying NOT NULL, "message" text NULL, "period_start" timestamptz NOT NULL, "period_end" timestamptz NOT NULL, "due_at" timestamptz NOT NULL, "community_id" character varying NOT NULL, "region_id" character varying NOT NULL, "requested_by_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "activity_requests_communities_community" FOREIGN KEY ("community_id") REFERENCES "communities" ("id") ON DELETE NO ACTION, CONSTRAINT "activity_requests_regions_region" FOREIGN KEY ("region_id") REFERENCES "regions" ("id") ON DELETE NO ACTION, CONSTRAINT "activity_requests_users_requested_by" FOREIGN KEY ("requested_by_id") REFERENCES "users" ("id") ON DELETE NO ACTION);
-- create index "activityrequest_region_id_due_at" to table: "activity_requests"
CREATE INDEX "activityrequest_region_id_due_at" ON "activity_requests" ("region_id", "due_at");
-- create index "activityrequest_community_id_due_at" to table: "activity_requests"
CREATE INDEX "activityrequest_community_id_due_at" ON "activity_requests" ("community_id", "due_at");
-- modify "applications" table
ALTER TABLE "applications" ADD COLUMN "funding_report" jsonb NULL, ADD COLUMN "closed_at" timestamptz NULL, ADD COLUMN "closed_by_id" character varying NULL, ADD CONSTRAINT "applications_users_closed_by" FOREIGN KEY ("closed_by_id") REFERENCES "users" ("id") ON DELETE SET NULL;
-- create "contact_threads" table
CREATE TABLE "contact_threads" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "subject" character varying NOT NULL, "revealed_at" timestamptz NULL, "community_id" character varying NOT NULL, "sender_id" character varying NOT NULL, "recipient_id" character varying NULL, "group_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "contact_threads_communities_community" FOREIGN KEY ("community_id") REFERENCES "communities" ("id") ON DELETE NO ACTION, CONSTRAINT "contact_threads_users_sender" FOREIGN KEY ("sender_id") REFERENCES "users" ("id") ON DELETE NO ACTION, CONSTRAINT "contact_threads_users_recipient" FOREIGN KEY ("recipient_id") REFERENCES "users" ("id") ON DELETE SET NULL, CONSTRAINT "contact_threads_groups_group" FOREIGN KEY ("group_id") REFERENCES "groups" ("id") ON DELETE SET NULL);
-- create index "contactthread_sender_id_created_at" to table: "contact_threads"
CREATE INDEX "contactthread_sender_id_created_at" ON "contact_threads" ("sender_id", "created_at");
-- create index "contactthread_recipient_id" to table: "contact_threads"
CREATE INDEX "contactthread_recipient_id" ON "contact_threads" ("recipient_id");
-- create index "contactthread_group_id" to table: "contact_threads"
CREATE INDEX "contactthread_group_id" ON "contact_threads" ("group_id");
-- create "contact_messages" table
CREATE TABLE "contact_messages" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "body" text NOT NULL, "author_id" character varying NOT NULL, "thread_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "contact_messages_users_author" FOREIGN KEY ("author_id") REFERENCES "users" ("id") ON DELETE NO ACTION, CONSTRAINT "contact_messages_contact_threads_messages" FOREIGN KEY ("thread_id") REFERENCES "contact_threads" ("id") ON DELETE NO ACTION);
-- create index "contactmessage_thread_id_created_at" to table: "contact_messages"
CREATE INDEX "contactmessage_thread_id_created_at" ON "contact_messages" ("thread_id", "created_at");
-- create index "contactmessage_author_id_created_at" to table: "contact_messages"
CREATE INDEX "contactmessage_author_id_created_at" ON "contact_messages" ("author_id", "created_at");
-- create "global_efforts" table
CREATE TABLE "global_efforts" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "title" character varying NOT NULL, "description" text NULL, "url" character varying NULL, "starts_at" timestamptz NOT NULL, "ends_at" timestamptz NOT NULL, "community_id" character varying NOT NULL, "region_id" character varying NULL, "announced_by_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "global_efforts_communities_community" FOREIGN KEY ("community_id") REFERENCES "communities" ("id") ON DELETE NO ACTION, CONSTRAINT "global_efforts_regions_region" FOREIGN KEY ("region_id") REFERENCES "regions" ("id") ON DELETE SET NULL, CONSTRAINT "global_efforts_users_announced_by" FOREIGN KEY ("announced_by_id") REFERENCES "users" ("id") ON DELETE NO ACTION);
-- create index "globaleffort_community_id_starts_at" to table: "global_efforts"
CREATE INDEX "globaleffort_community_id_starts_at" ON "global_efforts" ("community_id", "starts_at");
-- create "global_effort_participations" table
CREATE TABLE "global_effort_participations" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "effort_id" character varying NOT NULL, "group_id" character varying NOT NULL, "opted_in_by_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "global_effort_participations_global_efforts_participations" FOREIGN KEY ("effort_id") REFERENCES "global_efforts" ("id") ON DELETE NO ACTION, CONSTRAINT "global_effort_participations_groups_group" FOREIGN KEY ("group_id") REFERENCES "groups" ("id") ON DELETE NO ACTION, CONSTRAINT "global_effort_participations_users_opted_in_by" FOREIGN KEY ("opted_in_by_id") REFERENCES "users" ("id") ON DELETE NO ACTION);
-- create index "globaleffortparticipation_effort_id_group_id" to table: "global_effort_participations"
CREATE UNIQUE INDEX "globaleffortparticipation_effort_id_group_id" ON "global_effort_participations" ("effort_id", "group_id");
-- create index "globaleffortparticipation_group_id" to table: "global_effort_participations"
CREATE INDEX "globaleffortparticipation_group_id" ON "global_effort_participations" ("group_id");
-- modify "reports" table
ALTER TABLE "reports" DROP CONSTRAINT "reports_users_reporter", ALTER COLUMN "status" SET DEFAULT 'RECEIVED', ALTER COLUMN "reporter_id" DROP NOT NULL, ADD COLUMN "occurred_at" timestamptz NULL, ADD COLUMN "respond_by" timestamptz NULL, ADD COLUMN "responded_at" timestamptz NULL, ADD COLUMN "closed_at" timestamptz NULL, ADD COLUMN "follow_up_code_hash" character varying NULL, ADD COLUMN "source_hash" character varying NULL, ADD COLUMN "contact_message_id" character varying NULL, ADD COLUMN "closed_by_id" character varying NULL, ADD CONSTRAINT "reports_users_reporter" FOREIGN KEY ("reporter_id") REFERENCES "users" ("id") ON DELETE SET NULL, ADD CONSTRAINT "reports_contact_messages_contact_message" FOREIGN KEY ("contact_message_id") REFERENCES "contact_messages" ("id") ON DELETE SET NULL, ADD CONSTRAINT "reports_users_closed_by" FOREIGN KEY ("closed_by_id") REFERENCES "users" ("id") ON DELETE SET NULL;
-- create index "reports_follow_up_code_hash_key" to table: "reports"
CREATE UNIQUE INDEX "reports_follow_up_code_hash_key" ON "reports" ("follow_up_code_hash");
-- create index "report_source_hash_created_at" to table: "reports"
CREATE INDEX "report_source_hash_created_at" ON "reports" ("source_hash", "created_at");
-- create "report_replies" table
CREATE TABLE "report_replies" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "from_staff" boolean NOT NULL, "body" text NOT NULL, "report_id" character varying NOT NULL, "author_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "report_replies_reports_replies" FOREIGN KEY ("report_id") REFERENCES "reports" ("id") ON DELETE NO ACTION, CONSTRAINT "report_replies_users_author" FOREIGN KEY ("author_id") REFERENCES "users" ("id") ON DELETE SET NULL);
-- create index "reportreply_report_id_created_at" to table: "report_replies"
CREATE INDEX "reportreply_report_id_created_at" ON "report_replies" ("report_id", "created_at");
-- modify "roles" table
ALTER TABLE "roles" ADD COLUMN "report_id" character varying NULL, ADD CONSTRAINT "roles_reports_report" FOREIGN KEY ("report_id") REFERENCES "reports" ("id") ON DELETE SET NULL;
-- modify "submissions" table
ALTER TABLE "submissions" ADD COLUMN "project_area" character varying NULL, ADD COLUMN "links" jsonb NULL, ADD COLUMN "newsletter_issue" character varying NULL, ADD COLUMN "newsletter_position" bigint NULL, ADD COLUMN "events_count" bigint NULL, ADD COLUMN "attendees_count" bigint NULL, ADD COLUMN "new_members_count" bigint NULL, ADD COLUMN "decline_reason" text NULL, ADD COLUMN "decided_at" timestamptz NULL, ADD COLUMN "forwarded_at" timestamptz NULL, ADD COLUMN "delivered_at" timestamptz NULL, ADD COLUMN "request_id" character varying NULL, ADD COLUMN "event_id" character varying NULL, ADD COLUMN "decided_by_id" character varying NULL, ADD CONSTRAINT "submissions_activity_requests_answers" FOREIGN KEY ("request_id") REFERENCES "activity_requests" ("id") ON DELETE SET NULL, ADD CONSTRAINT "submissions_events_event" FOREIGN KEY ("event_id") REFERENCES "events" ("id") ON DELETE SET NULL, ADD CONSTRAINT "submissions_users_decided_by" FOREIGN KEY ("decided_by_id") REFERENCES "users" ("id") ON DELETE SET NULL;
-- create index "submission_community_id_newsletter_issue_newsletter_position" to table: "submissions"
CREATE UNIQUE INDEX "submission_community_id_newsletter_issue_newsletter_position" ON "submissions" ("community_id", "newsletter_issue", "newsletter_position");
-- create index "submission_request_id_group_id" to table: "submissions"
CREATE UNIQUE INDEX "submission_request_id_group_id" ON "submissions" ("request_id", "group_id");
-- create "translation_requests" table
CREATE TABLE "translation_requests" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "title" character varying NOT NULL, "source_url" character varying NOT NULL, "source_language" character varying NOT NULL, "target_languages" jsonb NOT NULL, "due_at" timestamptz NULL, "status" character varying NOT NULL DEFAULT 'OPEN', "delivered_url" character varying NULL, "taken_at" timestamptz NULL, "delivered_at" timestamptz NULL, "done_at" timestamptz NULL, "community_id" character varying NOT NULL, "group_id" character varying NULL, "requested_by_id" character varying NOT NULL, "volunteer_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "translation_requests_communities_community" FOREIGN KEY ("community_id") REFERENCES "communities" ("id") ON DELETE NO ACTION, CONSTRAINT "translation_requests_groups_group" FOREIGN KEY ("group_id") REFERENCES "groups" ("id") ON DELETE SET NULL, CONSTRAINT "translation_requests_users_requested_by" FOREIGN KEY ("requested_by_id") REFERENCES "users" ("id") ON DELETE NO ACTION, CONSTRAINT "translation_requests_users_volunteer" FOREIGN KEY ("volunteer_id") REFERENCES "users" ("id") ON DELETE SET NULL);
-- create index "translationrequest_community_id_status_created_at" to table: "translation_requests"
CREATE INDEX "translationrequest_community_id_status_created_at" ON "translation_requests" ("community_id", "status", "created_at");

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
DROP INDEX "translationrequest_community_id_status_created_at";
-- reverse: create "translation_requests" table
DROP TABLE "translation_requests";
-- reverse: create index "submission_request_id_group_id" to table: "submissions"
DROP INDEX "submission_request_id_group_id";
-- reverse: create index "submission_community_id_newsletter_issue_newsletter_position" to table: "submissions"
DROP INDEX "submission_community_id_newsletter_issue_newsletter_position";
-- reverse: modify "submissions" table
ALTER TABLE "submissions" DROP CONSTRAINT "submissions_users_decided_by", DROP CONSTRAINT "submissions_events_event", DROP CONSTRAINT "submissions_activity_requests_answers", DROP COLUMN "decided_by_id", DROP COLUMN "event_id", DROP COLUMN "request_id", DROP COLUMN "delivered_at", DROP COLUMN "forwarded_at", DROP COLUMN "decided_at", DROP COLUMN "decline_reason", DROP COLUMN "new_members_count", DROP COLUMN "attendees_count", DROP COLUMN "events_count", DROP COLUMN "newsletter_position", DROP COLUMN "newsletter_issue", DROP COLUMN "links", DROP COLUMN "project_area";
-- reverse: modify "roles" table
ALTER TABLE "roles" DROP CONSTRAINT "roles_reports_report", DROP COLUMN "report_id";
-- reverse: create index "reportreply_report_id_created_at" to table: "report_replies"
DROP INDEX "reportreply_report_id_created_at";
-- reverse: create "report_replies" table
DROP TABLE "report_replies";
-- reverse: create index "report_source_hash_created_at" to table: "reports"
DROP INDEX "report_source_hash_created_at";
-- reverse: create index "reports_follow_up_code_hash_key" to table: "reports"
DROP INDEX "reports_follow_up_code_hash_key";
-- reverse: modify "reports" table
ALTER TABLE "reports" DROP CONSTRAINT "reports_users_closed_by", DROP CONSTRAINT "reports_contact_messages_contact_message", DROP CONSTRAINT "reports_users_reporter", DROP COLUMN "closed_by_id", DROP COLUMN "contact_message_id", DROP COLUMN "source_hash", DROP COLUMN "follow_up_code_hash", DROP COLUMN "closed_at", DROP COLUMN "responded_at", DROP COLUMN "respond_by", DROP COLUMN "occurred_at", ALTER COLUMN "reporter_id" SET NOT NULL, ALTER COLUMN "status" SET DEFAULT 'OPEN', ADD CONSTRAINT "reports_users_reporter" FOREIGN KEY ("reporter_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION;
-- reverse: create index "globaleffortparticipation_group_id" to table: "global_effort_participations"
DROP INDEX "globaleffortparticipation_group_id";
-- reverse: create index "globaleffortparticipation_effort_id_group_id" to table: "global_effort_participations"
DROP INDEX "globaleffortparticipation_effort_id_group_id";
-- reverse: create "global_effort_participations" table
DROP TABLE "global_effort_participations";
-- reverse: create index "globaleffort_community_id_starts_at" to table: "global_efforts"
DROP INDEX "globaleffort_community_id_starts_at";
-- reverse: create "global_efforts" table
DROP TABLE "global_efforts";
-- reverse: create index "contactmessage_author_id_created_at" to table: "contact_messages"
DROP INDEX "contactmessage_author_id_created_at";
-- reverse: create index "contactmessage_thread_id_created_at" to table: "contact_messages"
DROP INDEX "contactmessage_thread_id_created_at";
-- reverse: create "contact_messages" table
DROP TABLE "contact_messages";
-- reverse: create index "contactthread_group_id" to table: "contact_threads"
DROP INDEX "contactthread_group_id";
-- reverse: create index "contactthread_recipient_id" to table: "contact_threads"
DROP INDEX "contactthread_recipient_id";
-- reverse: create index "contactthread_sender_id_created_at" to table: "contact_threads"
DROP INDEX "contactthread_sender_id_created_at";
-- reverse: create "contact_threads" table
DROP TABLE "contact_threads";
-- reverse: modify "applications" table
ALTER TABLE "applications" DROP CONSTRAINT "applications_users_closed_by", DROP COLUMN "closed_by_id", DROP COLUMN "closed_at", DROP COLUMN "funding_report";
-- reverse: create index "activityrequest_community_id_due_at" to table: "activity_requests"
DROP INDEX "activityrequest_community_id_due_at";
-- reverse: create index "activityrequest_region_id_due_at" to table: "activity_requests"
DROP INDEX "activityrequest_region_id_due_at";
-- reverse: create "activity_requests" table
DROP TABLE "activity_requests";
