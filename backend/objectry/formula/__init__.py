"""The formula language of computed fields: `check` parses and type-checks an expression,
`to_sql` compiles it to (IMMUTABLE when deterministic) SQL, `evaluate` computes it in Python
with the same semantics. Pure: no I/O. The language is described in docs/API.md."""

from objectry.formula.check import Checked, check
from objectry.formula.errors import FormulaInvalid, FormulaProblem
from objectry.formula.evaluate import evaluate
from objectry.formula.nodes import FormulaType
from objectry.formula.sql import to_sql

__all__ = ["Checked", "FormulaInvalid", "FormulaProblem", "FormulaType", "check", "evaluate",
           "to_sql"]
