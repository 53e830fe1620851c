"""A realistic slice of the production CRM in shared/seeds/001 (contacts, pipelines, statuses,
sessions, messages), built at runtime through the API and exercised end to end."""

from __future__ import annotations

from tests.api.builders import add_field, link, make_object, make_record, ok, relate

STATUS_TYPES = {"options": [{"value": v, "label": v.title()} for v in ("open", "won", "lost")]}
SESSION_STATUS = {"options": [{"value": "active", "label": "Active"},
                              {"value": "ended", "label": "Ended"}], "default": "active"}


async def build_crm(api):
    await make_object(api, "contact", plural_name="contacts")
    await add_field(api, "contact", "name", is_required=True)
    await add_field(api, "contact", "email", "email", is_unique=True)
    await add_field(api, "contact", "phone", "phone", {"default_region": "BR"})
    await add_field(api, "contact", "language", "select",
                    {"options": [{"value": "en", "label": "English"},
                                 {"value": "pt", "label": "Portuguese"}], "default": "en"})
    await add_field(api, "contact", "tags", "json", {"schema": {"type": "array",
                                                               "items": {"type": "string"}}})
    await add_field(api, "contact", "last_interaction_at", "datetime")
    await make_object(api, "pipeline")
    await add_field(api, "pipeline", "pipeline_name", is_required=True)
    await add_field(api, "pipeline", "active", "boolean", {"default": True})
    await add_field(api, "pipeline", "session_timeout_minutes", "number",
                    {"integer": True, "min": 1})
    await make_object(api, "pipeline_status")
    await add_field(api, "pipeline_status", "status_name", is_required=True)
    await add_field(api, "pipeline_status", "status_type", "select", STATUS_TYPES,
                    is_required=True)
    await add_field(api, "pipeline_status", "position", "number", {"integer": True,
                                                                   "default": 0})
    await make_object(api, "session")
    await add_field(api, "session", "started_at", "datetime", is_required=True)
    await add_field(api, "session", "session_status", "select", SESSION_STATUS)
    await add_field(api, "session", "sentiment_score", "number", {"min": -1, "max": 1,
                                                                  "precision": 2})
    await add_field(api, "session", "resolved", "boolean", {"default": False})
    await make_object(api, "message")
    await add_field(api, "message", "body", "long_text", is_required=True)
    await add_field(api, "message", "sent_at", "datetime", is_required=True)
    return {
        "statuses": await relate(api, "pipeline_statuses", "pipeline", "pipeline_status", "1:N",
                                 "cascade"),
        "sessions": await relate(api, "contact_sessions", "contact", "session", "1:N",
                                 "cascade"),
        "messages": await relate(api, "session_messages", "session", "message", "1:N",
                                 "cascade"),
        "stage": await relate(api, "contact_pipeline_status", "contact", "pipeline_status",
                              "N:N"),
    }


async def test_crm_slice_end_to_end(api, owner_db, workspace_id):
    rels = await build_crm(api)
    sales = await make_record(api, "pipeline", pipeline_name="Sales",
                              session_timeout_minutes=30)
    assert sales["data"]["active"] is True
    stages = [await make_record(api, "pipeline_status", status_name=n, status_type=t,
                                position=i)
              for i, (n, t) in enumerate([("New", "open"), ("Won", "won")])]
    for stage in stages:
        await link(api, rels["statuses"]["id"], sales["id"], stage["id"])
    maria = await make_record(api, "contact", name="Maria Silva", email="Maria@Exemplo.com.br",
                              phone="(11) 91234-5678", language="pt", tags=["vip", "sp"],
                              last_interaction_at="2026-11-20T09:30:00-03:00")
    assert maria["data"]["email"] == "maria@exemplo.com.br"
    assert maria["data"]["phone"] == "+5511912345678"
    assert maria["data"]["last_interaction_at"] == "2026-11-20T12:30:00Z"
    await link(api, rels["stage"]["id"], maria["id"], stages[0]["id"])
    session = await make_record(api, "session", started_at="2026-11-20T12:00:00Z",
                                sentiment_score=0.75)
    assert session["data"]["session_status"] == "active"
    await link(api, rels["sessions"]["id"], maria["id"], session["id"])
    for i in range(3):
        message = await make_record(api, "message", body=f"Olá {i}",
                                    sent_at=f"2026-11-20T12:0{i}:00Z")
        await link(api, rels["messages"]["id"], session["id"], message["id"])
    expanded = await ok(await api.get(f"/api/records/{maria['id']}",
                                      params={"expand": "contact_sessions,"
                                                        "contact_pipeline_status"}))
    assert [s["id"] for s in expanded["related"]["contact_sessions"]] == [session["id"]]
    assert expanded["related"]["contact_pipeline_status"][0]["primary_value"] == "New"

    # Deleting the contact trashes its sessions and their messages (cascade chain) but not
    # the pipeline stage it was linked to (N:N, unlink).
    await ok(await api.delete(f"/api/records/{maria['id']}"), 204)
    live = await owner_db.fetch(
        "SELECT o.name, count(*) FROM records r JOIN objects o ON o.tenant_id = r.tenant_id"
        " AND o.id = r.object_id WHERE r.tenant_id = $1 AND r.deleted_at IS NULL"
        " GROUP BY o.name ORDER BY o.name", workspace_id)
    assert [tuple(r) for r in live] == [("pipeline", 1), ("pipeline_status", 2)]
    await ok(await api.post(f"/api/records/{maria['id']}/restore"))
    restored = await owner_db.fetchval(
        "SELECT count(*) FROM records WHERE tenant_id = $1 AND deleted_at IS NULL", workspace_id)
    assert restored == 8

    # Deleting the pipeline object removes statuses' links, keeps the other objects' data.
    await ok(await api.delete("/api/objects/pipeline"), 204)
    remaining = await owner_db.fetchval(
        "SELECT count(*) FROM relationships WHERE tenant_id = $1", workspace_id)
    assert remaining == 3
