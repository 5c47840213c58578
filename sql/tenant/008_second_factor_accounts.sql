-- The people of this organisation whose second-factor keys an earlier release stored, listed in
-- the platform's second_factor_accounts (see sql/platform/014_second_factor_accounts.sql), so
-- that the next start-up seals their keys.
INSERT INTO {{platform}}.second_factor_accounts (schema_name, user_id)
SELECT current_schema(), id FROM users WHERE totp_secret IS NOT NULL OR totp_pending IS NOT NULL
ON CONFLICT DO NOTHING;
