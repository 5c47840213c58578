-- One-time codes with which a person sets their own password: issued by management for a new
-- colleague or one who forgot theirs, so management never needs to know anyone's password.
-- Only a SHA-256 hash of the code is kept; a code works once, before it expires.
CREATE TABLE password_codes (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  text NOT NULL UNIQUE,
    issued_by  uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX password_codes_user ON password_codes (user_id);
