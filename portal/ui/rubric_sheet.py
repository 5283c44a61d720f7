"""A rubric as a sheet: the blank preview (builder) and the marking rows (evaluating a call).

Marks are `{item id: points | NA}`; an item with no mark is absent. Nothing is chosen by default:
each item's choice starts empty unless a saved draft holds a mark for it.
"""
from collections.abc import Iterator, Mapping

import streamlit as st

from portal.i18n import Translator
from portal.quizzes.specs import NA, RubricItem, RubricSpec
from portal.ui.text import plain


def _badges(t: Translator, item: RubricItem) -> str:
    badges = ""
    if item.critical:
        badges += f":red-badge[:material/priority_high: {t('qa.rubric.critical')}] "
    if item.allow_na:
        badges += f":gray-badge[{t('qa.rubric.na_allowed')}] "
    return badges


def critical_rule(t: Translator, spec: RubricSpec) -> str:
    return t("qa.rubric.rule_zero_section" if spec.critical_miss == "zero_section" else "qa.rubric.rule_fail")


def preview(t: Translator, spec: RubricSpec) -> None:
    """The sheet as an analyst or marker will see it, blank."""
    st.markdown(f"**{plain(spec.title.get(t.language))}**")
    if spec.description is not None:
        st.caption(plain(spec.description.get(t.language)))
    st.caption(critical_rule(t, spec))
    for number, item in _numbered_items(t, spec):
        st.markdown(f"{_item_label(t, number, item)} · "
                    f"{t('qa.rubric.points_range', maximum=f'{item.max_points:g}')}")


def _numbered_items(t: Translator, spec: RubricSpec) -> Iterator[tuple[int, RubricItem]]:
    """Each item with its number (counted across sections), drawn inside its section's box under the
    section's title and weight: the same layout on the preview and the marking sheet."""
    number = 0
    for section in spec.sections:
        st.markdown(f"**{plain(section.title.get(t.language))}** · "
                    f"{t('qa.rubric.weight', weight=f'{section.weight:g}')}")
        with st.container(border=True):
            for item in section.items:
                number += 1
                yield number, item


def _item_label(t: Translator, number: int, item: RubricItem) -> str:
    return f"**{number}.** {_badges(t, item)}{plain(item.text.get(t.language))}"


def point_options(item: RubricItem) -> list[float | str]:
    """The choices for one item: met / missed for a plain critical item, else whole points; N/A where allowed."""
    if item.critical and item.critical_below is None:
        options: list[float | str] = [float(item.max_points), 0.0]
    else:
        whole = {float(v) for v in range(int(item.max_points) + 1)} | {float(item.max_points)}
        options = sorted(whole, reverse=True)
    return options + ([NA] if item.allow_na else [])


def mark_label(t: Translator, item: RubricItem):
    def label(value) -> str:
        if value == NA:
            return t("qa.rubric.na")
        if item.critical and item.critical_below is None:
            return t("qa.rubric.met" if value else "qa.rubric.missed") + f" · {value:g}"
        return f"{value:g}"
    return label


def marking_rows(t: Translator, spec: RubricSpec, points: Mapping[str, float | str], comments: Mapping[str, str],
                 *, key: str, flag_unmarked: bool) -> tuple[dict[str, float | str], dict[str, str]]:
    """One row per item (number and text, the choice, a comment), by section; "not marked yet" beside each
    unmarked item when `flag_unmarked`. Returns the marks chosen and the comments typed."""
    marks: dict[str, float | str] = {}
    typed: dict[str, str] = {}
    for number, item in _numbered_items(t, spec):
        text_col, mark_col, comment_col = st.columns([3.6, 3.8, 2.6], vertical_alignment="center")
        text_col.markdown(_item_label(t, number, item))
        options = point_options(item)
        before = points.get(item.id)
        with mark_col:
            chosen = st.segmented_control(
                f"{number}. {item.text.get(t.language)}", options,
                default=before if before in options else None, format_func=mark_label(t, item),
                key=f"{key}.mark.{item.id}", label_visibility="collapsed", wrap=True)
            if chosen is None and flag_unmarked:
                st.markdown(f":red[:material/error: {t('qa.evaluation.not_marked')}]")
        if chosen is not None:
            marks[item.id] = chosen
        typed[item.id] = comment_col.text_input(
            t("qa.evaluation.item_comment", n=number), comments.get(item.id, ""),
            placeholder=t("qa.evaluation.comment_placeholder"), label_visibility="collapsed",
            key=f"{key}.comment.{item.id}")
    return marks, typed
