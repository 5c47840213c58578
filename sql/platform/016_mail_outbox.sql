-- Outgoing mail: a transactional outbox. A message is written in the same transaction as what
-- causes it (an organisation's transaction writes its own rows here: one organisation schema
-- plus the coordinator, as docs/scale-out.md allows), then a sender inside `serve` delivers it
-- (Mail/MailSender.swift). Each message is the whole RFC 5322 text with a stable Message-ID, so
-- a retry after a crash is recognisably the same message.
CREATE TABLE mail_outbox (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    message_id      text NOT NULL UNIQUE,
    -- The organisation (its schema and database role) that wrote it; NULL for the platform's own.
    schema_name     text DEFAULT current_user,
    kind            text NOT NULL CHECK (kind IN ('digest', 'password_code')),
    recipient       text NOT NULL,
    subject         text NOT NULL,
    -- Emptied once delivered when it carries a secret (a one-time code).
    body            text,
    sensitive       boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- When it may next be tried; a sender that takes it moves this past its own attempt (a lease),
    -- so that no other instance sends it meanwhile, and a crashed sender's messages come back.
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    sent_at         timestamptz,
    dead_at         timestamptz
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND dead_at IS NULL;
CREATE INDEX mail_outbox_dead ON mail_outbox (dead_at) WHERE dead_at IS NOT NULL;

-- Organisations only add their own messages: they read none, not even their own.
ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY mail_outbox_own_rows ON mail_outbox FOR INSERT TO luotsi_tenant WITH CHECK (schema_name = current_user);
GRANT INSERT ON mail_outbox TO luotsi_tenant;

-- Every sender hears of a new message at once instead of at its next look.
CREATE FUNCTION notify_mail_queued() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('luotsi_mail', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER mail_outbox_queued AFTER INSERT ON mail_outbox FOR EACH STATEMENT EXECUTE FUNCTION notify_mail_queued();

-- The key that signs the links in messages (unsubscribe), shared by every instance. Made here
-- from PostgreSQL's strong random source, so a new installation needs no setting for it.
CREATE TABLE mail_link_key (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    key      text NOT NULL
);
INSERT INTO mail_link_key (key)
VALUES (encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')), 'base64'));

-- The reminder pass: one at a time over every organisation, resumable. A pass holds the row
-- (`running_by`, refreshed in `heartbeat_at`); one whose holder went quiet for long is taken
-- over, and continues after the last organisation it finished (`cursor`).
CREATE TABLE reminder_pass (
    only_row     boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    pass_at      timestamptz,
    running_by   text,
    heartbeat_at timestamptz,
    cursor       text,
    started_at   timestamptz,
    finished_at  timestamptz,
    organisations integer NOT NULL DEFAULT 0,
    digests      integer NOT NULL DEFAULT 0
);
INSERT INTO reminder_pass DEFAULT VALUES;
