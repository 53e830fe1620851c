"""Accounts and their sessions: sign-up, sign-in, refresh, logout, "who am I" (/api/auth)."""
