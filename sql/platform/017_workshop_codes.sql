-- Join codes of workshops (tenant migration 015), unique over the platform: a person on a phone
-- types six characters at /join and lands in the right organisation's workshop without saying
-- which organisation it is. An organisation's transaction adds its own codes (row-level
-- security, as mail_outbox) and reads none; the application reads them as itself.
CREATE TABLE workshop_codes (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z0-9]{6}$'),
    schema_name text NOT NULL DEFAULT current_user,
    workshop_id uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workshop_codes_schema ON workshop_codes (schema_name);

ALTER TABLE workshop_codes ENABLE ROW LEVEL SECURITY;
CREATE POLICY workshop_codes_own_rows ON workshop_codes FOR INSERT TO luotsi_tenant WITH CHECK (schema_name = current_user);
GRANT INSERT ON workshop_codes TO luotsi_tenant;
