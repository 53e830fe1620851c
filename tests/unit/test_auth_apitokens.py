"""API token secrets: shape, visible prefix, and the stored hash (no database)."""

from __future__ import annotations

import hashlib

from objectry.auth.secret_hash import digest
from objectry.auth.tokens import secret as apitokens


def test_generated_tokens_have_the_documented_shape():
    token, prefix = apitokens.generate()
    assert token.startswith(prefix + "_") and len(prefix) == len("oby_") + 8
    assert apitokens.well_formed(token) and apitokens.looks_like_token(token)
    assert len({apitokens.generate()[0] for _ in range(50)}) == 50


def test_only_a_sha256_of_the_whole_token_is_stored():
    token, _ = apitokens.generate()
    assert digest(token) == hashlib.sha256(token.encode()).hexdigest()
    assert token not in digest(token)


def test_malformed_tokens_are_recognised_early():
    token, _ = apitokens.generate()
    for bad in (token[:-1], token + "x", token.replace("oby_", "oby-"), "oby_", "eyJ.x.y",
                token[:4] + token[4:12].upper() + token[12:]):
        assert not apitokens.well_formed(bad), bad
    assert not apitokens.looks_like_token("eyJhbGciOi")
