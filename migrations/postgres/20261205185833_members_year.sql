-- +goose Up
-- modify "contacts" table
ALTER TABLE "contacts" ADD COLUMN "phone" character varying NULL, ADD COLUMN "messaging" character varying NULL;
-- modify "users" table
ALTER TABLE "users" ADD COLUMN "languages" jsonb NULL, ADD COLUMN "links" jsonb NULL, ADD COLUMN "showcase_consent" boolean NOT NULL DEFAULT false, ADD COLUMN "photo_consent" boolean NOT NULL DEFAULT false, ADD COLUMN "ledger_public" boolean NOT NULL DEFAULT false;
-- create "award_selections" table
CREATE TABLE "award_selections" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "year" bigint NOT NULL, "status" character varying NOT NULL DEFAULT 'OPEN', "nominations_close_at" timestamptz NULL, "decided_at" timestamptz NULL, "tie_break" text NULL, "opened_by_id" character varying NOT NULL, "decided_by_id" character varying NULL, "community_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "award_selections_users_opened_by" FOREIGN KEY ("opened_by_id") REFERENCES "users" ("id") ON DELETE NO ACTION, CONSTRAINT "award_selections_users_decided_by" FOREIGN KEY ("decided_by_id") REFERENCES "users" ("id") ON DELETE SET NULL, CONSTRAINT "award_selections_communities_award_selections" FOREIGN KEY ("community_id") REFERENCES "communities" ("id") ON DELETE NO ACTION);
-- create index "awardselection_community_id_year" to table: "award_selections"
CREATE UNIQUE INDEX "awardselection_community_id_year" ON "award_selections" ("community_id", "year");
-- create "award_nominations" table
CREATE TABLE "award_nominations" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "category" character varying NOT NULL, "citation" text NULL, "status" character varying NOT NULL DEFAULT 'NOMINATED', "community_id" character varying NOT NULL, "group_id" character varying NOT NULL, "user_id" character varying NOT NULL, "nominated_by_id" character varying NOT NULL, "selection_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "award_nominations_communities_community" FOREIGN KEY ("community_id") REFERENCES "communities" ("id") ON DELETE NO ACTION, CONSTRAINT "award_nominations_groups_group" FOREIGN KEY ("group_id") REFERENCES "groups" ("id") ON DELETE NO ACTION, CONSTRAINT "award_nominations_users_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE NO ACTION, CONSTRAINT "award_nominations_users_nominated_by" FOREIGN KEY ("nominated_by_id") REFERENCES "users" ("id") ON DELETE NO ACTION, CONSTRAINT "award_nominations_award_selections_nominations" FOREIGN KEY ("selection_id") REFERENCES "award_selections" ("id") ON DELETE NO ACTION);
-- create index "awardnomination_selection_id_user_id_category" to table: "award_nominations"
CREATE UNIQUE INDEX "awardnomination_selection_id_user_id_category" ON "award_nominations" ("selection_id", "user_id", "category");
-- modify "awards" table
ALTER TABLE "awards" ADD COLUMN "category" character varying NULL, ADD COLUMN "points" bigint NOT NULL DEFAULT 0, ADD COLUMN "selection_id" character varying NULL, ADD CONSTRAINT "awards_award_selections_awards" FOREIGN KEY ("selection_id") REFERENCES "award_selections" ("id") ON DELETE SET NULL;
-- modify "roles" table
ALTER TABLE "roles" ADD COLUMN "obligation_started_at" timestamptz NULL, ADD COLUMN "obligation_due_at" timestamptz NULL;
-- create index "role_status_obligation_due_at" to table: "roles"
CREATE INDEX "role_status_obligation_due_at" ON "roles" ("status", "obligation_due_at");
-- create "certificates" table
CREATE TABLE "certificates" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "kind" character varying NOT NULL, "code" character varying NOT NULL, "holder_name" character varying NOT NULL, "community_name" character varying NOT NULL, "group_name" character varying NULL, "title" character varying NULL, "year" bigint NULL, "issued_at" timestamptz NOT NULL, "community_id" character varying NOT NULL, "group_id" character varying NULL, "role_id" character varying NULL, "award_id" character varying NULL, "user_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "certificates_communities_community" FOREIGN KEY ("community_id") REFERENCES "communities" ("id") ON DELETE NO ACTION, CONSTRAINT "certificates_groups_group" FOREIGN KEY ("group_id") REFERENCES "groups" ("id") ON DELETE SET NULL, CONSTRAINT "certificates_roles_role" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON DELETE SET NULL, CONSTRAINT "certificates_awards_award" FOREIGN KEY ("award_id") REFERENCES "awards" ("id") ON DELETE SET NULL, CONSTRAINT "certificates_users_certificates" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE NO ACTION);
-- create index "certificates_code_key" to table: "certificates"
CREATE UNIQUE INDEX "certificates_code_key" ON "certificates" ("code");
-- create index "certificate_user_id" to table: "certificates"
CREATE INDEX "certificate_user_id" ON "certificates" ("user_id");
-- create index "certificate_role_id" to table: "certificates"
CREATE UNIQUE INDEX "certificate_role_id" ON "certificates" ("role_id");
-- create index "certificate_award_id" to table: "certificates"
CREATE UNIQUE INDEX "certificate_award_id" ON "certificates" ("award_id");
-- modify "contributions" table
ALTER TABLE "contributions" ADD COLUMN "details" text NULL, ADD COLUMN "status" character varying NOT NULL DEFAULT 'PENDING', ADD COLUMN "points" bigint NOT NULL DEFAULT 0, ADD COLUMN "declined_at" timestamptz NULL, ADD COLUMN "decline_reason" character varying NULL, ADD COLUMN "automatic" boolean NOT NULL DEFAULT false, ADD COLUMN "source_key" character varying NULL, ADD COLUMN "shortlisted_year" bigint NULL, ADD COLUMN "declined_by_id" character varying NULL, ADD COLUMN "event_id" character varying NULL, ADD CONSTRAINT "contributions_users_declined_by" FOREIGN KEY ("declined_by_id") REFERENCES "users" ("id") ON DELETE SET NULL, ADD CONSTRAINT "contributions_events_event" FOREIGN KEY ("event_id") REFERENCES "events" ("id") ON DELETE SET NULL;
-- create index "contributions_source_key_key" to table: "contributions"
CREATE UNIQUE INDEX "contributions_source_key_key" ON "contributions" ("source_key");
-- create index "contribution_group_id_status" to table: "contributions"
CREATE INDEX "contribution_group_id_status" ON "contributions" ("group_id", "status");
-- create index "contribution_community_id_shortlisted_year" to table: "contributions"
CREATE INDEX "contribution_community_id_shortlisted_year" ON "contributions" ("community_id", "shortlisted_year");
-- create "shipments" table
CREATE TABLE "shipments" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "kind" character varying NOT NULL, "status" character varying NOT NULL DEFAULT 'PENDING', "shipped_at" timestamptz NULL, "carrier" character varying NULL, "tracking_code" character varying NULL, "dedupe_key" character varying NOT NULL, "community_id" character varying NOT NULL, "award_id" character varying NULL, "role_id" character varying NULL, "shipped_by_id" character varying NULL, "user_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "shipments_communities_shipments" FOREIGN KEY ("community_id") REFERENCES "communities" ("id") ON DELETE NO ACTION, CONSTRAINT "shipments_awards_award" FOREIGN KEY ("award_id") REFERENCES "awards" ("id") ON DELETE SET NULL, CONSTRAINT "shipments_roles_role" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON DELETE SET NULL, CONSTRAINT "shipments_users_shipped_by" FOREIGN KEY ("shipped_by_id") REFERENCES "users" ("id") ON DELETE SET NULL, CONSTRAINT "shipments_users_shipments" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE NO ACTION);
-- create index "shipments_dedupe_key_key" to table: "shipments"
CREATE UNIQUE INDEX "shipments_dedupe_key_key" ON "shipments" ("dedupe_key");
-- create index "shipment_community_id_status" to table: "shipments"
CREATE INDEX "shipment_community_id_status" ON "shipments" ("community_id", "status");
-- create index "shipment_user_id" to table: "shipments"
CREATE INDEX "shipment_user_id" ON "shipments" ("user_id");

-- contributions verified before statuses existed count as verified, with the default points of their kind
UPDATE contributions SET status = 'VERIFIED', points = CASE kind WHEN 'ARTICLE' THEN 5 WHEN 'TALK' THEN 5 WHEN 'USER_CASE' THEN 8 WHEN 'CODE' THEN 5 WHEN 'DOCS' THEN 3 WHEN 'TRANSLATION' THEN 3 ELSE 2 END WHERE verified_at IS NOT NULL;
-- +goose Down
-- reverse: create index "shipment_user_id" to table: "shipments"
DROP INDEX "shipment_user_id";
-- reverse: create index "shipment_community_id_status" to table: "shipments"
DROP INDEX "shipment_community_id_status";
-- reverse: create index "shipments_dedupe_key_key" to table: "shipments"
DROP INDEX "shipments_dedupe_key_key";
-- reverse: create "shipments" table
DROP TABLE "shipments";
-- reverse: create index "contribution_community_id_shortlisted_year" to table: "contributions"
DROP INDEX "contribution_community_id_shortlisted_year";
-- reverse: create index "contribution_group_id_status" to table: "contributions"
DROP INDEX "contribution_group_id_status";
-- reverse: create index "contributions_source_key_key" to table: "contributions"
DROP INDEX "contributions_source_key_key";
-- reverse: modify "contributions" table
ALTER TABLE "contributions" DROP CONSTRAINT "contributions_events_event", DROP CONSTRAINT "contributions_users_declined_by", DROP COLUMN "event_id", DROP COLUMN "declined_by_id", DROP COLUMN "shortlisted_year", DROP COLUMN "source_key", DROP COLUMN "automatic", DROP COLUMN "decline_reason", DROP COLUMN "declined_at", DROP COLUMN "points", DROP COLUMN "status", DROP COLUMN "details";
-- reverse: create index "certificate_award_id" to table: "certificates"
DROP INDEX "certificate_award_id";
-- reverse: create index "certificate_role_id" to table: "certificates"
DROP INDEX "certificate_role_id";
-- reverse: create index "certificate_user_id" to table: "certificates"
DROP INDEX "certificate_user_id";
-- reverse: create index "certificates_code_key" to table: "certificates"
DROP INDEX "certificates_code_key";
-- reverse: create "certificates" table
DROP TABLE "certificates";
-- reverse: create index "role_status_obligation_due_at" to table: "roles"
DROP INDEX "role_status_obligation_due_at";
-- reverse: modify "roles" table
ALTER TABLE "roles" DROP COLUMN "obligation_due_at", DROP COLUMN "obligation_started_at";
-- reverse: modify "awards" table
ALTER TABLE "awards" DROP CONSTRAINT "awards_award_selections_awards", DROP COLUMN "selection_id", DROP COLUMN "points", DROP COLUMN "category";
-- reverse: create index "awardnomination_selection_id_user_id_category" to table: "award_nominations"
DROP INDEX "awardnomination_selection_id_user_id_category";
-- reverse: create "award_nominations" table
DROP TABLE "award_nominations";
-- reverse: create index "awardselection_community_id_year" to table: "award_selections"
DROP INDEX "awardselection_community_id_year";
-- reverse: create "award_selections" table
DROP TABLE "award_selections";
-- reverse: modify "users" table
ALTER TABLE "users" DROP COLUMN "ledger_public", DROP COLUMN "photo_consent", DROP COLUMN "showcase_consent", DROP COLUMN "links", DROP COLUMN "languages";
-- reverse: modify "contacts" table
ALTER TABLE "contacts" DROP COLUMN "messaging", DROP COLUMN "phone";
