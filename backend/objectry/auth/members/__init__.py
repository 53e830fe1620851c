"""Workspace members and invitations (/api/workspaces/{id}/members, …/invitations,
/api/invitations/accept), and the invitation e-mail."""
