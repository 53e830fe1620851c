"""Objectry: a metadata-driven object builder over PostgreSQL."""

__version__ = "0.1.0"
