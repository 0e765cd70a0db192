-- +goose Up
-- modify "communities" table
ALTER TABLE "communities" ADD COLUMN "message_templates" jsonb NULL;
-- modify "messages" table
ALTER TABLE "messages" ADD COLUMN "recipient_ids" jsonb NULL;
-- modify "shipping_addresses" table
ALTER TABLE "shipping_addresses" ADD COLUMN "city" character varying NULL, ADD COLUMN "region" character varying NULL, ADD COLUMN "postal_code" character varying NULL, ADD COLUMN "country" character varying NULL;
-- OpenStack communities stored before the pitches-per-event rule get its preset value.
UPDATE "communities" SET "policy" = jsonb_set("policy", '{maxSponsorPitchesPerEvent}', '1') WHERE "policy"->>'preset' = 'OPENSTACK' AND "policy"->'maxSponsorPitchesPerEvent' IS NULL;

-- +goose Down
-- reverse: modify "shipping_addresses" table
ALTER TABLE "shipping_addresses" DROP COLUMN "country", DROP COLUMN "postal_code", DROP COLUMN "region", DROP COLUMN "city";
-- reverse: modify "messages" table
ALTER TABLE "messages" DROP COLUMN "recipient_ids";
-- reverse: modify "communities" table
ALTER TABLE "communities" DROP COLUMN "message_templates";
