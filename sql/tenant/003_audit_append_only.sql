-- The audit trail is append-only for the organisation's own role: after every tenant migration the
-- migrator grants the role its tables and then revokes UPDATE, DELETE and TRUNCATE on audit_log.
-- This file exists so that organisations migrated before that rule get their grants redone.
COMMENT ON TABLE audit_log IS 'Append-only for the organisation role: every write records itself here in the same transaction.';
