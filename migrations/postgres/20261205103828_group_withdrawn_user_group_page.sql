-- +goose Up
-- modify "communities" table
ALTER TABLE "communities" ADD COLUMN "user_group_page_url" character varying NULL;

-- +goose Down
-- reverse: modify "communities" table
ALTER TABLE "communities" DROP COLUMN "user_group_page_url";
