"""The 10,000 most common passwords, which a new password may not be (compared lower-cased).

common_passwords.txt.gz is the first 10,000 lines (most frequent first) of Django 5.2's
django/contrib/auth/common-passwords.txt.gz, itself compiled by Royce Williams
(https://gist.github.com/roycewilliams/226886fd01572964e1431ac8afc999ce), lower-cased and
deduplicated. Copyright (c) Django Software Foundation and individual contributors; used under
Django's BSD 3-clause licence.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources


@cache
def _passwords() -> frozenset[str]:
    # Loaded on the first sign-up, not at import: most processes of a busy server never need it.
    data = resources.files(__package__).joinpath("common_passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split("\n")) - {""}


def is_common(password: str) -> bool:
    return password.lower() in _passwords()
