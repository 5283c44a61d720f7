import streamlit as st

from portal import exports
from portal.audit import search as audit
from portal.ui import state
from portal.paging import Page
from portal.ui.dates import datetime_column
from portal.ui.paging import page_index, pager
from portal.ui.tables import filled
from portal.ui.widgets import page_header, service_call

t = state.translator()
actor = state.actor()
page_header(t, "admin.audit.title", "admin.audit.caption")

FILTERS = ("who", "whom", "action", "since", "until", "text", "sign_ins", "page")


def remembered(name: str, default=""):
    """A filter as the URL has it, so a reload, Back or a shared link shows the same entries."""
    return st.query_params.get(name, default)


def remember(values: dict) -> None:
    for name, value in values.items():
        if value in ("", None, False, 0):
            st.query_params.pop(name, None)
        elif st.query_params.get(name) != str(value):
            st.query_params[name] = str(value)


def render_filters(action_choices: list[str]) -> tuple[audit.AuditQuery, int]:
    from datetime import date

    def day(name):
        value = remembered(name)
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    with st.form("audit_filters"):
        who, whom, text = st.columns(3)
        actor_text = who.text_input(t("admin.audit.who"), value=remembered("who"), max_chars=120,
                                    placeholder=t("admin.audit.who_hint"))
        subject = whom.text_input(t("admin.audit.whom"), value=remembered("whom"), max_chars=120,
                                  placeholder=t("admin.audit.whom_hint"))
        free = text.text_input(t("admin.audit.text"), value=remembered("text"), max_chars=120)
        kind, since, until, sign_ins = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
        wanted = remembered("action") or None
        action = kind.selectbox(t("admin.audit.action"), [None, *action_choices],
                                index=[None, *action_choices].index(wanted) if wanted in action_choices else 0,
                                format_func=lambda a: audit.action_label(t, a) if a else t("admin.audit.all"))
        first = since.date_input(t("admin.audit.since"), value=day("since"), format="YYYY-MM-DD")
        last = until.date_input(t("admin.audit.until"), value=day("until"), format="YYYY-MM-DD")
        with_sign_ins = sign_ins.checkbox(t("admin.audit.sign_ins"), value=remembered("sign_ins") == "1")
        if st.form_submit_button(t("admin.audit.search"), icon=":material/search:"):
            remember({"who": actor_text.strip(), "whom": subject.strip(), "text": free.strip(), "action": action,
                      "since": first.isoformat() if first else "", "until": last.isoformat() if last else "",
                      "sign_ins": "1" if with_sign_ins else "", "page": ""})
            st.rerun()
    return audit.AuditQuery(actor=remembered("who"), subject=remembered("whom"), action=remembered("action") or None,
                            since=day("since"), until=day("until"), text=remembered("text"),
                            sign_ins=remembered("sign_ins") == "1"), page_index()


def render_entries(result: Page) -> None:
    shown, config = filled(t, result.rows.drop(columns=["id"]), {
        "at": datetime_column(t, t("field.when")), "actor": t("field.actor"), "action": t("admin.audit.action"),
        "target": t("field.target"), "what": t("admin.audit.what"), "details": t("field.details")})
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)


def render_export(query: audit.AuditQuery) -> None:
    with service_call(t) as session:
        everything = audit.search(session, actor, query, t, page_size=None).rows.drop(columns=["id"])
    headers = {"at": t("field.when"), "actor": t("field.actor"), "action": t("admin.audit.action"),
               "target": t("field.target"), "what": t("admin.audit.what"), "details": t("field.details")}
    frame = everything.rename(columns=headers)
    csv, xlsx = st.columns(2)
    csv.download_button(t("admin.audit.export_csv"), exports.csv_bytes(frame), file_name="audit-log.csv",
                        mime=exports.CSV_MIME, icon=":material/download:")
    xlsx.download_button(t("admin.audit.export_xlsx"), exports.xlsx_bytes(frame, "audit"), file_name="audit-log.xlsx",
                         icon=":material/download:")


with service_call(t) as session:
    choices = audit.actions(session)
query, page = render_filters(choices)
with service_call(t) as session:
    result = audit.search(session, actor, query, t, page=page)
if result.rows.empty:
    st.info(t("admin.audit.empty"))
    st.stop()
render_entries(result)
pager(t, result, key="audit_pager", previous="admin.audit.newer", following="admin.audit.older")
if st.toggle(t("admin.audit.export"), key="audit_export"):
    render_export(query)
