"""The demo's two QA scorecards (voice call, complaint handling) as rubric specs.

Shared by the demo (`seed/qa_demo.py`) and the large center (`seed/large.py`).
When the scorecard helper's files land, `voice_call_spec()` and
`complaint_spec()` can read them instead; callers only need the RubricSpec.
"""
from portal.quizzes.specs import RubricSpec

VERIFY = "verify_identity"  # the critical item of the demo story
OFFERS = "offers_limit"  # "at most two offers"

# section id, weight, title (en, zh), items: (id, en, zh, max points, critical, allow N/A)
VOICE_CALL_SECTIONS = (
    ("opening", 15, ("Opening", "开场"), (
        ("greeting", "Standard greeting within 3 seconds", "3 秒内使用标准问候语", 1, False, False),
        ("introduce_self", "Gives name and job number", "报出姓名和工号", 1, False, False),
        (VERIFY, "Verifies identity before any account detail", "核实身份后再谈账户信息", 2, True, False),
        ("state_purpose", "Confirms the reason for the call", "确认来电目的", 1, False, False),
    )),
    ("needs", 25, ("Understanding the need", "需求理解"), (
        ("listen", "Lets the customer finish", "让客户说完", 1, False, False),
        ("probe", "Asks open questions to find the need", "用开放式问题了解需求", 2, False, False),
        ("confirm_need", "Restates the need in own words", "复述客户需求", 1, False, False),
        ("empathy", "Acknowledges the customer's feelings", "体谅客户感受", 1, False, False),
        ("no_interrupt", "Does not interrupt", "不打断客户", 1, False, False),
    )),
    ("solution", 30, ("Solution", "解决方案"), (
        ("accurate_info", "Information given is correct", "提供的信息准确", 2, False, False),
        ("policy", "Follows the tariff and refund policy", "遵守资费和退费政策", 2, False, False),
        (OFFERS, "At most two offers per call", "营销不超过两次", 1, False, True),
        ("system_use", "Uses the CRM correctly", "正确使用客户系统", 1, False, False),
        ("resolution", "Resolves the need on this call", "本次通话解决问题", 2, False, False),
        ("expectations", "Sets clear next steps and times", "说明后续步骤和时限", 1, False, False),
    )),
    ("closing", 15, ("Closing", "结束"), (
        ("recap", "Recaps what was agreed", "总结约定事项", 1, False, False),
        ("further_help", "Asks if anything else is needed", "询问是否还有其他需要", 1, False, False),
        ("farewell", "Standard closing", "标准结束语", 1, False, False),
    )),
    ("compliance", 15, ("Compliance", "合规"), (
        ("data_protection", "Reads no data aloud that was not asked for", "不主动念出客户信息", 2, False, False),
        ("ticket_note", "Writes the ticket note", "填写工单备注", 1, False, True),
    )),
)

COMPLAINT_SECTIONS = (
    ("opening", 20, ("Opening", "开场"), (
        (VERIFY, "Verifies identity before any account detail", "核实身份后再谈账户信息", 2, True, False),
        ("apologise", "Apologises for the trouble", "对给客户带来的不便致歉", 1, False, False),
    )),
    ("handling", 50, ("Handling the complaint", "投诉处理"), (
        ("own_it", "Takes ownership, no blame", "主动承担，不推诿", 2, False, False),
        ("root_cause", "Finds the cause", "找出原因", 2, False, False),
        ("escalate", "Escalates per the complaint flow", "按投诉流程升级", 1, False, True),
    )),
    ("closing", 30, ("Closing", "结束"), (
        ("follow_up", "Agrees a follow-up time", "约定回访时间", 1, False, False),
        ("ticket_note", "Writes the ticket note", "填写工单备注", 1, False, False),
    )),
)


def _spec(code: str, title: tuple[str, str], sections) -> RubricSpec:
    return RubricSpec.model_validate({
        "id": code, "title": {"en": title[0], "zh-CN": title[1]}, "critical_miss": "fail_exam",
        "sections": [{"id": sid, "weight": weight, "title": {"en": en, "zh-CN": zh},
                      "items": [{"id": iid, "text": {"en": ien, "zh-CN": izh}, "max_points": points,
                                 "critical": critical, "allow_na": na}
                                for iid, ien, izh, points, critical, na in items]}
                     for sid, weight, (en, zh), items in sections]})


def voice_call_spec() -> RubricSpec:
    return _spec("voice-call", ("Voice call", "语音通话"), VOICE_CALL_SECTIONS)


def complaint_spec() -> RubricSpec:
    return _spec("complaint-handling", ("Complaint handling", "投诉处理"), COMPLAINT_SECTIONS)
