"""The learning record on screen: a person picker (for those who may read others) and its sections."""
import streamlit as st

from portal import exports
from portal.errors import PortalError
from portal.formatting import format_datetime
from portal.i18n import Translator
from portal.learning_record import LearningRecord, record_csv, record_frames, record_workbook
from portal.learning_record.tables import empty_key
from portal.learning_record.pdf import deferred_record_pdf
from portal.ui.dates import time_columns
from portal.ui.tables import filled
from portal.ui.text import plain
from portal.ui.url import id_in_url, show_in_url
from portal.ui.widgets import empty_state

PARAM = "user"
SECTION_ICONS = {"stages": ":material/route:", "modules": ":material/menu_book:", "exams": ":material/assignment:",
                 "coaching": ":material/forum:", "qa": ":material/verified:",
                 "certificates": ":material/workspace_premium:"}


def wanted_person() -> int | None:
    """The person named in the URL (`?user=12`), or None."""
    return id_in_url(PARAM)


def pick_person(t: Translator, people: dict[int, str], own_id: int) -> int | None:
    """Whose record to show: the URL's person, else the reader's own when they may read it, else the one
    person listed. A picker when there are others to choose from; None when nobody is chosen yet.

    A person in the URL outside `people` is still returned: the service then refuses them, with its reason.
    """
    wanted = wanted_person() or (own_id if own_id in people else None)
    if len(people) == 1 and wanted in (None, *people):
        return next(iter(people))
    if not people:
        return wanted
    options = list(people)
    key = f"record_pick_{wanted}"  # a new widget per person in the URL, so Back and a shared link show theirs
    st.selectbox(t("record.pick_person"), options, index=options.index(wanted) if wanted in people else None,
                 format_func=people.get, placeholder=t("record.pick_placeholder"), key=key,
                 on_change=_follow_pick, args=(key,))
    return wanted


def _follow_pick(key: str) -> None:
    """The person picked goes into the URL before the page is drawn again (see `show_in_url`)."""
    if st.session_state.get(key) is not None:
        show_in_url(**{PARAM: st.session_state[key]})


def render_record(t: Translator, record: LearningRecord) -> None:
    headed = record_frames(record, t)
    st.subheader(record.person.display_name)
    st.caption(t("record.generated", when=format_datetime(record.generated_at, t.language)))
    facts = headed["person"].itertuples(index=False)
    st.markdown("  \n".join(f"**{plain(fact)}**: {plain(value)}" for fact, value in facts))
    render_downloads(t, record)
    for section, icon in SECTION_ICONS.items():
        st.markdown(f"#### {t(f'record.section.{section}')}")
        frame = headed[section]
        if frame.empty:
            empty_state(t, empty_key(record, section), icon=icon)
            continue
        shown, config = filled(t, frame, time_columns(t, frame))
        st.dataframe(shown, hide_index=True, width="stretch", column_config=config)


def render_downloads(t: Translator, record: LearningRecord) -> None:
    name = f"learning-record-{record.person.username}"
    pdf, csv, xlsx = st.columns(3)
    try:
        pdf.download_button(t("record.download_pdf"), deferred_record_pdf(record, t), file_name=f"{name}.pdf",
                            mime="application/pdf", key="record_pdf", icon=":material/picture_as_pdf:")
    except PortalError as exc:
        pdf.error(t.error(exc))
    csv.download_button(t("record.download_csv"), lambda: record_csv(record, t), file_name=f"{name}.csv",
                        mime=exports.CSV_MIME, key="record_csv", icon=":material/download:")
    xlsx.download_button(t("record.download_xlsx"), lambda: record_workbook(record, t), file_name=f"{name}.xlsx",
                         mime=exports.XLSX_MIME, key="record_xlsx",
                         icon=":material/table_view:")
