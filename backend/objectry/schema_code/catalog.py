"""Templates: ready schema documents (package data, `templates/*.yaml`) installed by a schema
apply, with sample records and their links if asked.

A template adds to a workspace and never takes away: what the workspace has stays, the
template's entries are added, and an entry the workspace already has under the same name must
be the same, else the whole template is refused (409 naming each). Applying it twice changes
nothing the second time; sample records go only into the objects that apply creates.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from objectry.errors import Conflict, NotFound, detail
from objectry.metadata import relationships
from objectry.metadata.schemas import LinkCreate
from objectry.records import bulk
from objectry.schema_code import apply as applying
from objectry.schema_code import document, export
from objectry.schema_code.diff import KINDS, Change, entries
from objectry.web.context import Context


@cache
def _all() -> dict[str, dict[str, Any]]:
    found = {}
    for item in sorted(resources.files(__package__).joinpath("templates").iterdir(),
                       key=lambda i: i.name):
        if item.name.endswith(".yaml"):
            template = yaml.safe_load(item.read_text(encoding="utf-8"))
            template["schema"] = document.read(template["schema"])
            found[template["name"]] = template
    return found


def listed() -> dict[str, Any]:
    return {"items": [{"name": t["name"], "label": t["label"], "description": t["description"],
                       "objects": [o["name"] for o in t["schema"]["objects"]],
                       "object_count": len(t["schema"]["objects"])} for t in _all().values()]}


def get(name: str) -> dict[str, Any]:
    template = _all().get(name)
    if template is None:
        raise NotFound(f"no template {name!r}")
    return template


def merged(current: dict[str, Any], template: dict[str, Any]) -> dict[str, Any]:
    """The workspace's document with the template's entries added; 409 if an entry of the
    same name differs."""
    have, add = entries(current), entries(template)
    clashes = [(kind, name) for kind in KINDS for name, entry in sorted(add[kind].items())
               if name in have[kind] and have[kind][name] != entry]
    if clashes:
        raise Conflict(f"the workspace already has {len(clashes)} thing(s) this template defines"
                       " differently", [detail(f"{kind}.{name}", "conflict", f"{kind} {name!r}"
                                               " exists and differs from the template's")
                                        for kind, name in clashes])
    both = {kind: {**add[kind], **have[kind]} for kind in KINDS}
    attached: dict[str, list[dict[str, Any]]] = {}
    for entry in both["object_field"].values():
        attached.setdefault(entry["object"], []).append(
            {k: v for k, v in entry.items() if k != "object"})
    return document.normal({
        "format": document.FORMAT, "fields": list(both["field"].values()),
        "objects": [{**o, "fields": attached.get(o["name"], [])}
                    for o in both["object"].values()],
        "relationships": list(both["relationship"].values()),
        "views": list(both["view"].values()),
        "applications": list(both["application"].values())})


async def install(ctx: Context, name: str, *, with_sample_records: bool) -> dict[str, Any]:
    template = get(name)
    desired = merged((await export.current(ctx)).document, template["schema"])

    async def samples(inner: Context, changes: list[Change]) -> None:
        created = {c.name for c in changes if c.kind == "object" and c.op == "create"}
        await _insert_samples(inner, template.get("samples") or {}, created)

    report = await applying.apply(ctx, desired, extra=samples if with_sample_records else None)
    return {"template": name, **report}


async def _insert_samples(ctx: Context, samples: dict[str, Any], objects: set[str]) -> None:
    """The sample records of the objects just created (in one bulk each), then their links."""
    ids: dict[str, str] = {}
    for object_name, rows in samples.get("records", {}).items():
        if object_name not in objects:
            continue
        made = await bulk.bulk(ctx, {"object": object_name, "mode": "insert",
                                     "records": [{"data": r["data"]} for r in rows]})
        ids.update({r["key"]: m["id"] for r, m in zip(rows, made["items"], strict=True)})
    for relationship, source, target in samples.get("links", []):
        if source in ids and target in ids:
            await relationships.link(ctx, LinkCreate(relationship_id=relationship,
                                                     from_record_id=ids[source],
                                                     to_record_id=ids[target]))
