-- An organisation's own schema: its users. Runs with search_path set to the organisation's schema.

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text NOT NULL UNIQUE CHECK (email = lower(email) AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    role          text NOT NULL CHECK (role IN ('management', 'lead', 'staff')),
    password_hash text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    language      text CHECK (language IN ('fi', 'sv', 'en')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
