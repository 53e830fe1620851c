"""Checked sessions, remembered per process (auth/remembered.py) so that a signed-in request
costs no round trip for its session check (the role, logout and revocation that
`objectry_session_check` reads).

Everything is forgotten when any session may have changed anywhere: triggers NOTIFY
`objectry_sessions` on logout, revocation, a role change, a member removed or an account
deactivated (migration 0017), and the listener forgets every session in every process.
"""

from __future__ import annotations

from objectry.auth.remembered import Remembered

CHANNEL = "objectry_sessions"
Key = tuple[str, str, str, str]  # workspace, user, jti, refresh family
SessionCache = Remembered[Key]
