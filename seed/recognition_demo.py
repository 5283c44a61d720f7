"""The demo's recognition: a service star for last month, a dozen thanks, badges, two certificates,
and one agent asked to read a changed module again.

`lead` (Zhang Wei) nominated Chen Jie (`agent`) for last month after two customer compliments,
`zhao.lei` nominated Qian Lu for Broadband Team B, and `admin` confirmed Chen Jie. Colleagues
thanked each other over the last three weeks, in English and Chinese. Gao Yan graduated onboarding
(her badge and certificate come from the same code as a sign-off's); Chen Jie holds last year's
onboarding certificate and the QA badge; he read "Billing system" before its text changed, so he
is on the recertification list. Loading twice changes nothing.
"""
from datetime import UTC, datetime, time

from sqlmodel import select

from portal.auth import actor_for
from portal.certificates.issue import certificate_for, expiry_for, issue_certificate
from portal.certificates.recert import record_versions_seen
from portal.clock import center_zone
from portal.i18n import translate
from portal.models import Compliment, ModuleProgress, StageSignoff, StarNomination, Thanks
from portal.onboarding.programme import current_programme
from portal.recognition import badges, graduation, milestones, stars, thanks
from seed.context import SeedContext

STAR, STAR_LEAD, ADMIN = "agent", "lead", "admin"
OTHER_NOMINEE, OTHER_LEAD = "qian.lu", "zhao.lei"
GRADUATE = "gao.yan"
CHANGED_MODULE, OLD_VERSION = "systems-billing", "0ld0b111ng00"
#: (from, to, days ago, message): twelve thanks over the last three weeks.
THANKS = (
    ("huang.lei", "agent", 19, "Thanks for taking my angry roaming caller when I was stuck."),
    ("tang.mei", "feng.jun", 17, "谢谢你教我快速查询宽带装机进度，省了我好多时间！"),
    ("mentor", "newhire", 15, "Great first week on the floor. Your call log was the most careful I have seen."),
    ("zheng.xia", "song.yu", 13, "谢谢你午休时帮我顶班。"),
    ("agent", "huang.lei", 12, "Thank you for the billing 6.0 cheat sheet, it saved my morning."),
    ("qian.lu", "deng.kai", 10, "谢谢你耐心地帮我核对套餐资费表。"),
    ("newhire", "mentor", 9, "谢谢刘老师每天带我跟听，讲得特别清楚。"),
    ("song.yu", "agent", 7, "You calmed down that complaint call beautifully. I learned a lot listening in."),
    ("cao.ying", "qian.lu", 5, "Thanks for covering the late shift on Friday."),
    ("feng.jun", "tang.mei", 4, "谢谢你把核实身份的话术整理成卡片，我现在每通都记得核实了。"),
    ("lead", "zheng.xia", 2, "Thank you for mentoring the new hires on ticket writing this week."),
    ("trainer", "agent", 1, "谢谢你在新员工课堂上分享处理投诉的经验！"),
)
#: (agent, day of last month, what the customer said)
COMPLIMENTS = (
    (STAR, 12, "客户来电专门表扬：陈杰耐心解释了漫游资费，还主动帮忙办理了流量包。"),
    (STAR, 18, "The customer wrote in: 'Chen Jie sorted out my broadband bill in one call.'"),
)


def load(ctx: SeedContext) -> None:
    _thanks(ctx)
    _service_star(ctx)
    _badges_and_certificates(ctx)
    _recertification(ctx)


def _moment(ctx: SeedContext, days_ago: int, hour: int = 10) -> datetime:
    return datetime.combine(ctx.day(-days_ago), time(hour), tzinfo=center_zone()).astimezone(UTC)


def _thanks(ctx: SeedContext) -> None:
    if ctx.session.exec(select(Thanks.id)).first() is not None:
        return
    for giver, receiver, days_ago, message in THANKS:
        thanks.thank(ctx.session, actor_for(ctx.session, ctx.user(giver)), ctx.user(receiver).id, message,
                     now=_moment(ctx, days_ago))
    ctx.count("thanks", len(THANKS))


def _service_star(ctx: SeedContext) -> None:
    session = ctx.session
    last_month, _ = stars.nominable_months(ctx.today)
    if session.exec(select(StarNomination.id).where(StarNomination.month == last_month)).first() is not None:
        return
    recorder = actor_for(session, ctx.user("qa"))
    if session.exec(select(Compliment.id)).first() is None:
        for username, day, text in COMPLIMENTS:
            stars.record_compliment(session, recorder, ctx.user(username).id, text,
                                    received_on=last_month.replace(day=day))
    lead = actor_for(session, ctx.user(STAR_LEAD))
    chosen = stars.nominate(session, lead, ctx.user(STAR).id, last_month,
                            "两位客户专门来电表扬；质检成绩稳定。Two customers called to praise him; steady QA scores.",
                            today=ctx.today)
    stars.nominate(session, actor_for(session, ctx.user(OTHER_LEAD)), ctx.user(OTHER_NOMINEE).id, last_month,
                   "Covered three late shifts and kept every call under the handling target.", today=ctx.today)
    stars.confirm_star(session, actor_for(session, ctx.user(ADMIN)), chosen.id)
    ctx.count("service_stars")


def _badges_and_certificates(ctx: SeedContext) -> None:
    session = ctx.session
    graduate = ctx.user(GRADUATE)
    last_stage = current_programme().stages[-1].key
    passed = session.exec(select(StageSignoff.signed_at).where(StageSignoff.user_id == graduate.id,
                                                               StageSignoff.stage_key == last_stage,
                                                               StageSignoff.outcome == "passed")).first()
    new = certificate_for(session, graduation.source_key(graduate.id)) is None
    graduation.on_graduated(session, graduate.id, passed.date() if passed else ctx.day(-3))
    star = ctx.user(STAR)
    achieved = ctx.day(-330)
    issue_certificate(session, star.id, graduation.PROGRAMME,
                      title_en=translate("certificates.title.onboarding", "en"),
                      title_zh=translate("certificates.title.onboarding", "zh-CN"), achieved_on=achieved,
                      source_key=graduation.source_key(star.id), expires_on=expiry_for(graduation.PROGRAMME, achieved))
    badges.award_badge(session, star.id, badges.GRADUATED, source_key=graduation.source_key(star.id))
    milestones.award_qa_streaks(session, ctx.today)  # as the daily sweep does: Chen Jie and others clean for a quarter
    if new:
        ctx.count("certificates", 2)


def _recertification(ctx: SeedContext) -> None:
    """Chen Jie read "Billing system" last year; its text has changed since (ten days ago)."""
    session = ctx.session
    record_versions_seen(session, ctx.day(-10))
    star = ctx.user(STAR)
    row = session.exec(select(ModuleProgress).where(ModuleProgress.user_id == star.id,
                                                    ModuleProgress.module_id == CHANGED_MODULE)).first()
    if row is None:
        session.add(ModuleProgress(user_id=star.id, module_id=CHANGED_MODULE, opened_at=_moment(ctx, 335),
                                   completed_at=_moment(ctx, 335, 11), version=OLD_VERSION, minutes_spent=25))
        ctx.count("recertifications")
