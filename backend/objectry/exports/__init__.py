"""`GET /api/objects/{id}/export?format=csv|jsonl|xlsx`: every matching record, streamed."""
