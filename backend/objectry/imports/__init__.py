"""CSV/XLSX import as a background job: `POST /api/objects/{id}/import`, `GET /api/imports/{id}`."""
