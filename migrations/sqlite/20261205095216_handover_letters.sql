-- +goose Up
-- add column "message_templates" to table: "communities"
ALTER TABLE `communities` ADD COLUMN `message_templates` json NULL;
-- add column "recipient_ids" to table: "messages"
ALTER TABLE `messages` ADD COLUMN `recipient_ids` json NULL;
-- add column "city" to table: "shipping_addresses"
ALTER TABLE `shipping_addresses` ADD COLUMN `city` text NULL;
-- add column "region" to table: "shipping_addresses"
ALTER TABLE `shipping_addresses` ADD COLUMN `region` text NULL;
-- add column "postal_code" to table: "shipping_addresses"
ALTER TABLE `shipping_addresses` ADD COLUMN `postal_code` text NULL;
-- add column "country" to table: "shipping_addresses"
ALTER TABLE `shipping_addresses` ADD COLUMN `country` text NULL;
-- OpenStack communities stored before the pitches-per-event rule get its preset value.
UPDATE `communities` SET `policy` = json_set(`policy`, '$.maxSponsorPitchesPerEvent', 1) WHERE json_extract(`policy`, '$.preset') = 'OPENSTACK' AND json_extract(`policy`, '$.maxSponsorPitchesPerEvent') IS NULL;

-- +goose Down
-- reverse: add column "country" to table: "shipping_addresses"
ALTER TABLE `shipping_addresses` DROP COLUMN `country`;
-- reverse: add column "postal_code" to table: "shipping_addresses"
ALTER TABLE `shipping_addresses` DROP COLUMN `postal_code`;
-- reverse: add column "region" to table: "shipping_addresses"
ALTER TABLE `shipping_addresses` DROP COLUMN `region`;
-- reverse: add column "city" to table: "shipping_addresses"
ALTER TABLE `shipping_addresses` DROP COLUMN `city`;
-- reverse: add column "recipient_ids" to table: "messages"
ALTER TABLE `messages` DROP COLUMN `recipient_ids`;
-- reverse: add column "message_templates" to table: "communities"
ALTER TABLE `communities` DROP COLUMN `message_templates`;
