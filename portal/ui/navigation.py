"""Which pages exist, in which section, and who sees them (from the permission table)."""
from dataclasses import dataclass

from portal.permissions import allowed_at_all, roles_allowed
from portal.roles import Actor, Role


@dataclass(frozen=True)
class PageDef:
    path: str
    title_key: str
    icon: str
    section: str  # i18n key of the sidebar section ("" = top, no header)
    action: str  # the permission (portal/permissions.py) that opens the page
    default: bool = False

    @property
    def roles(self) -> frozenset[Role]:
        """The roles whose menu shows the page."""
        return roles_allowed(self.action)


PAGES: tuple[PageDef, ...] = (
    PageDef("pages/home.py", "nav.home", ":material/home:", "", "home:view", default=True),
    PageDef("pages/inbox.py", "nav.inbox", ":material/inbox:", "", "notifications:read_own"),
    PageDef("pages/recognition.py", "nav.recognition", ":material/celebration:", "", "recognition:wall"),
    PageDef("pages/training_onboarding.py", "nav.my_onboarding", ":material/route:",
            "nav.section.training", "onboarding:follow_own"),
    PageDef("pages/training_shadowing.py", "nav.shadowing_log", ":material/headset_mic:",
            "nav.section.training", "onboarding:log_calls"),
    PageDef("pages/training_supervised.py", "nav.supervised_calls", ":material/support_agent:",
            "nav.section.training", "onboarding:log_calls"),
    PageDef("pages/training_quizzes.py", "nav.my_quizzes", ":material/quiz:",
            "nav.section.training", "quizzes:practice"),
    PageDef("pages/training_exams.py", "nav.my_exams", ":material/assignment:", "nav.section.training", "exams:sit"),
    PageDef("pages/training_coaching.py", "nav.my_coaching", ":material/forum:",
            "nav.section.training", "coaching:read_own"),
    PageDef("pages/training_quality.py", "nav.my_quality", ":material/verified:",
            "nav.section.training", "qa:acknowledge"),
    PageDef("pages/training_learning_record.py", "record.nav", ":material/school:",
            "nav.section.training", "record:read"),
    PageDef("pages/training_contests.py", "nav.my_contests", ":material/emoji_events:",
            "nav.section.training", "contests:take_part"),
    PageDef("pages/authoring_courses.py", "nav.courses", ":material/menu_book:",
            "nav.section.authoring", "courses:author"),
    PageDef("pages/authoring_questions.py", "nav.question_bank", ":material/library_books:",
            "nav.section.authoring", "questions:author"),
    PageDef("pages/authoring_exams.py", "nav.exams", ":material/fact_check:", "nav.section.authoring", "exams:author"),
    PageDef("pages/authoring_rubrics.py", "nav.exam_rubrics", ":material/checklist_rtl:",
            "nav.section.authoring", "exams:author"),
    PageDef("pages/authoring_marking.py", "nav.marking_queue", ":material/rate_review:",
            "nav.section.authoring", "exams:mark"),
    PageDef("pages/authoring_item_analysis.py", "nav.item_analysis", ":material/analytics:",
            "nav.section.authoring", "exams:item_analysis"),
    PageDef("pages/authoring_recertification.py", "nav.recertification", ":material/update:",
            "nav.section.authoring", "certificates:recert_policy"),
    PageDef("pages/authoring_contests.py", "nav.contests", ":material/emoji_events:",
            "nav.section.authoring", "contests:organise"),
    PageDef("pages/team_mentees.py", "nav.my_mentees", ":material/group:", "nav.section.team", "onboarding:mentees"),
    PageDef("pages/team_cohort_board.py", "nav.cohort_board", ":material/view_kanban:",
            "nav.section.team", "onboarding:board"),
    PageDef("pages/team_dashboard.py", "nav.team_dashboard", ":material/monitoring:",
            "nav.section.team", "analytics:team_dashboard"),
    PageDef("pages/team_coaching.py", "nav.coaching", ":material/record_voice_over:",
            "nav.section.team", "coaching:write"),
    PageDef("pages/team_contests.py", "nav.team_contests", ":material/emoji_events:",
            "nav.section.team", "contests:team_board"),
    PageDef("pages/contests_judging.py", "nav.contest_judging", ":material/gavel:",
            "nav.section.team", "contests:judge"),
    PageDef("pages/qa_calls.py", "nav.qa_calls", ":material/call_log:", "nav.section.quality", "qa:calls_manage"),
    PageDef("pages/qa_queue.py", "nav.qa_queue", ":material/playlist_add_check:", "nav.section.quality", "qa:sample"),
    PageDef("pages/qa_evaluate.py", "nav.qa_evaluate", ":material/grading:", "nav.section.quality", "qa:evaluate"),
    PageDef("pages/qa_scorecards.py", "nav.qa_scorecards", ":material/checklist:", "nav.section.quality",
            "qa:scorecards_author"),
    PageDef("pages/qa_dashboard.py", "nav.qa_dashboard", ":material/query_stats:", "nav.section.quality",
            "qa:dashboard"),
    PageDef("pages/qa_focus.py", "nav.qa_focus", ":material/center_focus_strong:", "nav.section.quality",
            "qa:focus_publish"),
    PageDef("pages/qa_disputes.py", "nav.qa_disputes", ":material/gavel:", "nav.section.quality",
            "qa:disputes_resolve"),
    PageDef("pages/qa_calibration.py", "nav.qa_calibration", ":material/balance:", "nav.section.quality", "qa:calibrate"),
    PageDef("pages/wellbeing_checkin.py", "nav.checkin", ":material/favorite:",
            "nav.section.wellbeing", "wellbeing:check_in"),
    PageDef("pages/wellbeing_resources.py", "nav.support_resources", ":material/health_and_safety:",
            "nav.section.wellbeing", "wellbeing:resources_read"),
    PageDef("pages/wellbeing_team.py", "nav.team_wellbeing", ":material/insights:",
            "nav.section.wellbeing", "wellbeing:aggregates_read"),
    PageDef("pages/admin_users.py", "nav.users", ":material/manage_accounts:", "nav.section.admin", "users:manage"),
    PageDef("pages/admin_teams.py", "nav.teams_cohorts", ":material/groups:", "nav.section.admin", "teams:manage"),
    PageDef("pages/admin_import.py", "nav.import_users", ":material/upload_file:", "nav.section.admin", "users:import"),
    PageDef("pages/admin_coaching_settings.py", "nav.coaching_settings", ":material/tune:",
            "nav.section.admin", "coaching:settings"),
    PageDef("pages/admin_sign_in.py", "nav.sign_in_settings", ":material/key:", "nav.section.admin", "users:manage"),
    PageDef("pages/admin_audit.py", "nav.audit_log", ":material/policy:", "nav.section.admin", "audit:read"),
    PageDef("pages/admin_certificates.py", "nav.certificates", ":material/verified_user:", "nav.section.admin",
            "certificates:verify"),
    PageDef("pages/admin_settings.py", "nav.settings_in_force", ":material/settings_applications:", "nav.section.admin",
            "settings:read"),
    PageDef("pages/account_settings.py", "nav.account", ":material/settings:",
            "nav.section.account", "account:manage_own"),
    PageDef("pages/profile.py", "nav.profile", ":material/badge:", "nav.section.account", "recognition:profile"),
)

SECTION_ORDER = ("", "nav.section.training", "nav.section.authoring", "nav.section.team", "nav.section.quality",
                 "nav.section.wellbeing", "nav.section.admin", "nav.section.account")


def pages_for(actor: Actor) -> list[PageDef]:
    """The pages in the actor's menu: those whose action the permission table allows them at all."""
    return [page for page in PAGES if allowed_at_all(actor, page.action)]


def sections_for(actor: Actor) -> dict[str, list[PageDef]]:
    """The actor's pages grouped by section, sections in sidebar order."""
    grouped: dict[str, list[PageDef]] = {key: [] for key in SECTION_ORDER}
    for page in pages_for(actor):
        grouped[page.section].append(page)
    return {key: pages for key, pages in grouped.items() if pages}
