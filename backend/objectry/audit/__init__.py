"""The audit log: who changed the schema, members, invitations and tokens (GET /api/audit)."""
