"""Conference mode (客户年会): the year's show, full screen, auto-advancing; settings for the
audience (language, mask, year, interval) and the offline HTML export in a popover of the bar.

Only the numbers of the slide on screen are computed for it; the coming slides' numbers are
prepared in the background while it is shown (ui.conference.prefetch)."""
import streamlit as st

from lib import conference
from lib.i18n import LANGUAGES, t
from ui import conference as show
from ui.auth import allowed_pages, current_user
from ui.data import call_without_rules
from ui.frame import LANGUAGE_NAMES, page_frame
from ui.show import audit_export

L, F = page_frame()
years = show.year_options(call_without_rules("lib.conference:show_years"), F.year)
show.bind_settings(years, L)
st.html(show.page_css())

year, mask, secs = show.year(), show.masked(), show.seconds()
with st.spinner(t("conference.preparing", L)):
    plan = conference.plan(show.data_for([], year, F.scope))
    count = len(plan)
    index = show.slide_index(count)
    kind, page = plan[index]
    data = show.data_for([kind], year, F.scope)
    slide = conference.slide_at(data, L, mask, kind, page)
playing = show.playing()

with st.container(key="conf_stage"):
    show.draw_slide(slide, index)

with st.container(key="conf_bar", horizontal=True, vertical_alignment="center", gap="small"):
    st.button(t("conference.first", L), key="conf_first", on_click=show.go_to, args=(1,))
    st.button(t("conference.prev", L), key="conf_prev", on_click=show.step, args=(-1, count))
    st.button(t("conference.pause", L) if playing else t("conference.play", L), key="conf_pause",
              on_click=show.toggle_play, type="primary" if not playing else "secondary")
    st.button(t("conference.next", L), key="conf_next", on_click=show.step, args=(1, count))
    st.button(t("conference.last", L), key="conf_last", on_click=show.go_to, args=(count,))
    st.selectbox(t("conference.jump", L), [str(n) for n in range(1, count + 1)], key="conf_slide",
                 label_visibility="collapsed",
                 format_func=lambda n: t("conference.slide_option", L, n=n, total=count,
                                         title=conference.slide_title(data, L, *plan[int(n) - 1])))
    with st.popover(t("conference.settings", L)):
        st.radio(t("conference.language", L), LANGUAGES, key="conf_lang", horizontal=True,
                 format_func=LANGUAGE_NAMES.get, on_change=show.set_language)
        st.radio(t("conference.audience", L), show.AUDIENCES, key="conf_mask", horizontal=True,
                 format_func=lambda a: t(f"conference.audience_{a}", L), disabled=show.mask_forced())
        left, right = st.columns(2)
        left.selectbox(t("conference.year", L), [str(y) for y in years], key="conf_year")
        right.selectbox(t("conference.seconds", L), show.SECONDS, key="conf_secs",
                        format_func=lambda n: t("conference.seconds_option", L, n=n))
        st.caption(t("conference.scope", L, scope=" · ".join(data.scope_parts) or t("conference.scope_all", L)))
        st.caption(t("conference.keys", L))
        left, right = st.columns(2)
        if show.export_wanted():
            with st.spinner(t("conference.preparing", L)):
                left.download_button(
                    t("conference.export", L), show.export(year, F.scope, L, mask, secs),
                    file_name=f"conference_{year}_{L}{'_mask' if mask else ''}.html", mime="text/html",
                    key="conf_export", on_click=audit_export, args=(f"conference_{year}_{L}.html",),
                    help=t("conference.export_help", L))
        else:
            left.button(t("conference.prepare_export", L), key="conf_prepare", on_click=show.want_export,
                        help=t("conference.export_help", L))
        if "home" in allowed_pages(current_user()):  # a presenter has the show only
            right.page_link("pages/home.py", label=t("conference.exit", L), icon=":material/logout:")

# Last, so the timer starts once the whole slide is on screen.
show.keys_and_timer(index, count, playing, secs)
show.prefetch(year, F.scope, [k for k, _ in plan[index + 1:] + plan[:index]])
