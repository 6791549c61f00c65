"""Hypothesis strategies for what a server, a file or a person may hand us.

Texts mix the awkward on purpose: empty, huge, control characters, the
right-to-left and zero-width marks that come along when text is copied from
a web page, blanks and newlines around a paste. Server answers mix a status
code, headers (cookies, Retry-After, content types) and a body that may be
the API's JSON with wrong types, truncated JSON, HTML, or bytes.

Four kinds of input here crashed the program when this suite first ran them
(see ``test_findings.py``, which keeps a regression test for each): a
``Content-Encoding`` the body does not match, JSON integers beyond a float's
range, JSON nested thousands deep, and lone surrogates (what
``surrogateescape`` makes of bytes on standard input that are not UTF-8).
They are generated like everything else. Only the window's form leaves out
the surrogates: no keyboard types them and Qt cannot hold them.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import strategies as st

# Marks that ride along with copied text and do not show on screen.
INVISIBLE = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2069\ufeff"
)
BLANKS = " \t\r\n\u00a0\u2003\u3000"

# Integers well past what a float holds (10**308).
HUGE = 10**400

plain_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=80)
surrogates = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3)
awkward_chars = st.sampled_from(list(INVISIBLE + BLANKS)) | st.characters(
    max_codepoint=0x1F
)
awkward_text = st.text(awkward_chars, max_size=20)
huge_text = st.builds(
    lambda unit, times: unit * times,
    st.text(min_size=1, max_size=3),
    st.integers(2_000, 100_000),
)
typed_text = st.one_of(plain_text, awkward_text, huge_text, st.just(""))
any_text = typed_text | st.lists(plain_text | surrogates, max_size=4).map("".join)


def mixed(
    *parts: st.SearchStrategy[str], typed: bool = False
) -> st.SearchStrategy[str]:
    """Concatenations of pieces drawn from ``parts`` and awkward text.

    ``typed``: only what a keyboard or a paste can produce (no surrogates).
    """
    extra = () if typed else (surrogates,)
    piece = st.one_of(*parts, awkward_text, plain_text, *extra)
    return st.lists(piece, max_size=5).map("".join)


# -- tokens and credentials ---------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(payload: dict[str, Any] | None = None) -> str:
    """A token shaped like the API's (the client checks the shape only)."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(payload or {"sub": "x"}).encode())
    return f"{header}.{body}.{_b64(b'signature')}"


jwts = st.builds(lambda n: jwt({"n": n}), st.integers(0, 10**9))
broken_jwts = st.sampled_from(
    ["", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.bm90LWpzb24", "x" * 40, "e30.e30.e30", "..."]
)
app_passwords = st.text("0123456789abcdef", min_size=32, max_size=32).map(
    lambda hexa: f"app_a7_{hexa}"
)

# -- JSON ---------------------------------------------------------------------

json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-HUGE, HUGE),
    st.floats(allow_nan=False, allow_infinity=False),
    plain_text,
)
json_values = st.recursive(
    json_leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(plain_text, inner, max_size=4)
    ),
    max_leaves=12,
)
numbers = st.one_of(
    st.sampled_from([0, -1, 1, 28800, 14400, 7 * 24 * 3600 + 1, 1e308, -0.0]),
    st.integers(-HUGE, HUGE),
    st.floats(allow_nan=False),
    st.text(max_size=8),
)
organizations = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "id": plain_text | json_values,
            "name": plain_text | json_values,
            "role": plain_text | json_values,
        },
    ),
    max_size=3,
)
ERROR_CODES = [
    "invalid_credentials", "rate_limited", "locked_out", "refresh_token_missing",
    "refresh_token_invalid", "refresh_token_expired", "refresh_token_reused",
    "refresh_token_revoked", "fingerprint_mismatch", "device_limit_reached",
    "token_expired", "token_invalid", "token_revoked", "invalid_app_password",
    "invalid_google_token", "forbidden", "not_found", "invalid_api_key",
    "bad_request",
]  # fmt: skip


def api_objects(echo: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    """JSON objects with the API's field names and any values.

    ``echo`` supplies text the server might repeat back (a secret it was sent),
    mixed into the ``message`` the client may show.
    """
    return st.fixed_dictionaries(
        {},
        optional={
            "accessToken": jwts | broken_jwts | json_values,
            "expiresIn": numbers | json_values,
            "email": plain_text | json_values,
            "organizationsRoles": organizations | json_values,
            "defaultOrganization": organizations.map(lambda o: o[0] if o else {})
            | json_values,
            "authType": st.sampled_from(["password", "app_password"]) | json_values,
            "appPasswordName": plain_text | json_values,
            "error": st.sampled_from(ERROR_CODES) | json_values,
            "message": mixed(echo) | json_values,
            "token": app_passwords | json_values,
            "id": plain_text | st.integers() | json_values,
            "name": plain_text | json_values,
            "isActive": st.booleans() | json_values,
            "createdAt": plain_text | json_values,
            "servers": st.lists(json_values, max_size=3) | json_values,
            "status": st.just("ok") | json_values,
        },
    )


def bodies(echo: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """A response body: the API's JSON (whole or cut), other JSON, HTML, bytes."""
    documents = api_objects(echo) | st.lists(api_objects(echo), max_size=3)
    encoded = documents.map(lambda doc: json.dumps(doc).encode())
    cut = st.tuples(encoded, st.floats(0, 1)).map(
        lambda pair: pair[0][: int(len(pair[0]) * pair[1])]
    )
    html = mixed(echo).map(
        lambda text: f"<html><body>{text}</body></html>".encode(
            "utf-8", "surrogatepass"
        )
    )
    return st.one_of(
        encoded,
        cut,
        json_values.map(lambda value: json.dumps(value).encode()),
        html,
        any_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.binary(max_size=512),
        deep_json.map(str.encode),
    )


def _nested(depth: int, closed: bool) -> str:
    inner = "[" * depth + '{"expiresIn": 1}' * closed
    return inner + "]" * depth * closed


# JSON nested far deeper than Python's parser recurses (closed, or cut off).
deep_json = st.builds(_nested, st.integers(900, 20_000), st.booleans())


statuses = st.one_of(
    st.sampled_from(
        [200, 201, 204, 301, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503]
    ),
    st.integers(100, 599),
)
_header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60
)
retry_after_values = st.one_of(
    st.sampled_from(["0", "120", "-5", "1e9", "nan", "inf", "soon", "", "  7  "]),
    st.integers(-(10**12), 10**12).map(str),
    st.datetimes().map(lambda moment: moment.strftime("%a, %d %b %Y %H:%M:%S GMT")),
    _header_text,
)
cookies = st.one_of(
    st.builds(
        lambda value, extra: f"refreshToken={value}{extra}",
        _header_text.filter(lambda t: ";" not in t),
        st.sampled_from(["", "; Path=/api/auth", "; Max-Age=0", "; HttpOnly; Secure"]),
    ),
    _header_text,
)
encodings = st.sampled_from(["gzip", "deflate", "br", "identity", "gzip, deflate", "x"])
content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "text/html",
        "text/plain; charset=latin-1",
        "application/json; charset=bogus",
        "",
    ]
)


@st.composite
def answers(
    draw: st.DrawFn, echo: st.SearchStrategy[str]
) -> tuple[int, list[tuple[str, str]], bytes]:
    """A whole answer: status, headers (repeatable), body."""
    headers: list[tuple[str, str]] = []
    if draw(st.booleans()):
        headers.append(("content-type", draw(content_types)))
    if draw(st.integers(0, 9)) == 0:
        headers.append(("content-encoding", draw(encodings)))
    for cookie in draw(st.lists(cookies, max_size=2)):
        headers.append(("set-cookie", cookie))
    if draw(st.booleans()):
        headers.append(("retry-after", draw(retry_after_values)))
    return draw(statuses), headers, draw(bodies(echo))
