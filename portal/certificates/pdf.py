"""A certificate as a one-page PDF, in English and Chinese on the same page.

The font handling is the coaching PDF's (`portal.coaching_pdf`): the Noto CJK collection parsed
once per process, and every character drawn checked against its map.
"""
from fpdf import FPDF

from portal.certificates.records import CertificateView
from portal.coaching_pdf import FAMILY, _add_cached_font, _refuse_uncovered, cjk_font
from portal.formatting import format_date
from portal.i18n import translate

LANGUAGES = ("en", "zh-CN")


class _CertificatePdf(FPDF):
    def __init__(self):
        super().__init__(orientation="landscape", format="A4")
        self.drawn: set[str] = set()
        _add_cached_font(self, cjk_font())

    def normalize_text(self, text: str) -> str:
        self.drawn.update(text)
        return super().normalize_text(text)


def _both(key: str, **params) -> tuple[str, str]:
    return tuple(translate(key, language, **params) for language in LANGUAGES)


def certificate_pdf(view: CertificateView) -> bytes:
    """The certificate: the center, the person, what was achieved, the date, the expiry and the verification code."""
    pdf = _CertificatePdf()
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_draw_color(40, 90, 160)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_y(24)
    _centered(pdf, 13, *_both("certificates.pdf.center"))
    pdf.ln(4)
    _centered(pdf, 26, *_both("certificates.pdf.title"))
    pdf.ln(6)
    _centered(pdf, 12, *_both("certificates.pdf.certifies"))
    _centered(pdf, 24, view.person)
    _centered(pdf, 12, *_both("certificates.pdf.achieved"))
    _centered(pdf, 18, view.title_en, view.title_zh)
    pdf.ln(4)
    _centered(pdf, 12, *(translate("certificates.pdf.date", lang, date=format_date(view.achieved_on, lang, length="long"))
                         for lang in LANGUAGES))
    if view.expires_on is not None:
        _centered(pdf, 11, *(translate("certificates.pdf.expires", lang,
                                       date=format_date(view.expires_on, lang, length="long")) for lang in LANGUAGES))
    pdf.set_y(pdf.h - 36)
    _centered(pdf, 10, *_both("certificates.pdf.verify", code=view.code))
    data = bytes(pdf.output())
    _refuse_uncovered(cjk_font(), pdf.drawn)
    return data


def _centered(pdf: FPDF, size: float, *lines: str) -> None:
    pdf.set_font(FAMILY, size=size)
    for line in dict.fromkeys(lines):  # a line the same in both languages (a name) once
        pdf.multi_cell(0, size * 0.55, line, align="C", new_x="LMARGIN", new_y="NEXT")
