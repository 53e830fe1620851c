"""API fixtures: an HTTP client acting inside a fresh workspace of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import Request

from objectry.auth.principal import Principal
from objectry.deps import current_principal
from objectry.workspaces import create_workspace


async def _test_principal(request: Request) -> Principal:
    # Until accounts land, tests pick the workspace and role per request with headers.
    return Principal(workspace_id=request.headers["x-test-workspace"],
                     role=request.headers.get("x-test-role", "owner"), user_id="usr_test")


@pytest.fixture(scope="session")
def _principal_override(app: Any) -> None:
    app.dependency_overrides[current_principal] = _test_principal


@pytest.fixture
async def workspace_id(app: Any) -> str:
    return await create_workspace(app.state.objectry.pool, "test workspace")


@pytest.fixture
async def api(app: Any, workspace_id: str, _principal_override: None
              ) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://objectry.test",
                                 headers={"x-test-workspace": workspace_id}) as client:
        yield client
