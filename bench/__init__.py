"""Objectry's benchmark suite (issue 6): `python -m bench`, see bench/README.md.

Not part of the test suite: it starts real servers, seeds real data and measures them with a
load generator on loopback, side by side with `bench/ceiling_app.py`, the thinnest Python REST
layer over the same table shape.
"""
