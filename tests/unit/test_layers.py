"""Each test runs in one layer (`pytest -m unit|db|e2e`), chosen by its directory, and a unit
test never reaches the database."""

from __future__ import annotations

import pytest

from tests.support.layers import layer_of


@pytest.mark.parametrize(("directory", "fixtures", "layer"), [
    ("unit", ["tmp_path"], "unit"),
    ("api", ["api", "app", "settings", "database_url", "server_url"], "db"),
    ("db", ["new_database", "server_url"], "db"),
    ("system", ["tmp_path"], "db"),  # it starts the embedded PostgreSQL itself
    ("e2e", ["journey", "live_server", "server_url"], "e2e"),
    ("e2e", [], "e2e"),  # the admin's files, checked without a browser
    ("property", ["lab", "app", "server_url"], "db"),
    ("property", [], "unit"),
])
def test_a_test_belongs_to_its_directory_layer(directory: str, fixtures: list[str],
                                               layer: str) -> None:
    assert layer_of(directory, fixtures) == layer


def test_a_unit_test_that_uses_the_database_is_refused() -> None:
    with pytest.raises(pytest.UsageError, match="unit tests do no I/O"):
        layer_of("unit", ["owner_db", "database_url", "server_url"])


def test_this_test_is_marked_unit(request: pytest.FixtureRequest) -> None:
    assert [m.name for m in request.node.iter_markers()
            if m.name in ("unit", "db", "e2e")] == ["unit"]
