"""Who may do what: accounts and sessions, workspace members and invitations, API tokens.

Each of `sessions/`, `members/` and `tokens/` is routes.py (HTTP only) → service.py (rules and
the transaction) → repo.py (SQL text). Shared here: `principal.py` (roles and rights),
`credentials.py` (who is calling: a request's credential → Principal), `schemas.py` (request
bodies), `passwords.py`, `common_passwords.py`, `jwt_codec.py`, `signing_key.py`,
`secret_hash.py` (what is stored of a secret), `throttling.py` → `throttling_repo.py`,
`client_address.py`, `workspaces.py` → `repo.py` (workspaces, the session scope), and the
command line: `cli.py` (`objectry createadmin`) and `operator_steps.py` (its steps, run as the
schema owner).
"""
