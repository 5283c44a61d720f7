"""The rubric builder: one form for QA scorecards and practical-exam rubrics (the one rubric engine).

The title and settings are inputs; each section is a block with its titles and weight and a
table of items (texts in English and Chinese, points, critical, N/A allowed), where rows are
added and removed in place. `build` returns the rubric the fields describe and the problems,
each shown beside its section (by item number and field) once the author has tried to save.
The state lives under `key`: use a new key to load another rubric or version.
"""
import re
import secrets
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from portal.i18n import Translator
from portal.qa.scorecards import ITEM_COLUMNS, form_from_rubric, rubric_from_form
from portal.quizzes.specs import RubricSpec, SpecFileError
from portal.ui import rubric_sheet

EDITED_COLUMNS = tuple(c for c in ITEM_COLUMNS if c != "critical_below")
"""`critical_below` is rare (the ticket checklist): kept from the file or spec, not shown in the table."""
_FIELD = re.compile(r"^sections\[(\d+)\](?:\.items\[(\d+)\])?\.?(.*)$")
FIELD_NAMES = {"id": "id", "title.en": "title_en", "title.zh-CN": "title_zh", "text.en": "text_en",
               "text.zh-CN": "text_zh", "max_points": "max_points", "weight": "weight", "critical": "critical",
               "critical_below": "critical_below", "allow_na": "allow_na", "items": "items",
               "description.en": "description_en", "description.zh-CN": "description_zh",
               "critical_miss": "critical_miss", "sections": "sections"}


@dataclass(frozen=True)
class Built:
    spec: RubricSpec | None
    problems: list[SpecFileError]


def _state(key: str, spec: RubricSpec | None) -> dict:
    """The builder's starting fields and its list of sections (each with a stable widget id)."""
    if key not in st.session_state:
        header, sections = form_from_rubric(spec)
        st.session_state[key] = {"header": header, "sections": [
            {"uid": secrets.token_hex(4), **{k: v for k, v in section.items() if k != "items"},
             "frame": pd.DataFrame(section["items"], columns=list(EDITED_COLUMNS))}
            for section in sections],
            # kept as they were (the builder does not show them): item id -> critical_below
            "critical_below": {item["id"]: item["critical_below"] for section in sections
                               for item in section["items"] if item.get("critical_below") is not None}}
    return st.session_state[key]


def field_label(t: Translator, field: str) -> str:
    """A problem's field as people read it: "Section 2 · item 3 · Text (Chinese)"."""
    match = _FIELD.match(field)
    parts = []
    rest = field
    if match:
        parts.append(t("qa.rubric.section_n", n=int(match.group(1)) + 1))
        if match.group(2) is not None:
            parts.append(t("qa.rubric.item_n", n=int(match.group(2)) + 1))
        rest = match.group(3)
    if rest:
        name = FIELD_NAMES.get(rest)
        parts.append(t(f"qa.rubric.field.{name}") if name else rest)
    return " · ".join(parts)


def _show_problems(t: Translator, problems: list[SpecFileError]) -> None:
    if problems:
        st.error("\n".join(f"- {field_label(t, p.field)}: {p.text(t.language)}" for p in problems),
                 icon=":material/error:")


def _item_editor(t: Translator, frame: pd.DataFrame, key: str, allow_na: bool) -> pd.DataFrame:
    config = {
        "id": st.column_config.TextColumn(t("qa.rubric.field.id"), help=t("qa.rubric.id_help"), width="small"),
        "text_en": st.column_config.TextColumn(t("qa.rubric.field.text_en"), width="medium"),
        "text_zh": st.column_config.TextColumn(t("qa.rubric.field.text_zh"), width="medium"),
        "max_points": st.column_config.NumberColumn(t("qa.rubric.field.max_points"), min_value=0.5, step=0.5,
                                                    format="%g", width="small"),
        "critical": st.column_config.CheckboxColumn(t("qa.rubric.field.critical"), help=t("qa.rubric.critical_help"),
                                                    default=False, width="small"),
        "allow_na": st.column_config.CheckboxColumn(t("qa.rubric.field.allow_na"), help=t("qa.rubric.na_help"),
                                                    default=False, width="small"),
    }
    order = [c for c in EDITED_COLUMNS if allow_na or c != "allow_na"]
    return st.data_editor(frame, column_config=config, column_order=order, num_rows="dynamic", hide_index=True,
                          width="stretch", key=key)


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{c: (None if pd.isna(v) else v) if not isinstance(v, (list, dict)) else v for c, v in row.items()}
            for row in frame.to_dict("records")]


def build(t: Translator, key: str, spec: RubricSpec | None, *, allow_na: bool, id_editable: bool,
          show_problems: bool) -> Built:
    """Draw the builder for `spec` (None: a new rubric) and return what its fields describe."""
    state = _state(key, spec)
    header = state["header"]
    top = st.container(border=True)
    code_col, miss_col = top.columns([1, 2])
    values = {"id": code_col.text_input(t("qa.rubric.field.id"), header["id"], key=f"{key}.id",
                                        disabled=not id_editable, help=t("qa.rubric.code_help")),
              "critical_miss": miss_col.radio(t("qa.rubric.field.critical_miss"), ["fail_exam", "zero_section"],
                                              index=0 if header["critical_miss"] == "fail_exam" else 1,
                                              format_func=lambda v: t(f"qa.rubric.critical_miss.{v}"),
                                              key=f"{key}.critical_miss")}
    en_col, zh_col = top.columns(2)
    values["title_en"] = en_col.text_input(t("qa.rubric.field.title_en"), header["title_en"], key=f"{key}.title_en")
    values["title_zh"] = zh_col.text_input(t("qa.rubric.field.title_zh"), header["title_zh"], key=f"{key}.title_zh")
    values["description_en"] = en_col.text_area(t("qa.rubric.field.description_en"), header["description_en"],
                                                key=f"{key}.description_en", height=80)
    values["description_zh"] = zh_col.text_area(t("qa.rubric.field.description_zh"), header["description_zh"],
                                                key=f"{key}.description_zh", height=80)
    sections = []
    drawn = []
    for index, section in enumerate(state["sections"]):
        uid = section["uid"]
        box = st.container(border=True)
        head, remove_col = box.columns([6, 1], vertical_alignment="bottom")
        head.markdown(f"**{t('qa.rubric.section_n', n=index + 1)}**")
        if len(state["sections"]) > 1 and remove_col.button(t("qa.rubric.remove_section"), key=f"{key}.rm.{uid}",
                                                            icon=":material/delete:"):
            state["sections"].pop(index)
            st.rerun()
        a, b, c, d = box.columns([1.2, 2, 2, 1])
        fields = {"id": a.text_input(t("qa.rubric.field.id"), section["id"], key=f"{key}.{uid}.id",
                                     help=t("qa.rubric.id_help")),
                  "title_en": b.text_input(t("qa.rubric.field.title_en"), section["title_en"],
                                           key=f"{key}.{uid}.title_en"),
                  "title_zh": c.text_input(t("qa.rubric.field.title_zh"), section["title_zh"],
                                           key=f"{key}.{uid}.title_zh"),
                  "weight": d.number_input(t("qa.rubric.field.weight"), min_value=0.0, step=1.0,
                                           value=section["weight"], format="%g", key=f"{key}.{uid}.weight",
                                           help=t("qa.rubric.weight_help"))}
        with box:
            frame = _item_editor(t, section["frame"], f"{key}.{uid}.items", allow_na)
        items = [row | {"critical_below": state["critical_below"].get(row.get("id"))} for row in _records(frame)]
        sections.append({**fields, "items": items})
        drawn.append(box)
    if st.button(t("qa.rubric.add_section"), key=f"{key}.add", icon=":material/add:"):
        state["sections"].append({"uid": secrets.token_hex(4), "id": "", "title_en": "", "title_zh": "",
                                  "weight": 1.0, "frame": pd.DataFrame([], columns=list(EDITED_COLUMNS))})
        st.rerun()
    built, problems = rubric_from_form(values, sections)
    if not allow_na and built is not None and any(item.allow_na for _, item in built.items()):
        built = None
    if show_problems:
        by_section: dict[int, list[SpecFileError]] = {}
        general = []
        for problem in problems:
            match = _FIELD.match(problem.field)
            (by_section.setdefault(int(match.group(1)), []) if match else general).append(problem)
        with top:
            _show_problems(t, general)
        for index, box in enumerate(drawn):
            with box:
                _show_problems(t, by_section.get(index, []))
    return Built(built, problems)


def preview(t: Translator, built: Built) -> None:
    """The blank sheet the fields make, or a word that it cannot be drawn yet."""
    if built.spec is None:
        st.info(t("qa.rubric.preview_unavailable", count=len(built.problems)), icon=":material/info:")
    else:
        rubric_sheet.preview(t, built.spec)


def editor(t: Translator, key: str, spec: RubricSpec | None, *, allow_na: bool, is_new: bool, save,
           save_label: str | None = None):
    """The builder with its preview, its file (download; upload into the fields) and a save button.

    `save(session, spec)` writes through `run_action`; returns its Outcome when the author saved,
    else None. A save with problems is refused beside the fields, and nothing typed is lost.
    """
    from portal.qa.scorecards import spec_from_yaml, spec_to_yaml
    from portal.ui.widgets import run_action

    loaded_key = f"{key}.loaded"
    generation = st.session_state.get(f"{key}.generation", 0)
    builder_key = f"{key}.g{generation}"
    tried_key = f"{key}.tried"
    edit_tab, preview_tab, file_tab = st.tabs([t("qa.rubric.tab.edit"), t("qa.rubric.tab.preview"),
                                               t("qa.rubric.tab.file")])
    with edit_tab:
        built = build(t, builder_key, st.session_state.get(loaded_key, spec), allow_na=allow_na,
                      id_editable=is_new, show_problems=bool(st.session_state.get(tried_key)))
        outcome = None
        if st.button(save_label or t("qa.rubric.save_new" if is_new else "qa.rubric.save_version"), type="primary",
                     key=f"{key}.save", icon=":material/save:"):
            if built.spec is None:
                st.session_state[tried_key] = True
                st.rerun()
            outcome = run_action(t, lambda session: save(session, built.spec))
            if outcome:
                for name in (tried_key, loaded_key, f"{key}.generation"):
                    st.session_state.pop(name, None)
    with preview_tab:
        preview(t, built)
    with file_tab:
        st.caption(t("qa.rubric.file_help"))
        st.download_button(t("qa.rubric.download"), spec_to_yaml(built.spec) if built.spec else "",
                           file_name=f"{built.spec.id if built.spec else 'rubric'}.yaml", mime="application/yaml",
                           disabled=built.spec is None, key=f"{key}.download", icon=":material/download:")
        upload = st.file_uploader(t("qa.rubric.upload"), type=["yaml", "yml"], key=f"{key}.upload.{generation}")
        if upload is not None:
            uploaded, problems = spec_from_yaml(upload.getvalue().decode("utf-8", errors="replace"), upload.name)
            if problems:
                _show_problems(t, problems)
            elif st.button(t("qa.rubric.load_upload"), key=f"{key}.load"):
                if not is_new and spec is not None and uploaded.id != spec.id:
                    st.error(t("qa.rubric.error.upload_other_code", code=uploaded.id, expected=spec.id),
                             icon=":material/error:")
                else:
                    st.session_state[loaded_key] = uploaded
                    st.session_state[f"{key}.generation"] = generation + 1
                    st.rerun()
    return outcome


SAVED_MESSAGE = "rubric_builder.saved_message"
NEXT_PICK = "rubric_builder.next_pick"


def remember_saved(message: str, pick: str | None = None, *, picker_key: str | None = None) -> None:
    """Say `message` after the rerun a save makes (a toast before a rerun is lost); open `pick` then."""
    st.session_state[SAVED_MESSAGE] = message
    if pick is not None and picker_key is not None:
        st.session_state[NEXT_PICK] = (picker_key, pick)


def show_saved() -> None:
    """The message of the last save, once; and move the picker to what was just created. Call at the top."""
    message = st.session_state.pop(SAVED_MESSAGE, None)
    if message:
        st.success(message, icon=":material/check_circle:")
    if NEXT_PICK in st.session_state:
        picker_key, pick = st.session_state.pop(NEXT_PICK)
        st.session_state[picker_key] = pick
