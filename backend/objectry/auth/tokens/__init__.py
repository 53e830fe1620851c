"""API tokens for apps (/api/tokens, `objectry token …`): their secrets, SQL and per-process
cache."""
