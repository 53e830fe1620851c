"""The workload of issue 6: a Contact object (8 fields of mixed types, two indexed, one unique)
and a Company object related 1:N (company → contacts), and deterministic rows for both.

Values are generated already in Objectry's stored (normalised) form, so the rows Objectry keeps
after validation and the rows COPYed into the ceiling database are the same.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

STATUSES = ("lead", "prospect", "customer", "churned", "partner")
AGE_MIN, AGE_MAX = 18, 80  # [min, max)
FIRST_DAY = dt.date(2015, 1, 1)
DAYS = 3650  # joined_on spans ten years: ~27 contacts per day at 100k
CONTACTS_PER_COMPANY = 20
RELATIONSHIP = "company_contacts"

# Field specs for POST /api/objects/{id}/fields (field body + object_field settings).
CONTACT_FIELDS: list[dict[str, Any]] = [
    {"name": "name", "label": "Name", "type": "text", "is_required": True},
    {"name": "email", "label": "Email", "type": "email", "is_unique": True},
    {"name": "phone", "label": "Phone", "type": "phone"},
    {"name": "age", "label": "Age", "type": "number",
     "config": {"integer": True, "min": 0, "max": 150}, "is_indexed": True},
    {"name": "status", "label": "Status", "type": "select", "is_indexed": True,
     "config": {"options": [{"value": s, "label": s.title()} for s in STATUSES]}},
    {"name": "joined_on", "label": "Joined on", "type": "date"},
    {"name": "vip", "label": "VIP", "type": "boolean"},
    {"name": "lifetime_value", "label": "Lifetime value", "type": "currency",
     "config": {"currency_code": "USD", "precision": 2}},
]
# Company reuses the workspace field `name` (fields are workspace-wide) and adds `domain`.
COMPANY_FIELDS: list[dict[str, Any]] = [
    {"name": "domain", "label": "Domain", "type": "text"},
]
INDEXED = ("age", "status")
UNIQUE = ("email",)


def contact(i: int, rng: random.Random) -> dict[str, Any]:
    """Contact number i, keyed by field name, values in stored form."""
    return {
        "name": f"Contact {i:07d}",
        "email": f"contact{i}@example.com",
        "phone": f"+3361{rng.randrange(1_000_000, 9_999_999)}",
        "age": rng.randrange(AGE_MIN, AGE_MAX),
        "status": STATUSES[rng.randrange(len(STATUSES))],
        "joined_on": (FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))).isoformat(),
        "vip": rng.random() < 0.1,
        "lifetime_value": rng.randrange(0, 10_000_000) / 100,
    }


def contacts(count: int, seed: int = 6) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for i in range(count):
        yield contact(i, rng)


def company(i: int) -> dict[str, Any]:
    return {"name": f"Company {i:06d}", "domain": f"company{i}.example.com"}


def company_count(contact_count: int) -> int:
    return max(1, contact_count // CONTACTS_PER_COMPANY)


def company_of(contact_index: int, companies: int) -> int:
    """Contact i works at company i mod companies: every contact has exactly one company."""
    return contact_index % companies


def new_contact(tag: str) -> dict[str, Any]:
    """A body for the create operation; the load generator fills {uniq}, {age} and {date}, so
    created contacts look like seeded ones (create is measured after the lists, which thus see
    the seeded, linked contacts first)."""
    return {"name": "Bench {uniq}", "email": "bench-" + tag + "-{uniq}@example.com",
            "phone": "+33612345678", "age": "{age}", "status": "lead", "joined_on": "{date}",
            "vip": False, "lifetime_value": 1234.5}
