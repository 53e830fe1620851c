"""Patterns run on RE2: linear time, refused at save when RE2 cannot run them, with a reason."""

from __future__ import annotations

import time

import pytest

from objectry.fields import ValueProblem, get
from objectry.fields.regex import (
    MAX_PATTERN_LENGTH,
    RegexError,
    compile_regex,
    regex_problem,
    search,
    translate,
)
from objectry.fields.text import MAX_MATCH_SECONDS


def test_a_catastrophic_pattern_for_backtracking_engines_runs_in_linear_time():
    """`^(a+)+$` on 30 a's and a "!" takes Python's `re` minutes (it doubles per character)."""
    started = time.perf_counter()
    assert not search(r"^(a+)+$", "a" * 100_000 + "!")
    assert get("text").clean("a" * 30, {"pattern": r"^(a+)+$"}) == "a" * 30
    with pytest.raises(ValueProblem) as caught:
        get("text").clean("a" * 30 + "!", {"pattern": r"^(a+)+$"})
    assert caught.value.code == "pattern"
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(("pattern", "why"), [
    (r"(a)\1", "backreferences"),
    (r"(?P<x>a)(?P=x)", "backreferences"),
    (r"(?<n>a)\k<n>", "backreferences"),
    (r"(?=a)b", "look-aheads"),
    (r"a(?!b)", "look-aheads"),
    (r"(?<=a)b", "look-behinds"),
    (r"(?<!a)b", "look-behinds"),
    (r"a++", "possessive"),
    (r"(?>a)", "atomic"),
    (r"(", "missing )"),
    (r"a{2000}", "repetition"),
])
def test_patterns_re2_cannot_run_are_refused_saying_why(pattern, why):
    problem = regex_problem(pattern)
    assert problem is not None and why in problem and "RE2" in problem
    problems = get("text").validate_config({"pattern": pattern})
    assert [(p["field"], p["code"]) for p in problems] == [("config.pattern", "regex")]
    assert why in problems[0]["message"]


def test_oversized_patterns_are_refused():
    assert "at most" in regex_problem("a" * (MAX_PATTERN_LENGTH + 1))
    assert "instructions" in regex_problem(r"\p{L}" * 20)


@pytest.mark.parametrize(("pattern", "text", "matches"), [
    (r"[0-9]", "a1b", True),  # search, as JSON Schema's pattern
    (r"^a$", "a\n", False),  # `$` is the end of the text (ECMA-262), not before a final \n
    (r"^\u00e9$", "é", True),  # \uXXXX, as in ECMA-262 and Python
    (r"^\\u00e9$", "\\u00e9", True),  # an escaped backslash stays one
    (r"^ab\Z", "ab", True),  # Python's \Z is RE2's \z
    (r"^\p{Greek}+$", "αβγ", True),  # Unicode classes
    (r"(?i)^abc$", "ABC", True),
    (r"^\d+$", "١٢", False),  # \d is ASCII, as in ECMA-262 (Python's re would match)
])
def test_semantics(pattern, text, matches):
    assert search(pattern, text) is matches


def test_translation_only_touches_the_escapes_re2_spells_differently():
    assert translate(r"a\u0041\\u0041\Z\\Z") == r"a\x{0041}\\u0041\z\\Z"


def test_compile_errors_are_regex_errors():
    with pytest.raises(RegexError):
        compile_regex("(?=x)")


def test_a_pattern_too_costly_for_the_longest_text_is_refused():
    """RE2's worst case is its program size × the text's length; 1 s is the most allowed."""
    pattern = "[ab]*a[ab]{250}c"  # ~260 instructions: 1.3 s on 1,000,000 characters
    assert get("text").validate_config({"pattern": pattern, "max_length": 100_000}) == []
    problems = get("text").validate_config({"pattern": pattern, "max_length": 1_000_000})
    assert [(p["field"], p["code"]) for p in problems] == [("config.pattern", "regex")]
    assert "max_length" in problems[0]["message"]
    assert MAX_MATCH_SECONDS == 1.0


def test_a_bad_pattern_is_reported_with_other_problems():
    problems = get("text").validate_config({"min_length": 9, "max_length": 2,
                                            "pattern": "(?=a)"})
    assert sorted(p["code"] for p in problems) == ["range", "regex"]


def test_overrides_are_held_to_the_same_rules():
    from objectry.fields import validate_overrides

    problems = validate_overrides("text", {}, {"config": {"pattern": r"(a)\1"}})
    assert [(p["field"], p["code"]) for p in problems] == [
        ("field_overrides.config.pattern", "regex")]
