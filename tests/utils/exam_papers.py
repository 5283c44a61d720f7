"""A fixed paper for the demo's product exam, so page and browser tests see the same questions on every run."""
from sqlmodel import Session, delete, select

from portal.models import Exam, ExamSlot

PRODUCT = "written-product-q1"
# every kind of answer, the numerical question in the middle (slot 10) with ten choice questions after it
PINNED_PRODUCT_PAPER = ["PRD-001", "PRD-002", "PRD-003", "PRD-004", "PRD-024", "PRD-005", "PRD-006", "PRD-010",
                        "PRD-008", "PRD-016", "PRD-009", "PRD-011", "PRD-012", "PRD-013", "PRD-018", "PRD-019",
                        "PRD-022", "PRD-025", "PRD-027", "PRD-028"]
SLOTS = {"multichoice_many": 4, "shortanswer": 5, "match": 8, "numerical": 10}


def pin_product_paper(engine) -> None:
    """The demo exam draws 20 product questions at random; fixed slots replace the draw for new attempts."""
    with Session(engine) as session:
        exam = session.exec(select(Exam).where(Exam.code == PRODUCT)).one()
        session.exec(delete(ExamSlot).where(ExamSlot.exam_id == exam.id))
        for slot, idnumber in enumerate(PINNED_PRODUCT_PAPER, start=1):
            session.add(ExamSlot(exam_id=exam.id, slot=slot, idnumber=idnumber, mark=1.0))
        session.commit()
