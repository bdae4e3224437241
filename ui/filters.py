"""The filters every page shares: period with a comparison period, region → province → territory
cascade, rep. They live in session state (so they persist across pages) and in the URL query
string (so a filtered view is a link a director can send; opening it restores the view)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from lib.dimensions import FilterOptions
from lib.i18n import t
from lib.periods import Quarter, month_start
from lib.reports import PeriodOptions
from lib.scope import Scope
from ui import url_state
from ui.frame import lang

COMPARISONS = ("yoy", "prev", "custom")


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    vs_start: dt.date
    vs_end: dt.date
    scope: Scope

    @property
    def as_of(self) -> dt.date:
        return self.end

    @property
    def quarter(self) -> Quarter:
        return Quarter.containing(self.end)

    @property
    def month(self) -> dt.date:
        return month_start(self.end)

    @property
    def year(self) -> int:
        return self.end.year

    def options(self, **overrides) -> PeriodOptions:
        """The CLI's period options for these filters, so a page asks run_report what the CLI asks."""
        base = dict(as_of=self.as_of, start=self.start, end=self.end, month=self.month, quarter=self.quarter,
                    year=self.year, campaign=(dt.date(self.end.year, 1, 1), self.month),
                    vs_start=self.vs_start, vs_end=self.vs_end)
        base.update(overrides)
        return PeriodOptions(**base)


def year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def comparison_period(kind: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    if kind == "prev":  # the period of the same length just before
        length = (end - start).days + 1
        return start - dt.timedelta(days=length), start - dt.timedelta(days=1)
    return year_earlier(start), year_earlier(end)


def _keep_valid(key: str, allowed) -> None:
    # The cascade narrows the options; selections that fell out of them are dropped, not errors.
    # Dropped on the session's first run = the link asked for more than the user may see.
    kept = [v for v in st.session_state.get(key, []) if v in allowed]
    if len(kept) < len(st.session_state.get(key, [])) and not st.session_state.get("_filters_seen"):
        st.session_state["filters_narrowed"] = True
    st.session_state[key] = kept


def sidebar(options: FilterOptions, last_day: dt.date, access: Scope | None = None) -> Filters:
    """Draw the filters in the sidebar and return them; the URL follows every change.

    `options` hold only what the user may see (lib.dimensions.filter_options(access)); the
    returned scope carries the access too, so every query is narrowed in SQL whatever the filters.
    """
    L = lang()
    default_start = dt.date(last_day.year, 1, 1)
    url_state.bind_date("f_from", "from", default_start)
    url_state.bind_date("f_to", "to", last_day)
    url_state.bind_choice("f_cmp", "cmp", "yoy", COMPARISONS)
    url_state.bind_date("f_vs_from", "vs_from", year_earlier(default_start))
    url_state.bind_date("f_vs_to", "vs_to", year_earlier(last_day))
    for key, param in (("f_region", "region"), ("f_province", "province"), ("f_territory", "territory"),
                       ("f_rep", "rep")):
        url_state.bind_list(key, param)

    side = st.sidebar
    side.subheader(t("filters.heading", L))
    start = side.date_input(t("filters.from", L), key="f_from", format="YYYY-MM-DD")
    end = side.date_input(t("filters.to", L), key="f_to", format="YYYY-MM-DD")
    if start > end:
        side.warning(t("filters.swapped", L))
        start, end = end, start
    kind = side.selectbox(t("filters.comparison", L), COMPARISONS, key="f_cmp",
                          format_func=lambda k: t(f"filters.cmp_{k}", L))
    if kind == "custom":
        vs_start = side.date_input(t("filters.vs_from", L), key="f_vs_from", format="YYYY-MM-DD")
        vs_end = side.date_input(t("filters.vs_to", L), key="f_vs_to", format="YYYY-MM-DD")
        if vs_start > vs_end:
            vs_start, vs_end = vs_end, vs_start
    else:
        vs_start, vs_end = comparison_period(kind, start, end)
        side.caption(t("filters.vs_caption", L, start=vs_start.isoformat(), end=vs_end.isoformat()))

    _keep_valid("f_region", options.regions())
    regions = side.multiselect(t("filters.region", L), options.regions(), key="f_region",
                               placeholder=t("filters.all", L))
    provinces_allowed = options.provinces(regions)
    _keep_valid("f_province", provinces_allowed)
    provinces = side.multiselect(t("filters.province", L), provinces_allowed, key="f_province",
                                 placeholder=t("filters.all", L))
    territories_allowed = options.territories(regions, provinces)
    _keep_valid("f_territory", territories_allowed)
    territories = side.multiselect(t("filters.territory", L), list(territories_allowed), key="f_territory",
                                   format_func=lambda tid: f"{territories_allowed.get(tid, tid)} ({tid})",
                                   placeholder=t("filters.all", L))
    reps_allowed = options.salespeople(regions, provinces, territories)
    _keep_valid("f_rep", reps_allowed)
    reps = side.multiselect(t("filters.rep", L), list(reps_allowed), key="f_rep",
                            format_func=lambda sid: f"{reps_allowed.get(sid, sid)} ({sid})",
                            placeholder=t("filters.all", L))
    st.session_state["_filters_seen"] = True
    return Filters(start, end, vs_start, vs_end, Scope.of(regions, provinces, territories, reps).within(access))
