"""The operations of issue 6, as request templates for Objectry and for the ceiling app."""

from __future__ import annotations

import orjson

from bench import workload as w
from bench.loadgen import Op

JSON = {"content-type": "application/json"}
LIST = "order=created_at.desc&limit=50"
EMBED = f"company:{w.RELATIONSHIP}(name)"
PATCH_BODY = orjson.dumps({"data": {"lifetime_value": 99.5}}).decode()
REST_PATCH_BODY = orjson.dumps({"lifetime_value": 99.5}).decode()

# name → what the report calls it, in report order
LABELS = {
    "create": "create one record",
    "rest_create": "/rest/v1 create, return=representation",
    "get": "get by id",
    "get_signed_in": "get by id, signed in (session JWT)",
    "list_indexed": "list 50, indexed filter + order",
    "list_unindexed": "list 50, unindexed filter",
    "patch": "PATCH one field, If-Match",
    "rest_patch": "/rest/v1 PATCH one field by id",
    "rest_list": "/rest/v1 list 50 (no embed)",
    "rest_embed": "/rest/v1 list 50 + company embedded",
}
PROFILE_LABELS = {**LABELS, "bulk": "bulk import (POST /api/records/bulk, 10k per call)"}


def _contact(tag: str) -> str:
    return orjson.dumps(w.new_contact(tag)).decode().replace('"{age}"', "{age}")


def _create_body(tag: str, wrapper: str) -> str:
    return f'{{"object":"{wrapper}","data":{_contact(tag)}}}'


def objectry_ops(tag: str, auth: dict[str, str], session: str | None = None
                 ) -> dict[str, Op]:
    """`auth`: the API token's header, which every request carries but `get_signed_in`'s:
    that one sends `session`, a session JWT, as a signed-in app does (only when given)."""
    h = {**auth}
    made = {
        "create": Op("create", "POST", "/api/records", _create_body(tag, "contact"),
                     {**h, **JSON}),
        "rest_create": Op("rest_create", "POST", "/rest/v1/contact", _contact(tag),
                          {**h, **JSON, "Prefer": "return=representation"}),
        "get": Op("get", "GET", "/api/records/{id}", headers=h),
        "list_indexed": Op("list_indexed", "GET",
                           f"/api/records?object=contact&age=eq.{{age}}&{LIST}", headers=h),
        "list_unindexed": Op("list_unindexed", "GET",
                             f"/api/records?object=contact&joined_on=eq.{{date}}&{LIST}",
                             headers=h),
        "patch": Op("patch", "PATCH", "/api/records/{pid}", PATCH_BODY,
                    {**h, **JSON, "If-Match": '"{ver}"'}),
        # supabase-js's .update(values).eq('id', id), without If-Match. On the PATCH pool
        # ({pid}, measured after the If-Match PATCH, which no later run repeats), never {id}:
        # that draws from every seeded id, the spare ones too, whose version the statement
        # count of the If-Match PATCH (roundtrips.py) expects to be 1.
        "rest_patch": Op("rest_patch", "PATCH", "/rest/v1/contact?id=eq.{pid}", REST_PATCH_BODY,
                         {**h, **JSON}),
        "rest_list": Op("rest_list", "GET", f"/rest/v1/contact?select=*&age=eq.{{age}}&{LIST}",
                        headers=h),
        "rest_embed": Op("rest_embed", "GET",
                         f"/rest/v1/contact?select=*,{EMBED}&age=eq.{{age}}&{LIST}",
                         headers=h),
    }
    if session is not None:
        made["get_signed_in"] = Op("get_signed_in", "GET", "/api/records/{id}",
                                   headers={"authorization": f"Bearer {session}"})
    return made


def ceiling_ops(tag: str) -> dict[str, Op]:
    return {
        "create": Op("create", "POST", "/records", _create_body(tag, "contact"), JSON),
        "get": Op("get", "GET", "/records/{id}"),
        # The ceiling has no sign-in: its GET again, in the slot of Objectry's signed-in one.
        "get_signed_in": Op("get_signed_in", "GET", "/records/{id}"),
        "list_indexed": Op("list_indexed", "GET", "/contacts?age={age}&limit=50"),
        "list_unindexed": Op("list_unindexed", "GET", "/contacts?joined_on={date}&limit=50"),
        "patch": Op("patch", "PATCH", "/records/{pid}", PATCH_BODY,
                    {**JSON, "If-Match": '"{ver}"'}),
        # Its PATCH again, without If-Match, at the point where Objectry's /rest/v1 PATCH runs:
        # the pool's second pass, whose pages the first one already rewrote since the
        # checkpoint (at 100k the first pass's full-page images and hint bits cost Objectry's
        # PATCH 357 µs of database CPU against 223 for the second).
        "rest_patch": Op("rest_patch", "PATCH", "/records/{pid}", PATCH_BODY, JSON),
        "rest_embed": Op("rest_embed", "GET", "/contacts?age={age}&embed=company&limit=50"),
        # The ceiling has one list shape and one create (which returns the record, as
        # return=representation does). Each is measured again where Objectry's /rest/v1 twin
        # runs, not reused from its earlier slot, so both apps meet the same machine and table
        # state there (autovacuum after the creates, the other app's background work): the
        # ceiling's create measured in the next slot has run at 2,193 req/s against 2,923 in
        # its own (bench/notes.md, thirteenth round).
        "rest_list": Op("rest_list", "GET", "/contacts?age={age}&limit=50"),
        "rest_create": Op("rest_create", "POST", "/records", _create_body(tag, "contact"), JSON),
    }


def concrete(template: str, record_id: str, uniq: str) -> str:
    """A template with fixed values, for the one probe request before a load."""
    values = {"{id}": record_id, "{pid}": record_id, "{ver}": "1", "{uniq}": uniq,
              "{age}": "42", "{date}": "2020-02-02"}
    for key, value in values.items():
        template = template.replace(key, value)
    return template


def concrete_headers(headers: dict[str, str], record_id: str, uniq: str) -> dict[str, str]:
    return {k: concrete(v, record_id, uniq) for k, v in headers.items()}
