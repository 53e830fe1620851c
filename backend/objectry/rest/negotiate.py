"""What a /rest/v1 request asks for in its headers: `Prefer`, `Range`, `Accept` and the
`Accept-Profile` / `Content-Profile` schema, read as PostgREST 12 reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import Request

from objectry.records.query import QueryError

# Preference → the values PostgREST knows. Unknown or malformed ones are ignored, unless the
# request also says `handling=strict` (then 400 PGRST122, as PostgREST does).
PREFERENCES: dict[str, tuple[str, ...]] = {
    "return": ("representation", "minimal", "headers-only"),
    "count": ("exact", "planned", "estimated"),
    "resolution": ("merge-duplicates", "ignore-duplicates"),
    "missing": ("default", "null"),
    "handling": ("lenient", "strict"),
    "tx": ("commit", "rollback"),
}
SCHEMA = "public"  # the one profile: every object is a table of it
_ARRAY_TYPES = ("*/*", "application/*", "application/json", "application/vnd.pgrst.array+json")
_OBJECT_TYPES = ("application/vnd.pgrst.object+json", "application/vnd.pgrst.object")
_CSV_TYPES = ("text/csv",)
_RANGE = re.compile(r"(?:items=)?([0-9]{1,18})-([0-9]{0,18})")


@dataclass(frozen=True, slots=True)
class Prefer:
    values: dict[str, str]
    max_affected: int | None = None

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    @property
    def applied(self) -> str:
        """The `Preference-Applied` header: what the server honours (not `tx`)."""
        items = [f"{k}={v}" for k, v in self.values.items() if k != "tx"]
        if self.max_affected is not None:
            items.append(f"max-affected={self.max_affected}")
        return ", ".join(items)


@dataclass(frozen=True, slots=True)
class RestRequest:
    method: str
    params: list[tuple[str, str]]
    prefer: Prefer
    singular: bool = False  # Accept: application/vnd.pgrst.object+json
    strip_nulls: bool = False  # Accept: …;nulls=stripped
    csv: bool = False  # Accept: text/csv (rest/csv.py)
    range: tuple[int, int | None] | None = None  # the Range header, inclusive bounds

    @property
    def head(self) -> bool:
        return self.method == "HEAD"


def negotiate(request: Request) -> RestRequest:
    headers = request.headers
    reading = request.method in ("GET", "HEAD")
    check_profile(headers.get("accept-profile" if reading else "content-profile"))
    singular, strip, csv = accept(headers.get("accept"))
    return RestRequest(request.method, request.query_params.multi_items(),
                       prefer(headers.getlist("prefer")), singular, strip, csv,
                       header_range(headers.get("range")) if reading else None)


def check_profile(value: str | None) -> None:
    if value is not None and value.strip() != SCHEMA:
        shown = value.strip()[:100]
        raise QueryError("PGRST106", f"Invalid schema: {shown}", status=406,
                         hint=f"Only the following schemas are exposed: {SCHEMA}")


def prefer(headers: list[str]) -> Prefer:
    found: dict[str, str] = {}
    max_affected, invalid = None, []
    for item in (p.strip() for header in headers for p in header.split(",")):
        key, _, value = (part.strip() for part in item.partition("="))
        if key == "max-affected" and value.isdigit() and len(value) < 19:
            max_affected = int(value)
        elif value in PREFERENCES.get(key, ()):
            found.setdefault(key, value)
        elif item:
            invalid.append(item[:60])
    if found.get("handling") == "strict" and invalid:
        raise QueryError("PGRST122", "Invalid preferences given with handling=strict",
                         "Invalid preferences: " + ", ".join(invalid))
    return Prefer(found, max_affected)


def accept(value: str | None) -> tuple[bool, bool, bool]:
    """(singular, strip nulls, csv) for the first media type offered that this API can
    produce."""
    if not value or not value.strip():
        return False, False, False
    offered = []
    for part in value.split(","):
        kind, *params = (p.strip() for p in part.split(";"))
        strip = "nulls=stripped" in params
        if kind.lower() in _ARRAY_TYPES:
            return False, strip, False
        if kind.lower() in _OBJECT_TYPES:
            return True, strip, False
        if kind.lower() in _CSV_TYPES:
            return False, False, True
        offered.append(kind[:60])
    raise QueryError("PGRST107", "None of these media types are available: "
                     + ", ".join(offered), status=406)


def header_range(value: str | None) -> tuple[int, int | None] | None:
    """`Range: 0-24` (or `10-`); one that does not read as a range is ignored, as PostgREST
    ignores it; a lower bound over the upper one is a 416."""
    match = _RANGE.fullmatch(value.strip()) if value else None
    if match is None:
        return None
    lower, upper = int(match[1]), int(match[2]) if match[2] else None
    if upper is not None and lower > upper:
        raise QueryError("PGRST103", "Requested range not satisfiable",
                         "The lower boundary must be lower than or equal to the upper boundary "
                         "in the Range header.", status=416)
    return lower, upper


def page(limit: int | None, offset: int | None, ranged: tuple[int, int | None] | None
         ) -> tuple[int | None, int]:
    """`limit`/`offset` intersected with the Range header → (limit, offset)."""
    lower = offset or 0
    upper = None if limit is None else lower + limit - 1
    if ranged is not None:
        lower = max(lower, ranged[0])
        if ranged[1] is not None:
            upper = ranged[1] if upper is None else min(upper, ranged[1])
    return (None if upper is None else max(upper - lower + 1, 0)), lower
