-- Sessions also end after a period without use (the idle limit), not only at their absolute
-- expiry. Touched at most once a minute per session, so reading it costs no write per request.
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
