"""Values of indexed or unique fields fit an index entry: at most 2,000 bytes of stored text.

A btree entry holds at most 2,704 bytes (a third of a page, after compression), so a longer
value would make the write fail inside the index. The limit is on the UTF-8 text that
`data ->> field` gives — what text indexes hold, and what metadata/field_flags.py measures in
SQL before it turns a flag on; json values are measured by that text too.
"""

from __future__ import annotations

import json
from typing import Any

from objectry.fields.base import Cleaner, ValueProblem

MAX_BYTES = 2000


def text_bytes(value: Any) -> int:
    """The UTF-8 length of jsonb's text form of `value` (`", "` and `": "` separators)."""
    if isinstance(value, str):
        return len(value.encode())
    return len(json.dumps(value, ensure_ascii=False, separators=(", ", ": ")).encode())


def too_long(value: Any) -> bool:
    if isinstance(value, str) and len(value) * 4 <= MAX_BYTES:
        return False  # no UTF-8 character takes more than 4 bytes: no need to encode
    # Numbers, booleans, dates and times are far shorter than the limit.
    return isinstance(value, (str, list, dict)) and text_bytes(value) > MAX_BYTES


def limited(clean: Cleaner) -> Cleaner:
    """`clean`, then the size rule of indexed fields."""

    def check(raw: Any) -> Any:
        value = clean(raw)
        if too_long(value):
            raise ValueProblem("too_long", f"an indexed or unique field holds at most "
                                           f"{MAX_BYTES} bytes (UTF-8)")
        return value

    return check
