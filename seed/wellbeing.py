"""Demo wellbeing: support resources, and 12 past (closed, published) weeks of anonymous check-ins for two teams.

Public numbers are real (12356 is the National Health Commission's national
psychological assistance line; 400-161-9995 is the Hope 24 crisis line;
120/110 are ambulance and police). Company-internal entries are marked
"(demo)". No participation rows are seeded: they exist only for the current
week, and this week stays open so every demo account can check in.
"""
import random
import secrets

from sqlmodel import select

from portal import wellbeing
from portal.models import SupportResource, WellbeingResponse
from portal.roles import SYSTEM
from seed.context import SeedContext

RESOURCES = [
    # (kind, order, phone, booking url, {language: (name, description, hours)})
    ("eap", 1, "400-000-0000 (demo)", "https://eap.example.com/book", {
        "en": ("Employee counselling hotline (EAP)",
               "Free, confidential counselling with qualified psychologists from an outside provider. The company "
               "never learns who called or what was said. Up to six sessions a year, by phone or in person.",
               "24 hours, every day"),
        "zh-CN": ("员工心理援助热线（EAP）",
                  "由外部专业机构的心理咨询师提供免费、保密的心理咨询。公司不会知道谁打过电话、谈了什么。"
                  "每年最多六次，电话或面谈均可。",
                  "全天 24 小时")}),
    ("crisis", 2, "12356", "", {
        "en": ("National psychological assistance hotline 12356",
               "The national mental-health hotline of the National Health Commission: free and anonymous, for "
               "worries, low mood, sleep problems or a crisis. Calls go to the line of your own city.",
               "At least 18 hours a day (varies by city)"),
        "zh-CN": ("全国统一心理援助热线 12356",
                  "国家卫生健康委设立的全国统一心理援助热线，免费、匿名，可咨询心理困扰、情绪低落、失眠，"
                  "或在危机时求助。来电接入所在城市的热线。",
                  "每天不少于 18 小时（各地不同）")}),
    ("crisis", 3, "400-161-9995", "", {
        "en": ("Hope 24 crisis line",
               "A nationwide 24-hour crisis-intervention hotline for anyone going through a very hard time.",
               "24 hours, every day"),
        "zh-CN": ("希望24热线",
                  "面向全国的 24 小时心理危机干预热线，为正在经历艰难时刻的人提供帮助。",
                  "全天 24 小时")}),
    ("emergency", 4, "120 / 110", "", {
        "en": ("Emergency numbers",
               "If someone is in immediate danger: 120 for an ambulance, 110 for the police.",
               "24 hours, every day"),
        "zh-CN": ("紧急电话",
                  "如果有人身处紧急危险：急救请拨 120，报警请拨 110。",
                  "全天 24 小时")}),
    ("training", 5, "", "https://academy.example.com/courses/stress-management", {
        "en": ("Stress-management workshop (NLP) (demo)",
               "A two-hour workshop by our trainers on paid time: handling angry callers without carrying it home, "
               "breathing and reframing techniques, and planning real breaks.",
               "Every second Thursday, 14:00-16:00, Training Room 2"),
        "zh-CN": ("压力管理工作坊（NLP）（演示）",
                  "由内训师在工作时间开设的两小时工作坊：如何应对情绪激动的来电者而不把情绪带回家，"
                  "呼吸与换框技巧，以及如何真正休息。",
                  "隔周周四 14:00-16:00，二号培训室")}),
    ("peer", 6, "ext. 8021 (demo)", "", {
        "en": ("Peer-support circle (demo)",
               "Half an hour with colleagues who know the job. No leads present, nothing written down.",
               "Fridays 18:30, after the late shift, 3rd-floor break room"),
        "zh-CN": ("同伴支持小组（演示）",
                  "和懂这份工作的同事聊半小时。班长不参加，不做任何记录。",
                  "每周五 18:30 晚班后，三楼休息室")}),
]

# Responses per past week, oldest first. One week under 5 for Mobile Team A shows suppression: that week
# hides a partner too, and so do both teams' months holding it (each would give the small week away).
WEEKLY_RESPONSES = {
    "Mobile Team A": [8, 9, 3, 7, 9, 10, 8, 6, 9, 11, 9, 8],
    "Broadband Team B": [6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 6, 5],
}
BASELINE = {"Mobile Team A": 3.1, "Broadband Team B": 2.7}  # mean WHO-5 item answer
HARD_WEEKS = {4, 5, 6}  # a new tariff launch: complaint calls pile up (index into the 12 weeks)

COMMENTS = [
    "新套餐上线那几周投诉电话太多，午休经常被压缩。",
    "希望排班能提前一周公布，方便安排家里的事。",
    "班长上周帮我接过一个很难缠的客户，很感谢。",
    "耳机坏了两周还没换，通话时对方老说听不清。",
    "夜班之后第二天接早班，真的很累。",
    "质检扣分的标准能不能讲得更清楚一些？",
    "被客户骂哭过一次，还好同事安慰了我。",
    "团建聚餐很开心，希望多一些这样的活动。",
    "The new roaming FAQ really helped, fewer repeat calls.",
    "Please keep the peer-support circle going.",
    "Too many back-to-back calls, no time to write tickets properly.",
    "知识库更新太慢，新政策常常要问好几个人。",
]


def load(ctx: SeedContext) -> None:
    _load_resources(ctx)
    if ctx.session.exec(select(WellbeingResponse.id)).first() is None:
        _load_responses(ctx)


def _load_resources(ctx: SeedContext) -> None:
    """One resource per entry, with its English and Chinese texts (idempotent by English name)."""
    existing = {r.name for r in ctx.session.exec(select(SupportResource))}
    for kind, order, phone, url, texts in RESOURCES:
        (name, description, hours), (name_zh, description_zh, hours_zh) = texts["en"], texts["zh-CN"]
        if name in existing:
            continue
        wellbeing.save_resource(ctx.session, SYSTEM, wellbeing.ResourceInput(
            kind=kind, name=name, description=description, phone=phone, hours=hours, booking_url=url,
            sort_order=order, name_zh=name_zh, description_zh=description_zh, hours_zh=hours_zh))
        ctx.count("support resources")


def _load_responses(ctx: SeedContext) -> None:
    rng = random.Random(20261122)
    weeks = [wellbeing.iso_week(ctx.day(-7 * k)) for k in range(12, 0, -1)]
    rows = []
    for team_name, counts in WEEKLY_RESPONSES.items():
        team_id = ctx.team(team_name).id
        for index, (week, count) in enumerate(zip(weeks, counts)):
            mood = BASELINE[team_name] - (1.1 if index in HARD_WEEKS else 0.0)
            rows.extend(_response(rng, week, team_id, mood) for _ in range(count))
    rng.shuffle(rows)
    ctx.session.add_all(rows)
    ctx.session.flush()
    ctx.count("wellbeing responses", len(rows))
    ctx.count("wellbeing periods published", len(wellbeing.publish_closed_periods(ctx.session).periods))


def _response(rng: random.Random, week: str, team_id: int, mood: float) -> WellbeingResponse:
    person = rng.gauss(0, 0.7)  # some people have a harder time than others

    def answer(mean: float, top: int) -> int:
        return max(0, min(top, round(rng.gauss(mean + person, 0.8))))

    stress = 3.9 - mood  # a lower mood goes with more stress
    who5 = {f"who5_{i}": answer(mood, 5) for i in range(1, 6)}
    pss4 = {"pss4_1": answer(stress * 0.6, 4), "pss4_2": 4 - answer(stress * 0.6, 4),
            "pss4_3": 4 - answer(stress * 0.6, 4), "pss4_4": answer(stress * 0.6, 4)}
    comment = rng.choice(COMMENTS) if rng.random() < 0.3 else None
    return WellbeingResponse(id=secrets.token_hex(16), iso_week=week, team_id=team_id, comment=comment, **who5, **pss4)
