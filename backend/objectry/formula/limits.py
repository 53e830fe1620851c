"""Where a number becomes a count (LEFT's length, ROUND's digits, DATEADD's amount), it is
rounded half away from zero and held within these bounds, in SQL and in Python alike: so no
value can make PostgreSQL raise (integer or date out of range) at read time."""

from __future__ import annotations

MAX_LENGTH = 1_000_000  # LEFT/RIGHT
MAX_DIGITS = 100  # ROUND
MAX_AMOUNT = {  # DATEADD, per unit: about 2,700 years either way, within int4
    "days": 1_000_000, "weeks": 150_000, "months": 33_000, "years": 2_700,
    "hours": 24_000_000, "minutes": 1_440_000_000, "seconds": 2_000_000_000,
}
