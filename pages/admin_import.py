import pandas as pd
import streamlit as st

from portal import user_import
from portal.text_files import MAX_USERS_CSV_BYTES, megabytes
from portal.ui import state
from portal.ui.widgets import run_action, service_call

t = state.translator()
actor = state.actor()

st.title(t("admin.import.title"))
st.caption(t("admin.import.help", limit=megabytes(MAX_USERS_CSV_BYTES)))
st.code("username,display_name,roles,team,cohort,mentor,password,language\n"
        "li.na,Li Na 李娜,newhire,Mobile Team A,2026 Q4 intake,mentor,,zh-CN", language="csv")

upload = st.file_uploader(t("admin.import.file"), type=["csv"])
if upload is None:
    st.info(t("admin.import.waiting"), icon=":material/upload_file:")
    st.stop()

data = upload.getvalue()
with service_call(t) as session:
    preview = user_import.preview_import(session, actor, data)

if preview.refused_whole:  # empty, too large, not text: one message, no table
    st.error(t(preview.problems[0].key, **preview.problems[0].params), icon=":material/error:")
    st.stop()

st.subheader(t("admin.import.preview", count=len(preview.rows)))
if preview.encoding:
    st.caption(t("file.read_as", encoding=preview.encoding))
if preview.rows:
    rows = pd.DataFrame(preview.rows).drop(columns=["password"], errors="ignore")
    rows.insert(0, t("admin.import.row"), range(2, len(rows) + 2))  # as the spreadsheet numbers them (header = 1)
    st.dataframe(rows, hide_index=True, use_container_width=True)
if preview.problems:
    st.error(t("admin.import.problems", count=len(preview.problems)), icon=":material/error:")
    st.dataframe(pd.DataFrame([{t("admin.import.row"): p.row, t("admin.import.column"): p.column,
                                t("admin.import.problem"): t(p.key, **p.params)} for p in preview.problems]),
                 hide_index=True, use_container_width=True)
    st.stop()

st.success(t("admin.import.all_valid"), icon=":material/check_circle:")
if st.button(t("admin.import.commit", count=len(preview.rows)), type="primary"):
    if done := run_action(t, lambda s: user_import.commit_import(s, actor, data), "admin.import.done",
                          count=len(preview.rows)):
        issued = done.value
        st.success(t("admin.import.done", count=len(preview.rows)))
        if issued:
            st.warning(t("admin.import.temp_passwords"), icon=":material/key:")
            st.dataframe(pd.DataFrame(sorted(issued.items()), columns=[t("field.username"), t("field.password")]),
                         hide_index=True)
