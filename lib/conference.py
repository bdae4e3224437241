"""Conference mode (客户年会): the year's show as a list of slides, from the same rule functions as the
pages. Pure: no streamlit. The Conference page and the offline HTML export (lib/present_export.py)
render the same list, so they cannot drift.

Two steps so a page can cache the expensive one:
- the numbers: `show_frame` (the period and scope, cheap) plus the parts (`PARTS`, small frames from
  the rule functions), one by one with `show_part` or all at once with `show_data`;
- the slides: `slides(data, lang, mask)` in a language, with amounts or masked, or one slide with
  `slide_at(data, lang, mask, kind, page)` when `data` holds the parts `NEEDS[kind]`.
`build_show(con, rules, year, lang, mask, scope)` does both for the whole show.

The year is 1 January to 31 December of `year`, cut at the data's last day when the year is still
running; comparisons use the same dates a year earlier. Mask mode (an external audience) shows no
amount anywhere (shares, ranks, counts and growth rates instead) and nothing about fines,
penalties or payouts; every slide obeys the one `mask` argument.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

import pandas as pd
import plotly.graph_objects as go

from lib import db
from lib.charts import conference as charts
from lib.dimensions import filter_options, region_sort_key
from lib.i18n import fmt_amount, fmt_count, fmt_date, fmt_rate, t
from lib.periods import Quarter, month_start
from lib.rules.contest import contest_score
from lib.rules.core_dealers import core_dealers, core_summary
from lib.rules.drivers import sales_by_region, sales_kpis
from lib.rules.elimination import elimination
from lib.rules.funnel import funnel
from lib.rules.lifecycle import stage_distribution
from lib.rules.tiers import tiers_with_region
from lib.rules_file import Rules
from lib.scope import NOTHING, Scope

TOP = 10                    # awards: top 10 by sales and by growth
PODIUM = 3                  # contest ranks on the podium
NAMES_PER_SLIDE = 30        # congratulation names per slide (3 columns of 10)
MAX_NAME_SLIDES = 4         # beyond this many pages of names, the last page says how many more
KINDS = ("cover", "year", "regions", "funnel", "lifecycle", "promoted", "top_sales", "top_growth", "podium",
         "targets")


@dataclass(frozen=True)
class Big:
    """A big number with its label (and an optional small line under it)."""

    value: str
    label: str
    detail: str = ""


@dataclass(frozen=True)
class Ranked:
    """One line of an award list: rank, name, the main value and a smaller detail."""

    rank: int
    name: str
    value: str
    detail: str = ""


@dataclass(frozen=True)
class Step:
    """One step of the podium: the rank and the names holding it (ties share a step)."""

    rank: int
    names: tuple[str, ...]
    detail: str = ""


@dataclass
class Slide:
    kind: str
    title: str
    subtitle: str = ""
    numbers: list[Big] = field(default_factory=list)
    ranking: list[Ranked] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    podium: list[Step] = field(default_factory=list)
    figure: go.Figure | None = None
    note: str = ""
    empty: str = ""  # the empty-state text when there is nothing to show

    def texts(self) -> list[str]:
        """Every text the slide shows (for the mask checks and the HTML export)."""
        out = [self.title, self.subtitle, self.note, self.empty]
        out += [x for b in self.numbers for x in (b.value, b.label, b.detail)]
        out += [x for r in self.ranking for x in (str(r.rank), r.name, r.value, r.detail)]
        out += list(self.names)
        out += [x for s in self.podium for x in (*s.names, s.detail)]
        return [x for x in out if x]


PARTS = ("kpis", "core", "core_prev", "regions", "funnel", "lifecycle", "promoted", "contest", "targets")
# The parts each kind of slide is drawn from (a page computes only those of the slide it shows).
NEEDS = {"cover": (), "year": ("kpis", "core"), "regions": ("regions",), "funnel": ("funnel",),
         "lifecycle": ("lifecycle",), "promoted": ("promoted",), "top_sales": ("core",),
         "top_growth": ("core", "core_prev"), "podium": ("contest",), "targets": ("targets",)}


@dataclass(frozen=True)
class ShowData:
    """What the rule functions say about the year: the period, the scope's name and the parts
    (small frames; None = not computed yet). Picklable, so a page can cache it."""

    year: int
    start: dt.date
    end: dt.date
    vs_start: dt.date
    vs_end: dt.date
    data_last: dt.date | None
    scope_parts: tuple[str, ...]
    regions_in_scope: tuple[str, ...] = ()
    kpis: pd.DataFrame | None = None
    core: pd.DataFrame | None = None
    core_prev: pd.DataFrame | None = None
    regions: pd.DataFrame | None = None
    funnel: pd.DataFrame | None = None
    lifecycle: pd.DataFrame | None = None
    promoted: pd.DataFrame | None = None
    contest: pd.DataFrame | None = None
    targets: pd.DataFrame | None = None

    def with_parts(self, **parts) -> "ShowData":
        return replace(self, **parts)


# ---------------------------------------------------------------------------------------------
# Step 1: the numbers, from the rule functions

def year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # Feb 29
        return day.replace(year=day.year - 1, day=28)


def show_years(con) -> list[int]:
    """Years the show can present: those with orders, latest first (this year when there are none)."""
    first, last = db.data_date_range(con)
    if last is None:
        return [dt.date.today().year]
    return list(range(last.year, first.year - 1, -1))


def year_period(year: int, data_last: dt.date | None) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """(start, end, vs_start, vs_end): the year, cut at the data's last day when that falls inside it."""
    start = dt.date(year, 1, 1)
    end = dt.date(year, 12, 31)
    if data_last is not None and start <= data_last < end:
        end = data_last
    return start, end, year_earlier(start), year_earlier(end)


def narrowed(scope: Scope, region: str) -> Scope:
    """The scope limited to one of its regions (the other filters and the user's access kept)."""
    return replace(scope, regions=(region,))


def scope_regions(options_frame: pd.DataFrame, scope: Scope) -> list[str]:
    """The regions the scope reaches (its filter narrowed by the user's access), in the
    conventional order."""
    effective = scope.effective()
    f = options_frame
    for column, values in (("region", effective.regions), ("province", effective.provinces),
                           ("territory_id", effective.territories), ("salesperson_id", effective.salespeople)):
        if values:
            f = f[f[column].isin(values)]
    return sorted(f["region"].dropna().unique(), key=region_sort_key)


def scope_label_parts(options_frame: pd.DataFrame, scope: Scope) -> tuple[str, ...]:
    """Readable names of what the scope covers (empty = the whole network)."""
    effective = scope.effective()
    territories = dict(zip(options_frame["territory_id"], options_frame["territory_name"]))
    reps = dict(zip(options_frame["salesperson_id"], options_frame["salesperson_name"]))
    clean = [tuple(v for v in getattr(effective, d) if v not in NOTHING)
             for d in ("regions", "provinces", "territories", "salespeople")]
    return (*clean[0], *clean[1], *(territories.get(x) or x for x in clean[2]),
            *(reps.get(x) or x for x in clean[3]))


def promoted_to_a(con, rules: Rules, scope: Scope, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Dealers that moved up into tier A in a quarter of the year (its tier vs the quarter before;
    Q1 compares with the previous year's Q4). A dealer promoted twice is listed once, with its first
    promotion. Sorted by region (conventional order), then name."""
    columns = ["dealer_id", "dealer_name", "region", "quarter", "prev_tier"]
    found = []
    quarter = Quarter.containing(start)
    while quarter.start <= end:
        frame = tiers_with_region(con, rules, scope, quarter)
        up = frame[(frame["tier"] == "A") & (frame["movement"] == "up")]
        found.append(up.assign(quarter=str(quarter))[columns])
        quarter = Quarter(quarter.year + quarter.number // 4, quarter.number % 4 + 1)
    if not found:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(found, ignore_index=True).drop_duplicates("dealer_id", keep="first")
    frame["_order"] = [region_sort_key(r) for r in frame["region"]]
    return frame.sort_values(["_order", "dealer_name", "dealer_id"]).drop(columns="_order").reset_index(drop=True)


def next_year_targets(con, rules: Rules, scope: Scope, regions: list[str], year: int) -> pd.DataFrame:
    """Per region of the scope: dealers with a target for `year` and the sum of their targets
    (the targets of the elimination watch, R7)."""
    rows = []
    for region in regions:
        frame = elimination(con, rules, narrowed(scope, region), year)
        with_target = frame[frame["status"] != "no_target"]
        rows.append({"region": region, "dealers": int(len(with_target)),
                     "target_amount": round(float(with_target["target_amount"].sum()), 2)})
    return pd.DataFrame(rows, columns=["region", "dealers", "target_amount"])


def show_frame(con, rules: Rules, year: int, scope: Scope = Scope()) -> ShowData:
    """The show's period and scope, without any part (cheap: no rule function runs)."""
    year = int(year)
    _, data_last = db.data_date_range(con)
    start, end, vs_start, vs_end = year_period(year, data_last)
    options = filter_options(con).frame
    return ShowData(year=year, start=start, end=end, vs_start=vs_start, vs_end=vs_end, data_last=data_last,
                    scope_parts=scope_label_parts(options, scope),
                    regions_in_scope=tuple(scope_regions(options, scope)))


def compute_part(con, rules: Rules, frame: ShowData, part: str, scope: Scope) -> pd.DataFrame:
    """One part of the show, from its rule function(s)."""
    f = frame
    if part == "kpis":
        return sales_kpis(con, rules, scope, f.start, f.end, f.vs_start, f.vs_end)
    if part == "core":
        return core_dealers(con, rules, scope, f.start, f.end)
    if part == "core_prev":
        return core_dealers(con, rules, scope, f.vs_start, f.vs_end)
    if part == "regions":
        return sales_by_region(con, rules, scope, list(f.regions_in_scope), f.start, f.end, f.vs_start, f.vs_end)
    if part == "funnel":
        return funnel(con, rules, scope, f.start, f.end, as_of=f.end)
    if part == "lifecycle":
        return stage_distribution(con, rules, scope, as_of=f.end)
    if part == "promoted":
        return promoted_to_a(con, rules, scope, f.start, f.end)
    if part == "contest":
        return contest_score(con, rules, scope, month_start(f.start), month_start(f.end))
    if part == "targets":
        return next_year_targets(con, rules, scope, list(f.regions_in_scope), f.year + 1)
    raise ValueError(f"unknown part {part!r}; parts are " + ", ".join(PARTS))


def show_part(con, rules: Rules, part: str, year: int, scope: Scope = Scope()) -> pd.DataFrame:
    """One part of the show of `year` in `scope` (what a page caches, part by part)."""
    return compute_part(con, rules, show_frame(con, rules, year, scope), part, scope)


def show_data(con, rules: Rules, year: int, scope: Scope = Scope()) -> ShowData:
    """The whole show's numbers: every part (the HTML export, tests)."""
    frame = show_frame(con, rules, year, scope)
    return frame.with_parts(**{part: compute_part(con, rules, frame, part, scope) for part in PARTS})


# ---------------------------------------------------------------------------------------------
# Derived lists (pure pandas on the small frames)

def top_sales(core: pd.DataFrame, n: int = TOP) -> pd.DataFrame:
    """The top n dealers by the year's order amount (the R4 ranking: amount desc, then dealer_id),
    positive amounts only, with their share of the scope's sales and their rank."""
    total = float(core["amount"].sum()) if not core.empty else 0.0
    top = core[core["amount"] > 0].head(n).reset_index(drop=True)
    ranks = [1 + int((top["amount"] > a).sum()) for a in top["amount"]]
    return top.assign(rank=ranks, share=[a / total if total > 0 else math.nan for a in top["amount"]])[
        ["rank", "dealer_id", "dealer_name", "amount", "share"]]


def top_growth(core: pd.DataFrame, core_prev: pd.DataFrame, n: int = TOP) -> pd.DataFrame:
    """The top n dealers by growth = year's sales / the same dates a year earlier − 1, among dealers
    with positive sales in both; growth desc, then dealer_id. Competition ranks."""
    now = core[core["amount"] > 0][["dealer_id", "dealer_name", "amount"]]
    before = core_prev[core_prev["amount"] > 0][["dealer_id", "amount"]].rename(columns={"amount": "prev_amount"})
    both = now.merge(before, on="dealer_id")
    both["growth"] = both["amount"] / both["prev_amount"] - 1
    both = both.sort_values(["growth", "dealer_id"], ascending=[False, True]).head(n).reset_index(drop=True)
    both["rank"] = [1 + int((both["growth"] > g).sum()) for g in both["growth"]]
    return both[["rank", "dealer_id", "dealer_name", "amount", "prev_amount", "growth"]]


def podium(contest: pd.DataFrame, places: int = PODIUM) -> pd.DataFrame:
    """The campaign score ranking (R10) down to rank `places` (ties included)."""
    return contest[contest["rank"] <= places].reset_index(drop=True)


def region_shares(regions: pd.DataFrame) -> pd.DataFrame:
    """Each region's share of the scope's sales (empty when the total is not positive)."""
    total = float(regions["sales"].sum()) if not regions.empty else 0.0
    return regions.assign(share=[s / total if total > 0 else math.nan for s in regions["sales"]])


# ---------------------------------------------------------------------------------------------
# Step 2: the slides

def _k(key: str) -> str:
    return f"conference.{key}"


def _period_text(data: ShowData, lang: str) -> str:
    return t(_k("period"), lang, start=fmt_date(data.start, lang), end=fmt_date(data.end, lang))


def _scope_text(data: ShowData, lang: str) -> str:
    return " · ".join(data.scope_parts) if data.scope_parts else t(_k("scope_all"), lang)


def _growth_text(value, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return ("+" if value > 0 else "") + fmt_rate(value, lang)


def cover_slide(data: ShowData, lang: str, mask: bool) -> Slide:
    subtitle = f"{_scope_text(data, lang)} · {_period_text(data, lang)}"
    return Slide("cover", t(_k("cover_title"), lang, year=data.year), subtitle=subtitle,
                 note=t(_k("cover_note"), lang))


def year_slide(data: ShowData, lang: str, mask: bool) -> Slide:
    kpi = data.kpis.iloc[0]
    summary = core_summary(data.core)
    prev = data.year - 1
    growth = Big(_growth_text(kpi["growth"], lang), t(_k("growth"), lang, prev=prev))
    active = Big(fmt_count(kpi["active_dealers"], lang), t(_k("active_dealers"), lang))
    new = Big(fmt_count(kpi["new_dealers"], lang), t(_k("new_dealers"), lang))
    core = Big(fmt_count(summary["core_count"], lang), t(_k("core_dealers"), lang),
               t(_k("core_detail"), lang, dealers=fmt_rate(summary["dealer_share"], lang),
                 sales=fmt_rate(summary["sales_share"], lang)) if summary["core_count"] else "")
    if mask:
        numbers = [growth, active, new, core]
    else:
        numbers = [Big(fmt_amount(kpi["sales"], lang), t(_k("sales"), lang)), growth, active, new,
                   Big(fmt_amount(kpi["collections"], lang), t(_k("collections"), lang)), core]
    empty = "" if (kpi["active_dealers"] or kpi["new_dealers"] or kpi["sales"]) else t("charts.empty", lang)
    return Slide("year", t(_k("year_title"), lang, year=data.year), subtitle=_period_text(data, lang),
                 numbers=numbers, empty=empty,
                 note=t(_k("year_note_mask" if mask else "year_note"), lang, prev=prev))


def regions_slide(data: ShowData, lang: str, mask: bool) -> Slide:
    regions = region_shares(data.regions)
    title = t(_k("regions_title"), lang)
    has = not regions.empty and (regions["sales"] != 0).any()
    figure = charts.region_bars(regions, lang, mask, charts.chart_height(False))
    return Slide("regions", title, subtitle=_period_text(data, lang), figure=figure,
                 note=t(_k("regions_note_mask" if mask else "regions_note"), lang, prev=data.year - 1),
                 empty="" if has else t("charts.empty", lang))


def funnel_slide(data: ShowData, lang: str, mask: bool) -> Slide:
    frame = data.funnel
    cohort = int(frame["count"].iloc[0]) if not frame.empty else 0
    numbers = []
    if cohort:
        by_stage = frame.set_index("stage")
        numbers = [Big(fmt_count(cohort, lang), t(_k("funnel_cohort"), lang)),
                   Big(fmt_count(by_stage.loc["signed", "count"], lang), t("stage.signed", lang)),
                   Big(fmt_rate(by_stage.loc["paid", "conversion_from_top"], lang), t(_k("funnel_conversion"), lang))]
    return Slide("funnel", t(_k("funnel_title"), lang), subtitle=_period_text(data, lang), numbers=numbers,
                 figure=charts.funnel_chart(frame, lang, charts.chart_height(bool(numbers))), note=t(_k("funnel_note"), lang),
                 empty="" if cohort else t("charts.empty", lang))


def lifecycle_slide(data: ShowData, lang: str, mask: bool) -> Slide:
    frame = data.lifecycle
    has = not frame.empty and frame["territories"].sum() > 0
    return Slide("lifecycle", t(_k("lifecycle_title"), lang),
                 subtitle=t(_k("as_of"), lang, date=fmt_date(data.end, lang)),
                 figure=charts.lifecycle_bars(frame, lang, charts.chart_height(False)), note=t(_k("lifecycle_note"), lang),
                 empty="" if has else t("charts.empty", lang))


def promoted_pages(data: ShowData) -> int:
    """How many slides the congratulation names take (at least one: it says when there are none)."""
    count = len(data.promoted)
    return max(1, min(math.ceil(count / NAMES_PER_SLIDE), MAX_NAME_SLIDES))


def promoted_title(data: ShowData, lang: str, page: int = 0) -> str:
    title = t(_k("promoted_title"), lang, tier=t("tier.A", lang))
    pages = promoted_pages(data)
    return title if pages == 1 else f"{title} ({page + 1}/{pages})"


def promoted_slide(data: ShowData, lang: str, mask: bool, page: int = 0) -> Slide:
    """Page `page` (0-based) of the dealers promoted into tier A, NAMES_PER_SLIDE names a page; the
    last page says how many more there are beyond MAX_NAME_SLIDES pages."""
    names = list(data.promoted["dealer_name"])
    count = len(names)
    subtitle = t(_k("promoted_count"), lang, count=fmt_count(count, lang), year=data.year)
    note = t(_k("promoted_note"), lang)
    title = promoted_title(data, lang, page)
    if not count:
        return Slide("promoted", title, subtitle=subtitle, note=note, empty=t(_k("promoted_none"), lang))
    pages = promoted_pages(data)
    rest = count - NAMES_PER_SLIDE * pages
    if rest > 0 and page == pages - 1:
        note = t(_k("promoted_more"), lang, count=fmt_count(rest, lang)) + " " + note
    shown = names[page * NAMES_PER_SLIDE:(page + 1) * NAMES_PER_SLIDE]
    return Slide("promoted", title, subtitle=subtitle, names=shown, note=note)


def top_sales_slide(data: ShowData, lang: str, mask: bool) -> Slide:
    top = top_sales(data.core)
    ranking = [Ranked(int(r.rank), r.dealer_name,
                      fmt_rate(r.share, lang) if mask else fmt_amount(r.amount, lang),
                      "" if mask else t(_k("share_of_sales"), lang, share=fmt_rate(r.share, lang)))
               for r in top.itertuples(index=False)]
    return Slide("top_sales", t(_k("top_sales_title"), lang, n=TOP), subtitle=_period_text(data, lang),
                 ranking=ranking, note=t(_k("top_sales_note_mask" if mask else "top_sales_note"), lang),
                 empty="" if ranking else t("charts.empty", lang))


def top_growth_slide(data: ShowData, lang: str, mask: bool) -> Slide:
    top = top_growth(data.core, data.core_prev)
    ranking = [Ranked(int(r.rank), r.dealer_name, _growth_text(r.growth, lang),
                      "" if mask else t(_k("growth_detail"), lang, now=fmt_amount(r.amount, lang),
                                        before=fmt_amount(r.prev_amount, lang)))
               for r in top.itertuples(index=False)]
    return Slide("top_growth", t(_k("top_growth_title"), lang, n=TOP), subtitle=_period_text(data, lang),
                 ranking=ranking, note=t(_k("top_growth_note"), lang, prev=data.year - 1),
                 empty="" if ranking else t("charts.empty", lang))


def podium_slide(data: ShowData, lang: str, mask: bool) -> Slide:
    top = podium(data.contest)
    positive = top[top["score"] > 0]
    steps = []
    for rank, group in positive.groupby("rank", sort=True):
        detail = t(_k("podium_detail_mask" if mask else "podium_detail"), lang,
                   developed=fmt_count(group["developed_total"].iloc[0], lang),
                   score=f"{group['score'].iloc[0]:.1f}") if len(group) == 1 else ""
        steps.append(Step(int(rank), tuple(group["name"]), detail))
    return Slide("podium", t(_k("podium_title"), lang), subtitle=_period_text(data, lang), podium=steps,
                 note=t(_k("podium_note"), lang), empty="" if steps else t("charts.empty", lang))


def targets_slide(data: ShowData, lang: str, mask: bool) -> Slide:
    frame = data.targets
    next_year = data.year + 1
    title = t(_k("targets_title"), lang, year=next_year)
    count = int(frame["dealers"].sum()) if not frame.empty else 0
    if not count:
        return Slide("targets", title, empty=t(_k("targets_missing"), lang, year=next_year),
                     note=t(_k("targets_missing_note"), lang, year=next_year))
    total = float(frame["target_amount"].sum())
    numbers = [Big(fmt_count(count, lang), t(_k("targets_dealers"), lang))]
    if not mask:
        numbers.insert(0, Big(fmt_amount(total, lang), t(_k("targets_total"), lang)))
    return Slide("targets", title, numbers=numbers, figure=charts.target_bars(frame, lang, mask, charts.chart_height(True)),
                 note=t(_k("targets_note_mask" if mask else "targets_note"), lang, year=next_year))


BUILDERS = {"cover": cover_slide, "year": year_slide, "regions": regions_slide, "funnel": funnel_slide,
            "lifecycle": lifecycle_slide, "top_sales": top_sales_slide, "top_growth": top_growth_slide,
            "podium": podium_slide, "targets": targets_slide}


def plan(data: ShowData) -> list[tuple[str, int]]:
    """The show in order, as (kind, page): cover, the year in numbers, sales by region, the funnel,
    lifecycle, tier-A promotions (one or more pages), top 10 by sales, top 10 by growth, the contest
    podium, next year's targets. Needs only the `promoted` part."""
    out = [(kind, 0) for kind in KINDS[:5]]
    out += [("promoted", page) for page in range(promoted_pages(data))]
    return out + [(kind, 0) for kind in KINDS[6:]]


def slide_title(data: ShowData, lang: str, kind: str, page: int = 0) -> str:
    """A slide's title without its numbers (for the jump list)."""
    titles = {"cover": (_k("cover_title"), {"year": data.year}), "year": (_k("year_title"), {"year": data.year}),
              "regions": (_k("regions_title"), {}), "funnel": (_k("funnel_title"), {}),
              "lifecycle": (_k("lifecycle_title"), {}), "top_sales": (_k("top_sales_title"), {"n": TOP}),
              "top_growth": (_k("top_growth_title"), {"n": TOP}), "podium": (_k("podium_title"), {}),
              "targets": (_k("targets_title"), {"year": data.year + 1})}
    if kind == "promoted":
        return promoted_title(data, lang, page)
    key, values = titles[kind]
    return t(key, lang, **values)


def slide_at(data: ShowData, lang: str, mask: bool, kind: str, page: int = 0) -> Slide:
    """One slide; `data` needs the parts NEEDS[kind]."""
    missing = [part for part in NEEDS[kind] if getattr(data, part) is None]
    if missing:
        raise ValueError(f"slide {kind} needs the parts {missing}")
    if kind == "promoted":
        return promoted_slide(data, lang, mask, page)
    return BUILDERS[kind](data, lang, mask)


def slides(data: ShowData, lang: str, mask: bool) -> list[Slide]:
    """Every slide of the show, in the order of `plan`."""
    return [slide_at(data, lang, mask, kind, page) for kind, page in plan(data)]


def build_show(con, rules: Rules, year: int, lang: str, mask: bool, scope: Scope = Scope()) -> list[Slide]:
    """The whole show: `slides(show_data(...), lang, mask)`."""
    return slides(show_data(con, rules, year, scope), lang, mask)
