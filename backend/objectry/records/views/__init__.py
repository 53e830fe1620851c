"""Saved views: a filter, an order and a column layout of one object's records, personal to
their creator or shared (routes.py → service.py → repo.py; fit.py checks one against the
schema, as it is now)."""
