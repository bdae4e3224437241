"""Data: import files through the browser (dry run first, then one transaction), the import log,
the rules in force and the import templates. Works without a database: a first import creates it."""
import streamlit as st

from lib import db
from lib.i18n import fmt_count, t
from lib.importer import PROBLEMS_PER_FILE
from lib.rules_file import RulesError
from ui import data_admin as admin
from ui.data import call_without_rules, connection, database_key, database_path, rules
from ui.frame import lang, leave_pages_directory_mode
from ui.show import downloads, drill_select, table

leave_pages_directory_mode()
L = lang()
st.title(t("data.title", L))
st.caption(t("data.intro", L))

path = database_path()
database_error = None
try:
    connection()
except db.DatabaseMissing:
    database_error = "missing"
except db.DatabaseError as exc:
    database_error = str(exc)

tab_import, tab_log, tab_rules, tab_templates, tab_audit = st.tabs(
    [t("data.tab_import", L), t("data.tab_log", L), t("data.tab_rules", L), t("data.tab_templates", L),
     t("auth.audit_log", L)])

# ---- (1) import: dry run, then the write --------------------------------------------------------
with tab_import:
    st.caption(t("data.database_file", L, path=path))
    if database_error == "missing":
        st.info(t("data.no_database", L, path=path))
        st.markdown(t("data.demo_hint", L))
        st.code(admin.demo_command(path), language="bash")
    elif database_error:
        st.warning(t("data.bad_database", L, reason=database_error))

    done = st.session_state.pop("data_imported", None)
    if done is not None:
        st.success(t("data.imported", L, files=fmt_count(done.files, L), inserted=fmt_count(done.inserted, L),
                     updated=fmt_count(done.updated, L)))
        done_counts = admin.counts_frame(done.counts, L)
        table(done_counts, key="data_done_counts", column_config=admin.count_columns(done_counts))

    st.markdown(t("data.steps", L))
    upload_round = st.session_state.setdefault("data_upload_round", 0)
    uploads = st.file_uploader(t("data.upload", L), type=["csv", "xlsx"], accept_multiple_files=True,
                               key=f"data_upload_{upload_round}", help=t("data.upload_help", L))
    sources = admin.pairs(uploads)
    check = None
    if sources:
        with st.spinner(t("data.checking", L)):
            check = admin.cached_preview(database_key(), admin.fingerprint(uploads), sources, L)
        result = check.result
        if check.error:
            st.error(check.error)
        elif not result.ok:
            st.error(t("data.problems_found", L, count=fmt_count(result.problem_count, L)))
            problems, more = admin.problem_frames(result.problems)
            table(admin.shown_problems(problems, L), key="data_problems")
            downloads(problems, key="data_problems", filename="import_problems")
            for file, count in more:
                st.caption(t("data.problems_more", L, file=file, count=fmt_count(count, L),
                             cap=PROBLEMS_PER_FILE))
        elif not result.counts:
            st.info(t("data.nothing_to_import", L))
        else:
            st.success(t("data.ready", L))
            st.markdown(f"**{t('data.changes', L)}**")
            preview_counts = admin.counts_frame(result.counts, L)
            table(preview_counts, key="data_preview_counts", column_config=admin.count_columns(preview_counts))
            if not any(c["inserted"] or c["updated"] for c in result.counts.values()):
                st.caption(t("data.nothing_changes", L))
            st.markdown(f"**{t('data.files', L)}**")
            preview_files = admin.files_frame(result.files, L)
            table(preview_files, key="data_preview_files", column_config=admin.count_columns(preview_files))
        if result is not None and result.warnings:
            with st.expander(t("data.warnings", L, count=fmt_count(len(result.warnings), L))):
                st.code("\n".join(admin.warning_text(w, L) for w in result.warnings), language=None)

    ready = check is not None and check.ready
    if st.button(t("data.import_button", L), key="data_import", type="primary", disabled=not ready,
                 help=None if ready else t("data.import_disabled", L)):
        steps = admin.progress_steps(check, sources)
        with st.status(t("data.importing", L), expanded=True) as box:
            bar = st.progress(0.0)
            sent = []

            def progress(message: str) -> None:
                sent.append(message)
                bar.progress(min(len(sent) / steps, 1.0), text=admin.progress_text(message, L))

            outcome = admin.run_import(path, sources, progress=progress, L=L)
            box.update(state="complete" if outcome.ok else "error",
                       label=t("data.importing", L) if outcome.ok else t("data.import_failed", L))
        if outcome.ok:
            st.session_state["data_imported"] = admin.summary(outcome)
            st.session_state["data_upload_round"] = upload_round + 1  # a fresh, empty uploader
            st.rerun()  # app.py reopens the database: filters and every page see the new data
        elif outcome.error:
            st.error(outcome.error)
        else:
            st.error(t("data.import_failed", L))
            problems, _more = admin.problem_frames(outcome.result.problems)
            table(admin.shown_problems(problems, L), key="data_import_problems")

# ---- (2) the import log -------------------------------------------------------------------------
with tab_log:
    st.caption(t("data.log_intro", L))
    if database_error == "missing":
        st.info(t("data.log_empty_database", L))
    elif database_error:
        st.warning(t("data.bad_database", L, reason=database_error))
    else:
        raw_log = call_without_rules("lib.db:import_log")
        if raw_log.empty:
            st.info(t("data.no_imports", L))
        else:
            log_table = admin.log_frame(raw_log, L)
            table(log_table, key="data_log", filename="import_log", column_config=admin.count_columns(log_table))
            labels = {int(r.import_id): t("data.log_choice", L, id=int(r.import_id), when=r.imported_at,
                                          source=r.import_source) for r in log_table.itertuples()}
            chosen = drill_select(t("data.log_drill", L), list(labels), key="data_log_drill",
                                  format_func=labels.get)
            if chosen is not None:
                files, counts = admin.log_entry(raw_log, chosen, L)
                st.markdown(f"**{t('data.log_files', L)}**")
                if files.empty:
                    st.caption(t("data.log_no_files", L))
                else:
                    table(files, key="data_log_files", filename=f"import_{chosen}_files",
                          column_config=admin.count_columns(files))
                st.markdown(f"**{t('data.log_counts', L)}**")
                table(counts, key="data_log_counts", column_config=admin.count_columns(counts))

# ---- (3) the rules in force ---------------------------------------------------------------------
with tab_rules:
    st.caption(t("data.rules_intro", L))
    if st.button(t("data.rules_reload", L), key="data_rules_reload"):
        rules.clear()
    try:
        in_force = rules()
    except RulesError as exc:
        in_force = None
        st.error(t("data.rules_bad", L))
        st.code(str(exc), language=None)
    if in_force is not None:
        st.markdown(f"**{t('data.rules_files', L)}**")
        st.markdown("\n".join(f"- `{line}`" for line in admin.rules_files(in_force, L)))
        shown_rules = admin.rules_frame(in_force, L)
        table(shown_rules, key="data_rules", filename="rules", height=admin.full_height(shown_rules))
        st.download_button(t("data.rules_download", L), admin.rules_toml(in_force).encode("utf-8"),
                           file_name="rules.toml", mime="application/toml", key="data_rules_toml",
                           on_click="ignore")
    st.markdown(t("data.rules_override", L, path=admin.user_rules_path()))
    st.markdown(t("data.rules_example", L))
    st.code(admin.RULES_EXAMPLE, language="toml")

# ---- (4) the import templates -------------------------------------------------------------------
with tab_templates:
    st.markdown(t("data.templates_intro", L))
    st.download_button(t("data.templates_workbook", L), admin.template_workbook(), file_name="templates.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="data_templates_xlsx", on_click="ignore")
    for name, template in admin.templates():
        with st.expander(t("data.template_title", L, table=t(f"tables.{name}", L), file=template.name)):
            st.caption(t("data.template_key", L, columns=" + ".join(db.KEYS[name])))
            table(admin.template_columns(name, L), key=f"data_template_{name}_columns")
            st.download_button(t("data.template_download", L, file=template.name), template.read_bytes(),
                               file_name=template.name, mime="text/csv", key=f"data_template_{name}",
                               on_click="ignore")
    guide = admin.templates_guide()
    if guide:
        with st.expander(t("data.templates_guide", L)):
            st.markdown(guide)

# ---- (5) the audit log: sign-ins, failed sign-ins, imports, exports ------------------------------
with tab_audit:
    audit_rows = admin.audit_frame(L)
    table(audit_rows, key="data_audit", filename="audit_log")
