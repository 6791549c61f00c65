"""The page the browser tab shows when it returns to a7desktop.

Short, self-contained HTML with no script and no outside resource (the
listener also sends a Content-Security-Policy that forbids both). Every piece
of text is escaped, including anything that came from the provider's
redirect, so an ``error`` value carrying markup shows up as text.
"""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ResultPage:
    """What the tab says: whether sign-in worked and what to do next.

    Attributes:
        ok: sign-in worked.
        heading: one short line.
        detail: one or two sentences; may quote the provider's error.
        status: the HTTP status of the answer.
    """

    ok: bool
    heading: str
    detail: str
    status: int = 200


def success_page(detail: str = "") -> ResultPage:
    """The page for a completed sign-in."""
    return ResultPage(
        ok=True,
        heading="Signed in to a7desktop",
        detail=detail or "You can close this tab and return to a7desktop.",
    )


def failure_page(message: str) -> ResultPage:
    """The page for a sign-in that failed with the user-facing ``message``."""
    return ResultPage(
        ok=False,
        heading="Sign-in failed",
        detail=f"{message} You can close this tab and try again from a7desktop.",
    )


_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 15vh auto; max-width: 32rem;
       padding: 0 1rem; color: #1f2328; background: #fff; }}
h1 {{ font-size: 1.4rem; color: {colour}; }}
p {{ line-height: 1.5; }}
@media (prefers-color-scheme: dark) {{
  body {{ color: #e6edf3; background: #0d1117; }}
}}
</style>
</head>
<body>
<h1 id="result" data-ok="{ok}">{heading}</h1>
<p id="detail">{detail}</p>
</body>
</html>
"""


def render_result_page(page: ResultPage) -> bytes:
    """Return the page as UTF-8 HTML with every text escaped."""
    heading = html.escape(page.heading)
    return _TEMPLATE.format(
        title=f"a7desktop: {heading}",
        colour="#1a7f37" if page.ok else "#cf222e",
        ok="true" if page.ok else "false",
        heading=heading,
        detail=html.escape(page.detail),
    ).encode("utf-8")
