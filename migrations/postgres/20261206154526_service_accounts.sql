-- +goose Up
-- create "service_accounts" table
CREATE TABLE "service_accounts" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "purpose" character varying NOT NULL, "deactivated_at" timestamptz NULL, "community_id" character varying NOT NULL, "group_id" character varying NULL, "owner_id" character varying NOT NULL, "user_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "service_accounts_communities_community" FOREIGN KEY ("community_id") REFERENCES "communities" ("id") ON DELETE NO ACTION, CONSTRAINT "service_accounts_groups_group" FOREIGN KEY ("group_id") REFERENCES "groups" ("id") ON DELETE SET NULL, CONSTRAINT "service_accounts_users_owner" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE NO ACTION, CONSTRAINT "service_accounts_users_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE NO ACTION);
-- create index "serviceaccount_community_id" to table: "service_accounts"
CREATE INDEX "serviceaccount_community_id" ON "service_accounts" ("community_id");
-- create index "serviceaccount_user_id" to table: "service_accounts"
CREATE UNIQUE INDEX "serviceaccount_user_id" ON "service_accounts" ("user_id");
-- modify "api_tokens" table
ALTER TABLE "api_tokens" ADD COLUMN "last_used_address" character varying NULL, ADD COLUMN "service_account_id" character varying NULL, ADD CONSTRAINT "api_tokens_service_accounts_tokens" FOREIGN KEY ("service_account_id") REFERENCES "service_accounts" ("id") ON DELETE SET NULL;

-- +goose Down
-- reverse: modify "api_tokens" table
ALTER TABLE "api_tokens" DROP CONSTRAINT "api_tokens_service_accounts_tokens", DROP COLUMN "service_account_id", DROP COLUMN "last_used_address";
-- reverse: create index "serviceaccount_user_id" to table: "service_accounts"
DROP INDEX "serviceaccount_user_id";
-- reverse: create index "serviceaccount_community_id" to table: "service_accounts"
DROP INDEX "serviceaccount_community_id";
-- reverse: create "service_accounts" table
DROP TABLE "service_accounts";
