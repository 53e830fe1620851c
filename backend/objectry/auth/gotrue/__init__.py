"""/auth/v1: the GoTrue (Supabase Auth) dialect of the accounts and sessions in auth/sessions/."""
