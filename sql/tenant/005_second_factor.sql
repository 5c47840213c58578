-- An optional second factor per person: a TOTP key (RFC 6238) that an authenticator app holds.
-- `totp_pending` is a key shown but not yet confirmed with a code; `totp_last_step` is the time
-- step of the last code accepted, so that a code cannot be used twice.
ALTER TABLE users
    ADD COLUMN totp_secret text,
    ADD COLUMN totp_pending text,
    ADD COLUMN totp_last_step bigint;
