-- What a sign-in attempt may show to be let past the address's count (Access/LoginThrottle.swift).
-- Failures from one address (an office's NAT, or every client behind a proxy that is not
-- configured as trusted) must slow guessing there, but must not shut out the people who sign in
-- from it and whose accounts are not under attack:
--
-- login_known: an account signed in successfully from this address (an IPv6 address by its /64)
--   within the last 90 days. Its attempts from there are not counted against the address.
-- login_devices: a random device token, kept in an HttpOnly cookie, given to a browser at each
--   successful sign-in (OWASP's "device cookies"). An attempt that shows a device token issued
--   to that account is counted against the account on that device instead of the address and
--   the account-at-address: a stranger guessing a colleague's password from the same office
--   cannot lock the colleague's own browser out. Only a hash of the token is stored.
CREATE TABLE login_known (
    key     text PRIMARY KEY,          -- 'address|account'
    last_at timestamptz NOT NULL
);

CREATE TABLE login_devices (
    token_hash text NOT NULL,
    account    text NOT NULL,          -- 'organisation|email', as the throttle names accounts
    last_at    timestamptz NOT NULL,
    PRIMARY KEY (token_hash, account)
);
