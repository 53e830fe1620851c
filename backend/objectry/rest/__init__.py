"""The PostgREST-dialect data API, `/rest/v1/{object}`: the records of any object for the
clients people already use (postgrest-py, supabase-js).

    routes.py     HTTP only: negotiate, call the service, render
    negotiate.py  Prefer, Range, Accept and the profile headers
    payload.py    request bodies: JSON rows, `columns=`, keys checked against the object
    reads.py      GET: the object, the checked plan, one statement (the service of reads)
    writes.py     POST, PATCH, DELETE: one transaction each, over the records core
    respond.py    Content-Range, statuses and the response body
    errors.py     every failure in PostgREST's `{code, message, details, hint}` shape
"""
