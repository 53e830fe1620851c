"""The e-mail field's fast path (a dot-atom local part at an ASCII host, the domain checked once
per domain) must give exactly the full email_validator check's verdict and stored value."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from objectry.fields.base import ValueProblem
from objectry.fields.contact import clean_email, clean_email_fully

# Characters that matter to one rule or another: atext, dots, @, quotes, spaces, non-ASCII.
LOCAL_CHARS = "aZ09._+-!#$%&'*/=?^`{|}~\"() ,:;<>@[\\]é\u00a0"
DOMAINS = ["example.com", "EXAMPLE.COM", "mail.example.co.uk", "xn--bcher-kva.example",
           "bücher.example", "localhost", "a.test", "b.local", "x.invalid", "123.456", "1.2.3.4",
           "[127.0.0.1]", "-bad.com", "bad-.com", "ex..com", ".example.com", "example.com.",
           "a_b.example", "example", "e" * 63 + ".com", "e" * 64 + ".com",
           ".".join(["abcdefghi"] * 25) + ".com", "ÉXAMPLE.com", "exam ple.com", ""]


def verdict(clean, address: str) -> str:
    try:
        return "ok:" + clean(address)
    except ValueProblem as problem:
        return f"problem:{problem.code}:{problem.message}"


@given(local=st.text(alphabet=LOCAL_CHARS, max_size=70), domain=st.sampled_from(DOMAINS),
       extra_at=st.booleans())
@settings(max_examples=1500, deadline=None)
@example(local="a" * 64, domain="e" * 63 + ".com", extra_at=False)
@example(local="a" * 65, domain="example.com", extra_at=False)
@example(local="a" * 240, domain="example.com", extra_at=False)  # 252 characters
@example(local="a" * 242, domain="example.com", extra_at=False)  # 254: the longest allowed
@example(local="a" * 243, domain="example.com", extra_at=False)  # 255
def test_fast_path_agrees_with_the_full_check(local: str, domain: str, extra_at: bool) -> None:
    address = f"{local}@{domain}" + ("@x.com" if extra_at else "")
    assert verdict(clean_email, address) == verdict(clean_email_fully, address)


@pytest.mark.parametrize(("address", "stored"), [
    ("Ann.Lee+crm@Example.COM", "ann.lee+crm@example.com"),
    ("x@xn--bcher-kva.example", "x@bücher.example"),  # IDNA: spelt out by the full check
])
def test_stored_forms(address: str, stored: str) -> None:
    assert clean_email(address) == stored


@pytest.mark.parametrize("address", ["a@localhost", "a@b.test", "a..b@example.com",
                                     "a@example.com.", "a@123.456", ".a@example.com"])
def test_refused(address: str) -> None:
    with pytest.raises(ValueProblem):
        clean_email(address)
