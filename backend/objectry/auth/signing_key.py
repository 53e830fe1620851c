"""The JWT signing secret: OBJECTRY_SECRET_KEY, else one generated on first start and kept in
`<data_dir>/secret_key` (mode 0600), so every worker and every restart signs with the same key."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
from pathlib import Path

from objectry.settings import Settings

log = logging.getLogger("objectry.auth")
# HS256 wants a key at least as long as its output (RFC 7518 §3.2).
MIN_KEY_BYTES = 32
FILE_NAME = "secret_key"


def signing_key(settings: Settings) -> str:
    if settings.secret_key is not None:
        return _checked(settings.secret_key, "OBJECTRY_SECRET_KEY")
    return _from_file(settings.data_dir / FILE_NAME)


def _checked(key: str, origin: str) -> str:
    if len(key.encode()) < MIN_KEY_BYTES:
        raise RuntimeError(f"{origin} must be at least {MIN_KEY_BYTES} bytes long")
    return key


def _from_file(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _create(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s was readable by others (mode %o); restricting it to 0600", path, mode)
        path.chmod(0o600)
    return _checked(path.read_text().strip(), str(path))


def _create(path: Path) -> None:
    """Write a temporary file, then link it into place: two workers starting at once both end
    up reading the one complete key that won, never a half-written file."""
    temporary = path.with_name(f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
