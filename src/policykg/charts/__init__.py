"""Charts drawn from the graph through the canned queries: SVG, PNG and standalone HTML, offline.

>>> from policykg.charts import list_charts
>>> "city-comparison" in [c.name for c in list_charts()]
True

``render_chart(kg, name, params=None, lang="en", format="svg") -> bytes``
runs the chart's canned query and draws its answer (see
:mod:`policykg.charts.render`); :mod:`policykg.charts.catalog` says which
query each chart draws and how.
"""

from __future__ import annotations

from .catalog import Chart, find_chart, list_charts
from .render import FORMATS, render_chart

__all__ = ["Chart", "FORMATS", "find_chart", "list_charts", "render_chart"]
