"""The one Jinja2 environment over ``templates/``, and JSON safe inside ``<script>``.

Autoescaping is on for every template: labels come from data, and data can
hold ``<script>``. Data for a page's script travels as JSON in a
``<script type="application/json">`` element, written by :func:`script_json`.
"""

from __future__ import annotations

import json
from functools import lru_cache

from . import paths


def script_json(data) -> str:
    """JSON for a ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e``, ``\\u0026`` (still
    the same JSON), so no string in the data can close the element or open a
    comment; U+2028 and U+2029, which end a line in older JavaScript, are
    escaped too.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@lru_cache(maxsize=1)
def environment():
    """The shared environment: autoescaped, with the ``script_json`` filter."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    env = Environment(loader=FileSystemLoader(str(paths.TEMPLATES)), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    # Markup: the text is already safe inside <script> (see script_json), and a <script> element's
    # text is never entity-decoded, so autoescaping it again would break the JSON.
    env.filters["script_json"] = lambda data: Markup(script_json(data))
    return env
