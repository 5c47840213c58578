-- References into the national catalogue are kept by the application, not by foreign keys.
--
-- PostgreSQL implements a foreign key with two triggers on the *referenced* table. With three
-- such keys per organisation, the shared catalogue tables carried four triggers per
-- organisation (11,038 on catalogue_goals at 2,759 organisations): creating an organisation
-- locked the catalogue and made every backend rebuild its cache entries for it, so creation and
-- a fresh backend's first catalogue read grew with the number of organisations (BENCHMARKS.md).
-- Under Citus these would also be the only keys from an organisation's schema to another one.
--
-- What the keys guaranteed still holds: the application accepts only goals and indicators of a
-- published catalogue version (404 otherwise), and platform migration 011 makes published
-- catalogue rows permanent, so a stored reference cannot dangle.
ALTER TABLE goals DROP CONSTRAINT IF EXISTS goals_catalogue_goal_id_fkey;
ALTER TABLE goal_alignments DROP CONSTRAINT IF EXISTS goal_alignments_aligns_to_catalogue_id_fkey;
ALTER TABLE goal_indicators DROP CONSTRAINT IF EXISTS goal_indicators_catalogue_indicator_id_fkey;
