"""The signing secret: from the environment, else generated once into the data directory."""

from __future__ import annotations

import stat

import pytest

from objectry.auth.signing_key import signing_key
from objectry.settings import Settings


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_configured_key_is_used_when_long_enough(tmp_path):
    key = "s" * 32
    assert signing_key(Settings(data_dir=tmp_path, secret_key=key)) == key
    with pytest.raises(RuntimeError, match="at least 32 bytes"):
        signing_key(Settings(data_dir=tmp_path, secret_key="short"))
    assert not (tmp_path / "secret_key").exists()


def test_a_key_is_generated_once_and_kept_private(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    first = signing_key(settings)
    path = tmp_path / "data" / "secret_key"
    assert mode(path) == 0o600 and len(first) >= 64
    assert signing_key(settings) == first
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]


def test_a_readable_key_file_is_tightened_and_a_short_one_refused(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("t" * 40)
    path.chmod(0o644)
    assert signing_key(Settings(data_dir=tmp_path)) == "t" * 40
    assert mode(path) == 0o600
    path.write_text("short")
    with pytest.raises(RuntimeError, match="at least 32 bytes"):
        signing_key(Settings(data_dir=tmp_path))
