-- What concerns each person, newest first: written in the same transaction as the event that
-- causes it (Notifications/Notifier.swift), or by the reminder pass for what has fallen due
-- (`due_key` keeps one row per due item and occasion). Shown in the reader's language when read,
-- so a row keeps only facts: the kind, who did it, on what, the new status and the reason.
CREATE TABLE notifications (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    recipient_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN (
                     'task_assigned', 'task_overdue', 'checkin_due', 'idea_waiting', 'idea_comment', 'idea_support',
                     'idea_decision', 'goal_changed')),
    actor_id     uuid REFERENCES users (id),
    goal_id      uuid REFERENCES goals (id) ON DELETE CASCADE,
    task_id      uuid REFERENCES tasks (id) ON DELETE CASCADE,
    to_status    text,
    reason       text CHECK (length(reason) <= 5000),
    due_key      text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    read_at      timestamptz,
    -- When a digest e-mail listed it: nothing is mailed twice.
    emailed_at   timestamptz
);
CREATE INDEX notifications_recipient ON notifications (recipient_id, seq DESC);
CREATE INDEX notifications_unread ON notifications (recipient_id) WHERE read_at IS NULL;
CREATE UNIQUE INDEX notifications_due ON notifications (recipient_id, due_key) WHERE due_key IS NOT NULL;

-- Each person's e-mail digest: off, daily or weekly (the default).
ALTER TABLE users ADD COLUMN reminder_email text NOT NULL DEFAULT 'weekly' CHECK (reminder_email IN ('off', 'daily', 'weekly'));

-- The digests written to the platform's outbox, one per person and period ('2027-01-15' for a
-- daily one, '2027-W02' for a weekly one): a pass that stopped half-way and runs again skips
-- whoever has theirs, and never writes one twice.
CREATE TABLE digests (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period     text NOT NULL,
    message_id text NOT NULL,
    items      integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, period)
);

CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON notifications
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump_trigger();
CREATE CONSTRAINT TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE ON digests
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump_trigger();
