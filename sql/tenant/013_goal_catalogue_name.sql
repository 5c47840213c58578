-- An adopted goal keeps the national goal's name in every language, as adopted: lists show it in
-- each reader's language for as long as the organisation has not renamed the goal (its title is
-- still one of those names). (Unqualified: inside the subquery `id` is the catalogue goal's and
-- `catalogue_goal_id` the adopting goal's, the only table that has one.)
ALTER TABLE goals ADD COLUMN catalogue_name jsonb;
UPDATE goals SET catalogue_name = (SELECT name FROM {{platform}}.catalogue_goals WHERE id = catalogue_goal_id)
WHERE catalogue_goal_id IS NOT NULL;
