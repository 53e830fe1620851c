"""The upload, never whole in memory: the body spooled to disk as it arrives, its multipart form
read back from the spool, the file part copied to a named temporary file for the job; and
the digest an Idempotency-Key's fingerprint hashes: of the parts (options, file bytes), not of
the body, whose multipart boundary each client draws at random on every send, retries too."""

from __future__ import annotations

import asyncio
import hashlib
import io
import tempfile
from dataclasses import dataclass
from typing import IO, Any

from fastapi import Request
from starlette.datastructures import FormData, UploadFile

from objectry.errors import UnsupportedMediaType, ValidationFailed, detail

_IN_MEMORY = 1024 * 1024  # a spool stays in memory up to this, then moves to a file
_READ = 64 * 1024
_OPTIONS_MAX = 1024 * 1024  # like any form field (Starlette's max_part_size)


@dataclass(frozen=True, slots=True)
class Upload:
    path: str  # the file part on disk; the job removes it
    options: str | None  # the `options` part as sent
    digest: bytes  # SHA-256 of the options and the file's bytes


async def _spool(request: Request) -> IO[bytes]:
    spool = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 - the caller closes it
    async for chunk in request.stream():
        spool.write(chunk)  # page-cache writes of 64 KiB: not worth a thread hop
    spool.seek(0)
    return spool


async def _form(request: Request, spool: IO[bytes]) -> FormData:
    async def receive() -> dict[str, Any]:
        chunk = await asyncio.to_thread(spool.read, _READ)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunk)}

    try:
        return await Request(request.scope, receive).form(max_files=2, max_fields=20)
    except Exception as exc:  # python-multipart's and Starlette's parse errors
        raise ValidationFailed([detail("file", "multipart", f"unreadable form: {exc}")]
                               ) from None


def _to_disk(file: UploadFile, options: str | None) -> Upload:
    digest = hashlib.sha256((options or "").encode())
    digest.update(b"\x00")
    file.file.seek(0)
    with tempfile.NamedTemporaryFile(prefix="objectry-import-", delete=False) as out:
        while chunk := file.file.read(_READ * 16):
            digest.update(chunk)
            out.write(chunk)
        return Upload(out.name, options, digest.digest())


async def _options_text(part: str | UploadFile | None) -> str | None:
    """`options` as a plain field, or as a part with a file name (some clients send JSON so)."""
    if isinstance(part, UploadFile):
        return (await part.read(_OPTIONS_MAX + 1))[:_OPTIONS_MAX + 1].decode("utf-8", "replace")
    return part


async def received(request: Request) -> Upload:
    """The request's upload (read once, then kept on the request)."""
    if (kept := getattr(request.state, "import_upload", None)) is not None:
        assert isinstance(kept, Upload)
        return kept
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UnsupportedMediaType("an import is multipart/form-data with `file` and `options`")
    with await _spool(request) as spool:
        data = await _form(request, spool)
        try:
            file, text = data.get("file"), await _options_text(data.get("options"))
            if isinstance(file, str):  # a client that sent the file's text as a plain field
                file = UploadFile(io.BytesIO(file.encode()))
            if not isinstance(file, UploadFile):
                raise ValidationFailed([detail("file", "required",
                                               "the form needs a `file` part")])
            upload = await asyncio.to_thread(_to_disk, file, text)
        finally:
            await data.close()
    request.state.import_upload = upload
    return upload


async def body_digest(request: Request) -> bytes:
    """What the idempotency fingerprint hashes for an upload."""
    return (await received(request)).digest
