-- Platform admins choose their interface language too (organisation users have users.language).
ALTER TABLE platform_admins ADD COLUMN language text CHECK (language IN ('fi', 'sv', 'en'));
