"""A one-page PDF of a coaching session for the 1:1, in the reader's language.

The PDF is handed to the agent, so it carries the shared part only: private
notes are never written into it, whoever downloads it. Fonts and the check
that every character drawn is covered live in `portal.pdf_fonts`.
"""
from collections.abc import Callable

from fpdf import FPDF
from fpdf.fonts import FontFace

from portal.coaching import SessionView, focus_label
from portal.formatting import format_date
from portal.i18n import Translator, localized_field
from portal.pdf_fonts import FAMILY, CjkPdf, cjk_font, facts_table, refuse_uncovered, section


class _SessionPdf(CjkPdf):
    """The session PDF's page (kept as a name for the tests)."""


def deferred_session_pdf(view: SessionView, t: Translator) -> Callable[[], bytes]:
    """The PDF as a callable for a deferred download button, built only when clicked.

    Building one PDF takes a fraction of a second; a page listing ten sessions
    must not build ten on every rerun. The font and its coverage of what people
    wrote are checked now, so a missing font or a character it cannot draw
    fails clearly (ValidationFailed) where the page shows the button.
    """
    refuse_uncovered(cjk_font(), set("".join(_written_texts(view, t))))
    return lambda: session_pdf(view, t)


def _written_texts(view: SessionView, t: Translator) -> list[str]:
    """What people typed that the PDF shows (the labels are ours and checked by the tests)."""
    return [view.agent_name, view.author_name, view.shared_notes, view.ack_comment,
            *(_link_text(link, t) for link in view.links),
            *(text for item in view.action_items for text in (item.description, item.owner_name))]


def session_pdf(view: SessionView, t: Translator) -> bytes:
    font = cjk_font()
    pdf = _SessionPdf(font, t("coaching.pdf.footer", id=view.id, version=view.version))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(FAMILY, size=16)
    pdf.cell(0, 10, t("coaching.pdf.title"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    facts_table(pdf, _facts(view, t))
    section(pdf, t("coaching.shared_notes"), view.shared_notes or "—")
    if view.links:
        section(pdf, t("coaching.links"), "\n".join(_link_text(link, t) for link in view.links))
    _action_table(pdf, view, t)
    if view.ack_comment:
        section(pdf, t("coaching.agent_comment"), view.ack_comment)
    data = bytes(pdf.output())  # draws the footer too
    refuse_uncovered(font, pdf.drawn)
    return data


def _facts(view: SessionView, t: Translator) -> list[tuple[str, str]]:
    facts = [(t("coaching.col.agent"), view.agent_name), (t("coaching.col.coach"), view.author_name),
             (t("coaching.col.held_on"), format_date(view.held_on, t.language)),
             (t("coaching.col.focus_area"), focus_label(t, view.focus_area)),
             (t("coaching.col.follow_up_on"), format_date(view.follow_up_on, t.language)),
             (t("coaching.col.acknowledged"), _ack_text(view, t))]
    if view.effect is not None:
        facts.append((t("coaching.col.effect"), _effect_text(view, t)))
    return facts


def _action_table(pdf: FPDF, view: SessionView, t: Translator) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, size=12)
    pdf.cell(0, 8, t("coaching.action_items"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    if not view.action_items:
        pdf.multi_cell(0, 6, t("coaching.no_action_items"), new_x="LMARGIN", new_y="NEXT")
        return
    headings = FontFace(emphasis="", fill_color=235)  # one regular face: a bold one would parse a second 20 MB font
    with pdf.table(col_widths=(90, 40, 30, 25), text_align="LEFT", headings_style=headings) as table:
        table.row([t("coaching.col.description"), t("coaching.col.owner"), t("coaching.col.due_on"), t("coaching.col.status")])
        for item in view.action_items:
            status = t("coaching.item_done") if item.done else t("coaching.item_open")
            table.row([item.description, item.owner_name, format_date(item.due_on, t.language), status])


def _ack_text(view: SessionView, t: Translator) -> str:
    if view.acknowledged_at is not None:
        return t("coaching.acknowledged_on", when=format_date(view.acknowledged_at, t.language))
    return t("coaching.awaiting_ack_until", due=format_date(view.ack_due_on, t.language))


def _effect_text(view: SessionView, t: Translator) -> str:
    e = view.effect
    fmt = lambda v: "—" if v is None else f"{v:.1f}"  # noqa: E731
    return t("coaching.effect_text", before=fmt(e.before_avg), before_n=e.before_n, after=fmt(e.after_avg),
             after_n=e.after_n)


def _link_text(link, t: Translator) -> str:
    title = localized_field(link, "exam_title", t.language)
    if link.kind == "supervised_review":
        return t("coaching.link_review", ref=link.ref_id)
    percent = "—" if link.percent is None else f"{link.percent:.0f}"
    return t("coaching.link_attempt", title=title or "#" + str(link.ref_id), percent=percent,
             on=format_date(link.submitted_on, t.language))
