"""`objectry import` and `objectry export` against a real `objectry serve`, as a user runs
them: a CSV in, the job followed to its end, the exit status, and the export read back."""

from __future__ import annotations

import subprocess

import httpx

from tests.support.servers import OBJECTRY, Server, server_env, serving, sign_up


def objectry(*args: str, url: str, token: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([OBJECTRY, *args, "--url", url, "--token", token],
                          capture_output=True, text=True, timeout=120)


async def test_import_then_export_through_the_cli(tmp_path, new_database):
    url = await new_database("objectry_cli_import")
    with serving(Server(tmp_path / "data", url, server_env())) as server:
        headers = sign_up(server)
        token = headers["Authorization"].removeprefix("Bearer ")
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as api:
            assert api.post("/api/objects", json={"name": "contact", "label": "Contact"}
                            ).status_code == 201
            for name, type_ in (("name", "text"), ("email", "email"), ("age", "number")):
                assert api.post("/api/objects/contact/fields", json={
                    "name": name, "label": name.title(), "type": type_, "config": {},
                    "is_unique": name == "email"}).status_code == 201
        people = tmp_path / "people.csv"
        people.write_text("Name;Email;Age\nAda;ada@example.com;36\nBob;bob@example.com;4,5\n")
        done = objectry("import", str(people), "--object", "contact", url=server.url,
                        token=token)
        assert done.returncode == 0, done.stderr
        assert "succeeded: 2 created, 0 updated, 0 skipped of 2 rows" in done.stdout

        changed = tmp_path / "changed.csv"
        changed.write_text("email,age\nada@example.com,37\nnot-an-email,1\n")
        failed = objectry("import", str(changed), "--object", "contact", "--mode", "upsert",
                          "--match-on", "email", url=server.url, token=token)
        assert failed.returncode == 1
        assert "failed: 0 created, 0 updated, 1 skipped of 2 rows" in failed.stdout
        assert "row 2: email:" in failed.stdout
        skipped = objectry("import", str(changed), "--object", "contact", "--mode", "upsert",
                           "--match-on", "email", "--on-error", "skip", url=server.url,
                           token=token)
        assert skipped.returncode == 0, skipped.stdout
        assert "succeeded: 0 created, 1 updated, 1 skipped of 2 rows" in skipped.stdout

        out = tmp_path / "out.csv"
        exported = objectry("export", "--object", "contact", "-o", str(out), "--order",
                            "name.asc", "--header", "names", url=server.url, token=token)
        assert exported.returncode == 0, exported.stderr
        assert out.read_bytes() == (b"name,email,age\r\nAda,ada@example.com,37\r\n"
                                    b"Bob,bob@example.com,4.5\r\n")
        refused = objectry("export", "--object", "nothing", "-o", str(out), url=server.url,
                           token=token)
        assert refused.returncode == 1 and "no object 'nothing'" in refused.stderr
