"""Rich text is held to 1 MB and 64 levels of nesting before nh3 (html5ever) parses it.

html5ever's time grows with the square of the nesting; each refused input below is one that
takes it seconds at 20,000-40,000 repetitions, and the count must never be shallower than its
stack of open elements (only ever deeper).
"""

from __future__ import annotations

import time

import pytest

from objectry.fields import ValueProblem, get
from objectry.fields.html_nesting import TooDeep, prepared
from objectry.fields.text import RICH_TEXT_MAX_BYTES, RICH_TEXT_MAX_DEPTH

NESTS = [  # (html, the depth this pass counts)
    ("<div>" * 5 + "x" + "</div>" * 5, 5),
    ("<div/>" * 5, 5),  # HTML ignores the slash: each opens a div
    ("<div></span>" * 5, 5),  # an end tag that closes nothing is ignored, as html5ever does
    ("<span><div></span>" * 3, 6),  # </span> cannot close across the div
    ("".join(f'<b title="{i}">' for i in range(5)), 5),
    ("".join(f'<p><b title="{i}"></p>x' for i in range(3)), 6),
    ('<div title="</div>">' * 4, 4),  # an end tag inside a quoted attribute is no end tag
    ("<div title='>'>" * 4, 4),
    ("<div><!--</div>-->" * 4, 4),  # nor inside a comment
    ("<div><!--></div>" * 4, 1),  # <!--> is a whole (empty) comment
    ("<div><![if x]></div>" * 4, 1),  # a bogus comment ends at its first >
    ("<svg><g/>" + "<path/>" * 3, 5),  # self-closing counts as open even in SVG (safe side)
]

FLAT = [  # each stays shallow however often it repeats
    "<br>" * 200 + "<br/>" * 200 + "<img src=x>" * 200 + "<hr/>" * 200,
    "<p>a" * 200,  # a <p> closes the <p> before it
    "<ul>" + "<li>a" * 200 + "</ul>",
    "<table><tr>" + "<td>a" * 200 + "</table>",
    "<h1>a<h2>b" * 200,
    "<p>hi <b>x</b> <i>y</i></p>" * 200,
    "<!--" + "<div>" * 200 + "-->",
    "<script>" + "<div>" * 200 + "</script>ok",
    "<textarea>" + "<div>" * 200 + "</textarea>",
    "<svg><![CDATA[" + "<g>" * 200 + "]]></svg>",
]


def depth(html: str) -> int:
    """The deepest nesting counted: the least cap `prepared` accepts `html` under."""
    low = 0
    while True:
        try:
            prepared(html, low)
            return low
        except TooDeep:
            low += 1


@pytest.mark.parametrize(("html", "expected"), NESTS)
def test_nesting_is_counted_as_deep_as_the_parser_goes(html, expected):
    assert depth(html) == expected


@pytest.mark.parametrize("html", FLAT)
def test_siblings_and_hidden_markup_do_not_nest(html):
    prepared(html, 3)


@pytest.mark.parametrize("html", [
    "<div>" * 40_000, "<div/>" * 40_000, "<div></span>" * 40_000,
    "".join(f'<b title="{i}">' for i in range(40_000)),
    "".join(f'<p><b title="{i}"></p>x' for i in range(20_000)),
])
def test_inputs_quadratic_for_html5ever_are_refused_at_once(html):
    started = time.perf_counter()
    with pytest.raises(ValueProblem) as caught:
        get("rich_text").clean(html, {})
    assert caught.value.code == "too_deep"
    assert time.perf_counter() - started < 0.5


def test_64_levels_pass_and_65_do_not():
    assert RICH_TEXT_MAX_DEPTH == 64
    html = "<div>" * 64 + "x" + "</div>" * 64
    assert get("rich_text").clean(html, {}) == html
    with pytest.raises(ValueProblem) as caught:
        get("rich_text").clean("<div>" * 65 + "x", {})
    assert caught.value.code == "too_deep"


def test_a_megabyte_of_maximally_nested_html_is_accepted():
    unit = "<div>" * 64 + "x" + "</div>" * 64
    html = unit * (RICH_TEXT_MAX_BYTES // len(unit))
    assert len(get("rich_text").clean(html, {})) == len(html)


def test_over_a_megabyte_is_refused_in_utf8_bytes():
    assert RICH_TEXT_MAX_BYTES == 1024 * 1024
    for text in ("x" * (RICH_TEXT_MAX_BYTES + 1), "é" * (RICH_TEXT_MAX_BYTES // 2 + 1)):
        with pytest.raises(ValueProblem) as caught:
            get("rich_text").clean(text, {})
        assert caught.value.code == "too_large"
    assert get("rich_text").clean("é" * (RICH_TEXT_MAX_BYTES // 2), {})


def test_raw_text_elements_and_cdata_go_with_their_content():
    """nh3 parses what the pass returns, so the two always read the same tags."""
    html = "<p>a</p><script>x</script ><STYLE>y</style><textarea>z</textarea><p>b</p>"
    assert prepared(html, 8) == "<p>a</p><p>b</p>"
    assert prepared("<p>a<![CDATA[</p>]]>b", 8) == "<p>ab"
    assert prepared("<p>a<script>never closed</p>", 8) == "<p>a"
    assert get("rich_text").clean("<p>a</p><title>t</title><p>b</p>", {}) == "<p>a</p><p>b</p>"


def test_tokens_are_split_as_html_splits_them():
    assert depth('<a href="x>y" title=\'<b>\'>') == 1
    assert depth("<a b=c/ d>") == 1
    assert depth("<DIV></div>" * 5) == 1  # tag names are ASCII case-insensitive
    assert depth("<a\u212a></ak>" * 5) == 5  # …but only ASCII: the Kelvin sign is no k
    assert depth("<div\xa0></div>" * 5) == 5  # U+00A0 is no HTML space: "div\xa0" ≠ "div"
    assert depth("< div><3 </ div>") == 0  # `<` before a space is text
