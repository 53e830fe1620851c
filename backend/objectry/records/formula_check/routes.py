"""HTTP route of the formula check (rules in service.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from objectry.records.formula_check import service
from objectry.records.formula_check.schemas import FormulaCheck
from objectry.web.bodies import body, documented
from objectry.web.context import Ctx
from objectry.web.openapi import errors

router = APIRouter(prefix="/api/objects", tags=["metadata"])


@router.post("/{ref}/formula/check", responses=errors(404),
             openapi_extra=documented(FormulaCheck))
async def check_formula(ctx: Ctx, ref: str, request: Request) -> Any:
    return await service.check(ctx, ref, await body(request, FormulaCheck))
