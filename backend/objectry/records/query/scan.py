"""A cursor over one query parameter's text, for the hand-written grammars in `parse.py`
and `select.py`: position, small look-aheads, PostgREST's quoting, and error messages."""

from __future__ import annotations

import re

from objectry.records.query.errors import QueryError, syntax

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class Scanner:
    def __init__(self, text: str, what: str) -> None:
        self.text = text
        self.pos = 0
        self.what = what  # e.g. "filter (name=eq.x)", shown in errors

    @property
    def rest(self) -> str:
        return self.text[self.pos:]

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos:self.pos + n]

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def eat(self, token: str) -> bool:
        if self.text.startswith(token, self.pos):
            self.pos += len(token)
            return True
        return False

    def expect(self, token: str) -> None:
        if not self.eat(token):
            raise self.fail(f'expecting "{token}"')

    def end(self) -> None:
        if not self.at_end():
            raise self.fail("expecting end of input")

    def skip_spaces(self) -> None:
        while self.peek() == " ":
            self.pos += 1

    def identifier(self) -> str:
        match = IDENT.match(self.text, self.pos)
        if match is None:
            raise self.fail("expecting a name (letters, digits, _)")
        self.pos = match.end()
        return match.group()

    def quoted(self) -> str:
        """`"…"` with backslash escapes, as PostgREST reads quoted list and logic values."""
        self.expect('"')
        out: list[str] = []
        while not self.at_end():
            char = self.text[self.pos]
            self.pos += 1
            if char == '"':
                return "".join(out)
            if char == "\\":
                if self.at_end():
                    break
                char = self.text[self.pos]
                self.pos += 1
            out.append(char)
        raise self.fail("unterminated quoted value")

    def balanced(self, open_: str, close: str) -> str:
        """A raw `{…}` or `[…]` value: brackets balanced, quotes respected, kept verbatim."""
        start, depth, quoted = self.pos, 0, False
        while not self.at_end():
            char = self.text[self.pos]
            self.pos += 1
            if quoted:
                if char == "\\":
                    self.pos += 1
                elif char == '"':
                    quoted = False
            elif char == '"':
                quoted = True
            elif char == open_:
                depth += 1
            elif char == close:
                depth -= 1
                if depth == 0:
                    return self.text[start:self.pos]
        raise self.fail(f'unbalanced "{open_}"')

    def until(self, stops: str) -> str:
        """Raw characters up to (not including) the first of `stops` or the end."""
        start = self.pos
        while not self.at_end() and self.text[self.pos] not in stops:
            self.pos += 1
        return self.text[start:self.pos]

    def fail(self, detail: str) -> QueryError:
        near = self.text[self.pos:self.pos + 20] or "end of input"
        return syntax(f"failed to parse {self.what}",
                      f"{detail} at position {self.pos + 1} (near {near!r})")
