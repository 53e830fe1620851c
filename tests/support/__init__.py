"""Helpers shared by every test layer: fresh databases, free ports, metadata builders.

Fixtures live in the conftest.py files; these are the plain functions they (and tests) call.
"""
