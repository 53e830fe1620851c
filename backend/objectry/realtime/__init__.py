"""/realtime/v1: Supabase Realtime's Phoenix-channel protocol over committed record changes."""
