"""`POST /api/objects/{ref}/formula/check`: an expression checked against an object as a
formula field would be, and its value on a sample record computed by PostgreSQL."""
