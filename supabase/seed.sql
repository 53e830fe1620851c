-- No seed data: Objectry's first user creates the first workspace through the API
-- (POST /api/auth/register) or `objectry createadmin`.
SELECT 1;
