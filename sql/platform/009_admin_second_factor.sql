-- The platform administrators' optional second factor, as for organisation users
-- (tenant migration 005_second_factor.sql).
ALTER TABLE platform_admins
    ADD COLUMN totp_secret text,
    ADD COLUMN totp_pending text,
    ADD COLUMN totp_last_step bigint;
