"""Rich text's nesting, counted in one linear pass over its tags before nh3 parses it.

nh3's parser (html5ever) scans its stack of open elements, and its list of active formatting
elements, for many tags, so its time grows with the square of the nesting (measured: 20,000
`<div>` 0.7 s; 20,000 `<div/>` or `<div></span>` the same; 20,000 `<b title=…>` 9 s).

nh3 parses what `prepared` returns, never the original: raw-text elements (script, style,
textarea…) and CDATA sections are removed with their content (nh3 would drop most of it anyway),
because whether they are raw text depends on context (SVG's `<style>` is not). Without them,
this tokenizer splits tags, attributes and comments exactly as HTML's does, so the count is
conservative — never shallower than the parser's stack:
- a start tag opens an element unless it is void (`<br>`, `<img>`…); a self-closing slash does
  not count: HTML ignores it on `<div/>`, which opens a div (only SVG and MathML honour it);
- an end tag closes the element on top of the stack only (or, if HTML treats it as special,
  e.g. `</div>`, the one below implied ones such as `<p>` or `<li>`); one that closes nothing is
  ignored, as the parser ignores it: counting it down would make `<div></span>` look flat;
- `<p>`, `<li>`, `<td>`… close a sibling of their kind on top of the stack, as the parser does.
"""

from __future__ import annotations

import re
import string
from functools import cache

_TOKEN = re.compile(r"""
    <!--(?:-?>|.*?(?:--!?>|\Z))                        # comment, ended where HTML ends it
  | (<!\[CDATA\[.*?(?:\]\]>|\Z))                       # CDATA (1): removed
  | <[!?][^>]*+>?  |  </(?![A-Za-z])[^>]*+>?           # doctype, bogus comments
  | <(/?)([A-Za-z][^\t\n\f\r\x20/>]*+)                 # tag (2: end?, 3: name)
    (?: [\t\n\f\r\x20]++ | /(?!>)
      | [^\t\n\f\r\x20/>][^\t\n\f\r\x20/>=]*+          # attribute name [= value]
        (?:[\t\n\f\r\x20]*+=[\t\n\f\r\x20]*+(?:"[^"]*+"|'[^']*+'|[^\t\n\f\r\x20>]*+))?+
    )*+ /?>?
""", re.S | re.X)

_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)  # HTML lowers ASCII only
RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed",
                      "noframes", "noscript", "plaintext"})
VOID = frozenset({"br", "embed", "hr", "img", "meta"})  # void even inside SVG/MathML
VOID_IN_HTML = frozenset({"area", "base", "basefont", "bgsound", "col", "frame", "input",
                          "keygen", "link", "param", "source", "track", "wbr"})
IMPLIED = frozenset({"dd", "dt", "li", "optgroup", "option", "p", "rb", "rp", "rt", "rtc"})
SPECIAL = frozenset({
    "address", "applet", "article", "aside", "blockquote", "body", "button", "caption", "center",
    "colgroup", "dd", "details", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
    "footer", "form", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup",
    "html", "li", "listing", "main", "marquee", "menu", "nav", "object", "ol", "p", "pre",
    "search", "section", "select", "summary", "table", "tbody", "td", "template", "tfoot", "th",
    "thead", "tr", "ul"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CLOSES_TOP = {"p": {"p"}, "li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"},
               "option": {"option"}, "optgroup": {"option"}, "tr": {"tr"},
               "td": {"td", "th"}, "th": {"td", "th"}, **dict.fromkeys(HEADINGS, HEADINGS)}
CLOSES_P = frozenset({"address", "article", "aside", "blockquote", "center", "details", "dialog",
                      "dir", "div", "dl", "fieldset", "figcaption", "figure", "footer", "form",
                      "header", "hgroup", "hr", "main", "menu", "nav", "ol", "pre", "search",
                      "section", "summary", "table", "ul", *HEADINGS})


class TooDeep(ValueError):
    """More elements open at once than allowed."""


@cache
def _raw_end(name: str) -> re.Pattern[str]:
    return re.compile(rf"</{name}(?=[\t\n\f\r\x20/>])", re.I | re.A)


def prepared(html: str, max_depth: int) -> str:
    """The HTML nh3 may parse (raw-text elements and CDATA removed), or `TooDeep`."""
    stack: list[str] = []
    kept: list[str] = []
    done = 0
    while (cut := _scan(html, done, stack, max_depth)) is not None:
        kept.append(html[done:cut[0]])
        done = cut[1]
    kept.append(html[done:])
    return "".join(kept)


def _scan(html: str, position: int, stack: list[str], max_depth: int) -> tuple[int, int] | None:
    """Open and close elements from `position` on, up to the next CDATA section or raw-text
    element: its span is returned, and scanning starts again after it, where HTML does."""
    for token in _TOKEN.finditer(html, position):
        name = token[3]
        if name is None:
            if token[1]:
                return token.start(), token.end()
            continue
        name = name.lower() if name.isascii() else name.translate(_LOWER)
        if token[2]:
            _close(stack, name)
        elif name in RAW_TEXT:
            return token.start(), _end_of_raw(html, token.end(), name)
        else:
            _open(stack, name, max_depth)
    return None


def _end_of_raw(html: str, start: int, name: str) -> int:
    """Where the raw text of element `name` ends, its end tag included (EOF if it never does)."""
    end = _raw_end(name).search(html, start) if name != "plaintext" else None
    if end is None:
        return len(html)
    end_tag = _TOKEN.match(html, end.start())
    assert end_tag is not None  # "</name" followed by a delimiter is always an end tag
    return end_tag.end()


def _open(stack: list[str], name: str, max_depth: int) -> None:
    if name in VOID or (name in VOID_IN_HTML and "svg" not in stack and "math" not in stack):
        return
    if stack and (stack[-1] in _CLOSES_TOP.get(name, ()) or (
            stack[-1] == "p" and name in CLOSES_P)):
        stack.pop()
    stack.append(name)
    if len(stack) > max_depth:
        raise TooDeep(f"must not nest elements more than {max_depth} levels deep")


def _close(stack: list[str], name: str) -> None:
    i = len(stack) - 1
    if name in SPECIAL:
        while i >= 0 and stack[i] != name and stack[i] in IMPLIED:
            i -= 1
    if i >= 0 and stack[i] == name:
        del stack[i:]
