"""Regular expressions on RE2, the linear-time engine every user-given pattern runs on.

Python's `re` backtracks: `^(a+)+$` doubles its time with each character, and it holds the GIL
while it does. RE2 matches in time linear in the text (about 5 ns per character per program
instruction at worst, measured) and releases the GIL while matching, so a long match can run in
a worker thread while the event loop goes on. Semantics are JSON Schema's: `search`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TypeAlias

import re2

MAX_PATTERN_LENGTH = 4096
# RE2 instructions (`\p{L}` alone is ~1,200). What a match costs is instructions × characters:
# `[ab]*a[ab]{990}c` (997 instructions) takes 4.6 s on 1 MiB of random a/b, so callers bound
# that product (`worst_seconds`) wherever the text's length is known.
MAX_PROGRAM_SIZE = 20_000
SECONDS_PER_CHARACTER_INSTRUCTION = 5e-9  # the worst measured (RE2 falling back to its NFA)

Regex: TypeAlias = re2._Regexp  # noqa: SLF001 - the type re2.compile returns; the module names no other

# `\uXXXX` (ECMA-262 and Python) is `\x{XXXX}` in RE2, and Python's `\Z` is RE2's `\z`. The
# first alternative consumes escaped backslashes, so `\\u0041` stays a backslash and "u0041".
_TRANSLATED_ESCAPE = re.compile(r"\\(?:\\|u([0-9A-Fa-f]{4})|(Z))")

BACKREFERENCES = "backreferences such as \\1, \\k<name> and (?P=name) are not supported"
# RE2's "invalid perl operator" → what the pattern asked for that a linear-time engine cannot do.
_PERL_OPERATORS = {
    "(?=": "look-aheads such as (?=…) and (?!…) are not supported",
    "(?!": "look-aheads such as (?=…) and (?!…) are not supported",
    "(?<=": "look-behinds such as (?<=…) and (?<!…) are not supported",
    "(?<!": "look-behinds such as (?<=…) and (?<!…) are not supported",
    "(?>": "atomic groups (?>…) are not supported",
    "(?#": "comments (?#…) are not supported",
}


class RegexError(ValueError):
    """A pattern RE2 refuses, with a message for a person."""


def _options() -> re2.Options:
    options = re2.Options()
    options.never_capture = True  # only "does it match" is asked: smaller, faster programs
    options.log_errors = False  # RE2 would print every refused pattern on stderr
    return options


_OPTIONS = _options()


def translate(pattern: str) -> str:
    """The pattern with the escapes RE2 spells differently rewritten."""
    def rewrite(match: re.Match[str]) -> str:
        if match[1]:
            return f"\\x{{{match[1]}}}"
        return "\\z" if match[2] else match[0]

    return _TRANSLATED_ESCAPE.sub(rewrite, pattern)


def explain(pattern: str, error: str) -> str:
    """Why RE2 refused `pattern`, from its error text."""
    operator = error.removeprefix("invalid perl operator: ")
    reason = _PERL_OPERATORS.get(operator)
    if (operator == "(?P" and "(?P=" in pattern) or re.fullmatch(
            r"invalid escape sequence: \\[1-9k]", error):
        reason = BACKREFERENCES
    elif error.startswith("bad repetition operator: ") and error.endswith("+"):
        reason = "possessive quantifiers such as a++ are not supported"
    return f"RE2 (the linear-time regex engine) cannot run this pattern: {reason or error}"


@lru_cache(maxsize=1024)
def compile_regex(pattern: str) -> Regex:
    """The compiled pattern, or `RegexError`. No size caps: stored patterns and the ones
    jsonschema builds (all patternProperties joined with |) must still run."""
    try:
        return re2.compile(translate(pattern), _OPTIONS)
    except re2.error as exc:
        error = exc.args[0] if exc.args else "invalid"
        text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
        raise RegexError(explain(pattern, text)) from None


def search(pattern: str, text: str) -> bool:
    """Whether `pattern` matches anywhere in `text` (JSON Schema's `pattern` semantics)."""
    return compile_regex(pattern).search(text) is not None


def regex_problem(pattern: str) -> str | None:
    """Why a pattern cannot be saved (RE2 refuses it, or it is too large), or None."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"must be at most {MAX_PATTERN_LENGTH} characters"
    try:
        size = compile_regex(pattern).programsize
    except RegexError as exc:
        return str(exc)
    if size > MAX_PROGRAM_SIZE:
        return (f"is too large: its RE2 program has {size} instructions, "
                f"at most {MAX_PROGRAM_SIZE} are allowed")
    return None


def worst_seconds(pattern: str, length: int) -> float:
    """An upper bound of the time one search of a text of `length` characters may take."""
    return compile_regex(pattern).programsize * length * SECONDS_PER_CHARACTER_INSTRUCTION
