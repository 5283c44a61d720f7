"""Demo contests (#19): a finished knowledge contest between Mobile Team A and Broadband Team B with a close result,
a running one the demo agent can take a round of, and a scenario contest judged by three judges (the trainer's
sheet for one contestant left blank, to judge in the browser). Loading twice changes nothing."""
from datetime import datetime, time, timedelta, UTC

from sqlmodel import select

from portal.auth import actor_for
from portal.contests import judging, rounds, setup
from portal.contests.setup import ContestSettings, MixEntry, RoundSettings, ScenarioBrief
from portal.models import Contest, Rubric
from portal.quizzes import attempts
from seed.context import SeedContext
from seed.exams import _response

TEAMS = ("Mobile Team A", "Broadband Team B")
FINISHED = "October knowledge cup"
RUNNING = "December roaming sprint"
SCENARIO = "Role-play final: the angry roamer"
# questions answered right out of 6, per person who took part (8 of Team A's 11, 6 of Team B's 7): the teams end
# less than a point apart
RIGHT = {"agent": 4, "huang.lei": 6, "zheng.xia": 5, "song.yu": 5, "tang.mei": 4, "wu.hao": 5, "zhou.min": 4,
         "xu.jing": 5, "qian.lu": 6, "deng.kai": 5, "cao.ying": 5, "gao.yan": 4, "lin.feng": 5, "ma.xin": 4}
SCENARIO_CONTESTANTS = {"huang.lei": 1, "qian.lu": 1, "song.yu": 2, "deng.kai": 2}
JUDGES = ("trainer", "lead", "qa")
# each judge's points per contestant, as a share of each item's maximum (the trainer has not marked song.yu yet)
JUDGE_SHARE = {("trainer", "huang.lei"): 0.9, ("lead", "huang.lei"): 1.0, ("qa", "huang.lei"): 0.7,
               ("trainer", "qian.lu"): 0.8, ("lead", "qian.lu"): 0.8, ("qa", "qian.lu"): 0.9,
               ("lead", "song.yu"): 0.7, ("qa", "song.yu"): 0.6,
               ("trainer", "deng.kai"): 0.6, ("lead", "deng.kai"): 0.9, ("qa", "deng.kai"): 0.8}


def _at(ctx: SeedContext, days: int, hour: int = 0) -> datetime:
    return datetime.combine(ctx.day(days), time(hour), tzinfo=UTC)


def _exists(ctx: SeedContext, title: str) -> bool:
    return ctx.session.exec(select(Contest.id).where(Contest.title_en == title)).first() is not None


def load(ctx: SeedContext) -> None:
    if not _exists(ctx, FINISHED):
        _finished(ctx)
    if not _exists(ctx, RUNNING):
        _running(ctx)
    if not _exists(ctx, SCENARIO) and ctx.session.exec(select(Rubric.id).where(Rubric.code == "roleplay-call")).first():
        _scenario(ctx)


def _knowledge(ctx: SeedContext, title_en: str, title_zh: str, start: int, end: int, mix) -> Contest:
    trainer = actor_for(ctx.session, ctx.user("trainer"))
    settings = ContestSettings(kind="knowledge", title_en=title_en, title_zh=title_zh, starts_at=_at(ctx, start),
                               ends_at=_at(ctx, end), team_ids=[ctx.team(name).id for name in TEAMS],
                               participation_share=0.6, attempts_per_round=2, rounds=[RoundSettings(10, mix)])
    contest = setup.create_contest(ctx.session, trainer, settings)
    setup.start_contest(ctx.session, trainer, contest.id)
    ctx.count("contests")
    return contest


def _finished(ctx: SeedContext) -> None:
    contest = _knowledge(ctx, FINISHED, "十月知识杯", -14, -7, [MixEntry(["product"], 4), MixEntry(["etiquette"], 2)])
    for order, (username, right) in enumerate(RIGHT.items()):
        start = _at(ctx, -13, 9) + timedelta(minutes=37 * order)
        if username == "zhou.min":  # a first try, then a better one: the board counts the best
            _sit(ctx, contest, username, right - 1, start - timedelta(hours=3), minutes=7)
        _sit(ctx, contest, username, right, start, minutes=5 + order % 4)
    setup.close_contest(ctx.session, actor_for(ctx.session, ctx.user("trainer")), contest.id, now=contest.ends_at)


def _sit(ctx: SeedContext, contest: Contest, username: str, right: int, start: datetime, minutes: int) -> None:
    session = ctx.session
    learner = actor_for(session, ctx.user(username))
    attempt_id = rounds.start_round(session, learner, contest.id, 1, now=start)
    view = attempts.attempt_view(session, learner, attempt_id, now=start)
    responses = {}
    for number, question in enumerate(view.questions):
        payload = attempts.question_payload(*attempts.serve_version(session, question.idnumber, "en"))
        responses[question.slot] = _response(payload, number < right, _Never())
    attempts.submit_attempt(session, learner, attempt_id, responses, now=start + timedelta(minutes=minutes))
    ctx.count("contest attempts")


class _Never:
    """The wrong answer `seed.exams._response` picks: always the first wrong one (a demo, not a draw)."""

    def choice(self, values):
        return values[0]


def _running(ctx: SeedContext) -> None:
    _knowledge(ctx, RUNNING, "十二月漫游冲刺赛", -1, 6, [MixEntry(["product"], 3), MixEntry(["etiquette"], 2)])


BRIEFS = [
    ScenarioBrief("The angry roamer", "愤怒的漫游用户",
                  "A business traveller back from Japan, angry: his bill shows 860 yuan of data roaming.",
                  "一位刚从日本出差回来的商务旅客，非常生气：账单上有 860 元的数据漫游费。",
                  "He never switched roaming on knowingly and wants the charge removed at once.",
                  "他说自己从未有意开通漫游，要求立即免除这笔费用。",
                  "Lets him finish, acknowledges the shock, checks the usage with him, explains the daily roaming "
                  "package, offers the goodwill credit the policy allows and sets up a roaming alert.",
                  "先让客户说完，理解他的震惊，与他一起核对用量，解释日租漫游套餐，按政策给予可用的补偿，并为他开通漫游提醒。"),
    ScenarioBrief("The broadband outage", "宽带故障",
                  "A parent working from home whose broadband has dropped three times today.",
                  "一位居家办公的家长，今天宽带已经断了三次。",
                  "She has an important video call in an hour and has already restarted the router twice.",
                  "她一小时后有重要的视频会议，已经重启过两次路由器。",
                  "Verifies the account, checks the line remotely, gives a clear next step and a time, offers a "
                  "mobile data top-up for the call and opens a repair ticket she can follow.",
                  "核实账户，远程检测线路，给出明确的下一步和时间，为会议提供临时流量包，并建立她可以跟进的维修工单。"),
]


def _scenario(ctx: SeedContext) -> None:
    session = ctx.session
    trainer = actor_for(session, ctx.user("trainer"))
    settings = ContestSettings(kind="scenario", title_en=SCENARIO, title_zh="情景模拟决赛：愤怒的漫游用户",
                               starts_at=_at(ctx, -3), ends_at=_at(ctx, 4), team_ids=[ctx.team(n).id for n in TEAMS],
                               rubric_code="roleplay-call", scenarios=list(BRIEFS),
                               judge_ids=[ctx.user(u).id for u in JUDGES],
                               contestants={ctx.user(u).id: n for u, n in SCENARIO_CONTESTANTS.items()})
    contest = setup.create_contest(session, trainer, settings)
    setup.start_contest(session, trainer, contest.id)
    spec = judging.contest_rubric(session, contest)
    for (judge, contestant), share in JUDGE_SHARE.items():
        marks = {item.id: float(round(item.max_points * share)) for _, item in spec.items()}
        judging.save_sheet(session, actor_for(session, ctx.user(judge)), contest.id, ctx.user(contestant).id, marks,
                           {}, submit=True, now=_at(ctx, -1, 10))
    ctx.count("contests")
