"""`objectry schema pull|push` and `objectry gen types --url` against a live `objectry serve`
(tests/support/servers.py), as a CI job would run them: YAML and JSON files, dry run, the
destructive guard, errors printed with their details."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from objectry.cli import app
from tests.support.servers import Server, server_env, serving, sign_up

SCHEMA = {"format": "objectry-schema/1",
          "fields": [{"name": "title", "label": "Title", "type": "text"},
                     {"name": "amount", "label": "Amount", "type": "number"}],
          "objects": [{"name": "deal", "label": "Deal", "plural_name": "deals",
                       "fields": [{"field": "title", "is_required": True},
                                  {"field": "amount"}]}]}


@pytest.fixture(scope="module")
def live(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(Server(tmp_path_factory.mktemp("cli") / "data", database_url,
                        server_env())) as server:
        yield server


@pytest.fixture
def token(live: Server) -> str:
    return sign_up(live)["Authorization"].removeprefix("Bearer ")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_push_then_pull_yaml_and_json(live, token, tmp_path):
    source = tmp_path / "schema.yaml"
    source.write_text(yaml.safe_dump(SCHEMA))
    code, out, err = run("schema", "push", str(source), "--url", live.url, "--token", token,
                         "--dry-run")
    assert code == 0, err
    assert "create object deal" in out and "dry run: nothing changed" in out
    code, out, err = run("schema", "push", str(source), env={"OBJECTRY_URL": live.url,
                                                             "OBJECTRY_TOKEN": token})
    assert code == 0, err
    assert "create object_field deal.title" in out and "5 change(s)" in out
    code, out, _ = run("schema", "push", str(source), "--url", live.url, "--token", token)
    assert (code, out) == (0, "no changes\n")
    pulled = tmp_path / "pulled.yaml"
    code, _, err = run("schema", "pull", "-o", str(pulled), "--url", live.url, "--token", token)
    assert code == 0 and "wrote" in err
    document = yaml.safe_load(pulled.read_text())
    assert [o["name"] for o in document["objects"]] == ["deal"]
    assert list(document) == ["format", "fields", "objects", "relationships", "views",
                              "applications"]  # the server's order, kept
    as_json = tmp_path / "pulled.json"
    code, _, _ = run("schema", "pull", "-o", str(as_json), "--url", live.url, "--token", token)
    assert code == 0 and json.loads(as_json.read_text()) == document
    code, out, _ = run("schema", "pull", "--url", live.url, "--token", token)
    assert code == 0 and yaml.safe_load(out) == document


def test_destructive_push_needs_the_flag_and_errors_are_printed(live, token, tmp_path):
    source = tmp_path / "schema.json"
    source.write_text(json.dumps(SCHEMA))
    assert run("schema", "push", str(source), "--url", live.url, "--token", token)[0] == 0
    smaller = {**SCHEMA, "fields": SCHEMA["fields"][:1],
               "objects": [{**SCHEMA["objects"][0], "fields": SCHEMA["objects"][0]["fields"][:1]}]}
    source.write_text(json.dumps(smaller))
    code, _, err = run("schema", "push", str(source), "--url", live.url, "--token", token)
    assert code == 1
    assert "409 conflict" in err and "object_field.deal.amount" in err and "field.amount" in err
    code, out, _ = run("schema", "push", str(source), "--url", live.url, "--token", token,
                       "--allow-destructive")
    assert code == 0 and "delete field amount (destructive)" in out
    source.write_text(json.dumps({"format": "objectry-schema/1", "fields": [{"name": "X"}]}))
    code, _, err = run("schema", "push", str(source), "--url", live.url, "--token", token)
    assert code == 1 and "422 validation_failed" in err and "schema.fields.0.label" in err
    code, _, err = run("schema", "pull", "--url", live.url, "--token", "nope")
    assert code == 1 and "401" in err


def test_gen_types_from_a_server(live, token):
    with httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {token}"},
                      timeout=120) as api:
        assert api.post("/api/templates/crm/apply", json={}).status_code == 200
    code, out, err = run("gen", "types", "--lang", "typescript", "--url", live.url,
                         "--token", token)
    assert code == 0, err
    assert "export type Database" in out and "deals: DealTable" in out
    code, out, _ = run("gen", "types", "--lang", "python", "--url", live.url, "--token", token)
    assert code == 0 and "DealRow = TypedDict('DealRow', {" in out
    code, _, err = run("gen", "types", "--lang", "python", env={"OBJECTRY_URL": "",
                                                               "OBJECTRY_TOKEN": ""})
    assert code == 1 and "--schema FILE" in err


def test_gen_types_from_an_invalid_file(tmp_path):
    bad = tmp_path / "schema.yaml"
    bad.write_text(yaml.safe_dump({"format": "objectry-schema/1", "objects": [
        {"name": "deal", "label": "Deal", "fields": [{"field": "ghost"}]}]}))
    code, _, err = run("gen", "types", "--lang", "typescript", "--schema", str(bad))
    assert code == 1
    assert "objects.0.fields.0.field: no field 'ghost' in the document's fields" in err
