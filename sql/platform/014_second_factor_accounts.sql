-- Which organisation users have a second-factor key stored (set up or being set up), so that
-- `serve` knows at start-up, without opening every organisation's schema, whether it needs the
-- key that seals them (LUOTSI_SECRET_KEY_FILE) and which accounts to re-seal after a key
-- rotation. Written by the application before a key is stored (Access/SecondFactor.swift);
-- a row whose user no longer has a key is removed at the next start-up. Platform
-- administrators' keys are in platform_admins itself.
CREATE TABLE second_factor_accounts (
    schema_name text NOT NULL,
    user_id     uuid NOT NULL,
    PRIMARY KEY (schema_name, user_id)
);
