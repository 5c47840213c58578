-- Sign-in throttling, shared by every instance. One row per key: an account at one address, an
-- account from anywhere, an address. An attempt is counted *before* the password is checked, in
-- one locked step, so parallel guesses cannot all slip through. After a key's free attempts each
-- further one must wait (from the last counted one) twice as long as the one before, from
-- that key's first delay up to its cap: guessing slows to
-- a crawl, but nobody is locked out for good (the account-wide cap is short, so a stranger
-- elsewhere can only slow a colleague down, never shut them out).
CREATE TABLE login_throttle (
    key      text PRIMARY KEY,
    failures integer NOT NULL,
    last_at  timestamptz NOT NULL
);

-- Counts one attempt against every key, or none when any key must still wait; returns how long
-- the caller must wait (zero: go ahead). Keys are locked in a fixed order, so concurrent callers
-- cannot deadlock. Rows idle longer than `forget_after` start again from zero.
CREATE FUNCTION login_throttle_attempt(
    keys text[], free integer[], first_delay interval[], max_delay interval[], forget_after interval)
RETURNS interval LANGUAGE plpgsql AS $$
DECLARE
    i integer;
    entry record;
    wait interval := interval '0';
    delay interval;
BEGIN
    INSERT INTO {{platform}}.login_throttle (key, failures, last_at)
    SELECT k, 0, now() FROM unnest(keys) AS k ORDER BY k
    ON CONFLICT (key) DO NOTHING;
    PERFORM 1 FROM {{platform}}.login_throttle WHERE key = ANY (keys) ORDER BY key FOR UPDATE;
    FOR i IN 1 .. coalesce(array_length(keys, 1), 0) LOOP
        SELECT failures, last_at INTO entry FROM {{platform}}.login_throttle WHERE key = keys[i];
        IF entry.last_at >= now() - forget_after AND entry.failures >= free[i] THEN
            delay := least(max_delay[i], first_delay[i] * power(2, least(entry.failures - free[i], 20)));
            IF entry.last_at + delay > now() THEN
                wait := greatest(wait, entry.last_at + delay - now());
            END IF;
        END IF;
    END LOOP;
    IF wait > interval '0' THEN
        RETURN wait;
    END IF;
    UPDATE {{platform}}.login_throttle
    SET failures = CASE WHEN last_at < now() - forget_after THEN 1 ELSE failures + 1 END, last_at = now()
    WHERE key = ANY (keys);
    -- Forget long-idle rows now and then, so the table stays small whatever is thrown at it.
    IF random() < 0.01 THEN
        DELETE FROM {{platform}}.login_throttle WHERE last_at < now() - forget_after;
    END IF;
    RETURN interval '0';
END
$$;
