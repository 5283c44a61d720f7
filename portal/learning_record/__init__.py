"""A learning record per person, for HR and for the person (issue #20).

One record of everything learned and proved: onboarding stages with their sign-offs,
modules with the version completed, exams and practicals with scores, coaching sessions
(the shared part only), a summary of quality evaluations, and certificates. Shown as a
page, a PDF in the reader's language, and CSV/XLSX files; nothing from wellbeing and no
private coaching notes ever enter it (the queries do not even select them).
"""
from portal.learning_record.entries import (CertificateEntry, CoachingEntry, ExamEntry, LearningRecord, ModuleEntry,
                                            PersonFacts, QaSummary, StageEntry)
from portal.learning_record.service import learning_record, record_people
from portal.learning_record.tables import SECTIONS, record_csv, record_frames, record_workbook

__all__ = ["SECTIONS", "CertificateEntry", "CoachingEntry", "ExamEntry", "LearningRecord", "ModuleEntry", "PersonFacts",
           "QaSummary", "StageEntry", "learning_record", "record_csv", "record_frames", "record_people",
           "record_workbook"]
