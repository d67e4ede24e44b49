"""The charts policykg draws: each one a canned query, its parameters and a kind of picture.

A chart never holds a figure of its own. It names the canned query whose
answer it draws (``queries/*.rq``), the parameters that pick the slice of
the graph, and a *kind* that says how the answer's columns map to marks:

``pair``
    ``city-pair-comparison``: one panel per indicator, a bar per city whose
    length is the value (where the source gives one), labelled with the value
    in words and the rank.
``ranking``
    ``city-ranking``: cities in rank order, a bar for each value the source
    gives, every city labelled with its rank.
``series``
    ``indicator-series``: a line through the values, one point per period.
``timeline``
    ``policy-timeline``: per policy its period as a span, its issue date and
    its deadlines.
``targets``
    a target-status query (each target beside its latest observed figure),
    offered only once such a query ships.

Titles and descriptions are given in English, Japanese and Chinese; the
labels inside a chart come from the graph in the chosen language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import PolicyKGError


@dataclass(frozen=True)
class Chart:
    name: str
    kind: str  # pair, ranking, series, timeline, targets
    query: str  # the canned query it draws
    params: dict[str, str] = field(default_factory=dict)  # defaults; the user may override them
    title: dict[str, str] = field(default_factory=dict)  # by reader language
    description: dict[str, str] = field(default_factory=dict)

    def text(self, what: str, lang: str) -> str:
        texts = getattr(self, what)
        return texts.get(lang) or texts["en"]


def _ranking(indicator: str, en: str, ja: str, zh: str) -> Chart:
    return Chart(
        name=f"ranking-{indicator}", kind="ranking", query="city-ranking",
        params={"indicator": f"ind:{indicator}"},
        title={"en": f"City ranking: {en}", "ja": f"都市ランキング:{ja}", "zh": f"城市排名：{zh}"},
        description={
            "en": f"Cities in rank order on {en}, within the comparison group the source ranks them in. "
                  "A bar shows each value the source gives; every city is labelled with its rank.",
            "ja": f"{ja}の都市順位(出典の比較グループ内)。出典が数値を示す都市は棒で示し、全都市に順位を付す。",
            "zh": f"按{zh}排列的城市名次（出处的比较组内）。有数值的城市以条形表示，每个城市均标出名次。",
        })


CHARTS: tuple[Chart, ...] = (
    Chart(
        name="city-comparison", kind="pair", query="city-pair-comparison",
        params={"a": "pkd:beijing", "b": "pkd:shanghai"},
        title={"en": "Beijing and Shanghai side by side", "ja": "北京と上海の比較", "zh": "北京与上海对比"},
        description={
            "en": "Every indicator the sources give for both cities in the same period: a bar for each "
                  "figure, labelled with the figure in words and the city's rank among the top 50 GDP cities.",
            "ja": "同じ期間について両都市の数値がある指標ごとに、数値を棒で、順位をラベルで示す。",
            "zh": "两市同期均有数据的各项指标：以条形表示数值，并标出名次。",
        }),
    _ranking("digital-tech-total", "digital technology total", "デジタル技術総量", "数字技术总量"),
    _ranking("digital-tech-density", "digital technology density", "デジタル技術密度", "数字技术密度"),
    _ranking("digital-tech-share", "digital technology share", "デジタル技術の割合", "数字技术占比"),
    _ranking("computer-software-hardware-enterprises", "computer software and hardware enterprises",
             "コンピュータソフトウェア・ハードウェア企業数", "计算机软硬件企业数量"),
    _ranking("emerging-digital-tech-enterprises", "emerging digital technology enterprises",
             "新興デジタル技術企業数", "新兴数字技术企业数量"),
    _ranking("little-giant-enterprises", "\"little giant\" enterprises", "「小さな巨人」企業数", "“小巨人”企业数量"),
    Chart(
        name="digital-economy-index", kind="series", query="indicator-series",
        params={"indicator": "ind:digital-economy-index", "area": "pkd:china"},
        title={"en": "China's digital economy development index", "ja": "中国デジタル経済発展指数の推移",
               "zh": "中国数字经济发展指数"},
        description={"en": "The national index in each year the source gives (base year 2013 = 1,000).",
                     "ja": "出典が示す各年の全国指数(2013年 = 1,000)。",
                     "zh": "出处给出的各年度全国指数（2013年 = 1,000）。"}),
    Chart(
        name="digital-tech-patents", kind="series", query="indicator-series",
        params={"indicator": "ind:digital-tech-patent-applications", "area": "pkd:china"},
        title={"en": "Digital technology patent applications in China", "ja": "中国のデジタル技術特許出願件数",
               "zh": "中国数字技术专利申请量"},
        description={"en": "Patent applications in five digital technologies (AI, blockchain, cloud computing, "
                           "big data, IoT) in each year the source gives.",
                     "ja": "5つのデジタル技術(AI、ブロックチェーン、クラウド、ビッグデータ、IoT)の特許出願件数。",
                     "zh": "五项数字技术（人工智能、区块链、云计算、大数据、物联网）的专利申请量。"}),
    Chart(
        name="policy-timeline", kind="timeline", query="policy-timeline",
        title={"en": "Policy timeline", "ja": "政策の年表", "zh": "政策时间线"},
        description={"en": "Each policy's period as a span, its issue date as a dot and the deadlines its goals "
                           "and targets set as a diamond, with how many share each deadline.",
                     "ja": "各政策の期間を帯で、公布日を点で、目標の期限をひし形で示す。",
                     "zh": "各政策的期限以横条表示，发布日期以圆点表示，目标期限以菱形表示。"}),
)

#: A target-status query, if one ships, gets a chart of its own (see :func:`list_charts`).
TARGET_QUERIES = ("target-status", "targets-status", "targets")

_TARGETS = Chart(
    name="target-status", kind="targets", query="target-status",
    title={"en": "Targets beside their latest observed figures", "ja": "目標値と最新の実績値",
           "zh": "目标值与最新观测值"},
    description={"en": "Each numeric target with the latest figure observed for its indicator, where there is one.",
                 "ja": "各数値目標と、その指標の最新の観測値。", "zh": "各项数值目标及其指标的最新观测值。"})


def _target_query() -> str | None:
    from ..sparql.canned import canned_queries

    names = {q.name for q in canned_queries()}
    return next((n for n in TARGET_QUERIES if n in names), None)


def list_charts() -> list[Chart]:
    """Every chart, in the order pages and ``policykg charts`` show them."""
    charts = list(CHARTS)
    query = _target_query()
    if query:
        from dataclasses import replace

        charts.append(replace(_TARGETS, query=query))
    return charts


def find_chart(name: str) -> Chart:
    for chart in list_charts():
        if chart.name == name:
            return chart
    known = ", ".join(c.name for c in list_charts())
    raise PolicyKGError(f"no chart {name!r}; known: {known}")
