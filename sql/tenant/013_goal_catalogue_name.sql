-- An adopted goal keeps the national goal's name in every language, as adopted: lists show it in
-- each reader's language for as long as the organisation has not renamed the goal (its title is
-- still one of those names).
ALTER TABLE goals ADD COLUMN catalogue_name jsonb;
UPDATE goals g SET catalogue_name = c.name FROM {{platform}}.catalogue_goals c WHERE c.id = g.catalogue_goal_id;
