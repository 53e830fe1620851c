"""Builder functions for API tests: terse, explicit, and checking every status they rely on."""

from __future__ import annotations

from typing import Any

import httpx


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json() if response.content else None


async def make_object(api: httpx.AsyncClient, name: str, **extra: Any) -> dict[str, Any]:
    body = {"name": name, "label": name.replace("_", " ").title(), **extra}
    return await ok(await api.post("/api/objects", json=body), 201)


async def add_field(api: httpx.AsyncClient, obj: str, name: str, type_: str = "text",
                    config: dict[str, Any] | None = None, **settings: Any) -> dict[str, Any]:
    """Create a field and attach it to `obj` in one step (POST /api/objects/{id}/fields)."""
    body = {"name": name, "label": name.replace("_", " ").title(), "type": type_,
            "config": config or {}, **settings}
    return await ok(await api.post(f"/api/objects/{obj}/fields", json=body), 201)


async def make_record(api: httpx.AsyncClient, obj: str, **data: Any) -> dict[str, Any]:
    return await ok(await api.post("/api/records", json={"object": obj, "data": data}), 201)


async def relate(api: httpx.AsyncClient, name: str, source: str, target: str, type_: str,
                 on_delete: str = "unlink") -> dict[str, Any]:
    body = {"name": name, "from_object_id": source, "to_object_id": target, "type": type_,
            "from_label": source.title(), "to_label": target.title(), "on_delete": on_delete}
    return await ok(await api.post("/api/relationships", json=body), 201)


async def link(api: httpx.AsyncClient, rel: str, source: str, target: str,
               status: int = 201) -> Any:
    body = {"relationship_id": rel, "from_record_id": source, "to_record_id": target}
    return await ok(await api.post("/api/relationship-records", json=body), status)


def codes(response: httpx.Response) -> list[tuple[str, str]]:
    """The (field, code) pairs of an error response's details."""
    return [(d["field"], d["code"]) for d in response.json()["error"]["details"]]
