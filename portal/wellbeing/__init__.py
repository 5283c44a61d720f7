"""Anonymous wellbeing check-ins: scoring, the weekly check-in, support resources,
aggregates for leads, and retention.

Anonymity by design (README, "Wellbeing and anonymity"):

- A response row holds the answers, the ISO week and the team at the time of
  answering; never a user, session, IP or finer time. Ids are random.
- "I checked in this week" is a separate row holding HMAC(secret, user:week)
  with the secret outside the database; it is only used for the
  one-per-week rule.
- Every check-in rewrites the week's responses (and participation rows) in a
  fresh random order in one statement. Physical order, SQLite rowids (the
  tables are WITHOUT ROWID anyway) and PostgreSQL's `xmin`/`ctid` then say
  nothing about who answered when. On SQLite deleted rows are overwritten
  with zeros and the WAL is checkpointed and truncated after each check-in,
  so no file of the database keeps earlier copies of the week.
- Nothing here writes to the audit log or to any logger.
- Leads and admins get aggregates only: one group (a team, staff without a
  team, or the whole center) by week or by month, and only closed periods.
  A period is published once, after it has closed in the center's time
  zone, all at once, and never changes afterwards (`publication`), so
  reading before and after someone checks in shows nothing. A cell needs
  `wellbeing_min_responses` answers; before each publication an audit by
  linear programming over everything ever published hides more cells until
  no hidden cell can be narrowed to fewer than that many counts (`audit`).
  Comments appear with their published month, only from team months of at
  least `wellbeing_min_comments` answers, unordered and undated.
- There is no export of raw responses. Rows older than the retention period
  are deleted; the published cells stay.

Modules: `scoring` (the instruments), `periods` (weeks, months, when they
close), `checkin`, `resources`, `aggregates` (cells from the database's
sums), `audit` (the disclosure audit), `publication` (publishing closed
periods), `views` (what leads read), `retention`. Everything public is
re-exported here: `portal.wellbeing.check_in(session, actor, CheckIn(...))`,
`wellbeing_trend(session, actor, group, period_kind)` and
`wellbeing_groups(session, actor)` are called by outside audit tools.
"""
from portal.wellbeing.aggregates import (CENTER, NO_TEAM, PERIOD_KINDS, TREND_PERIODS, GroupOption, aggregate_cells,
                                         cell_relations, team_key)
from portal.wellbeing.checkin import (CheckIn, CheckInResult, has_checked_in, check_in, participation_secret,
                                      participation_token)
from portal.wellbeing.periods import (closed_periods, current_week, iso_week, last_week_of_month, month_of_week,
                                      period_start, recent_periods, week_start, weeks_of_month)
from portal.wellbeing.audit import AuditResult, FeasibleRange, audit_batch
from portal.wellbeing.publication import (PublicationReport, ensure_published, pending_periods, publish_closed_periods,
                                          published_cells)
from portal.wellbeing.resources import (RESOURCE_KINDS, URGENT_KINDS, Resource, ResourceInput, all_resources, delete_resource,
                                        save_resource, support_resources)
from portal.wellbeing.retention import PurgeReport, purge_expired_responses, retention_cutoff_month
from portal.wellbeing.scoring import BANDS, CHECKIN_COMMENT_MAX, INSTRUMENTS, Score, score, who5_band
from portal.wellbeing.views import TREND_COLUMNS, thresholds, wellbeing_comments, wellbeing_groups, wellbeing_trend

__all__ = [
    "BANDS", "CENTER", "CHECKIN_COMMENT_MAX", "CheckIn", "CheckInResult", "GroupOption", "INSTRUMENTS", "NO_TEAM",
    "PERIOD_KINDS", "PublicationReport", "PurgeReport", "AuditResult", "FeasibleRange", "audit_batch",
    "closed_periods", "ensure_published", "last_week_of_month", "pending_periods", "publish_closed_periods",
    "weeks_of_month", "RESOURCE_KINDS", "Resource", "ResourceInput", "Score", "TREND_COLUMNS",
    "TREND_PERIODS", "URGENT_KINDS", "aggregate_cells", "all_resources", "delete_resource", "cell_relations", "check_in",
    "current_week", "has_checked_in", "iso_week", "month_of_week", "participation_secret", "participation_token",
    "period_start", "published_cells", "purge_expired_responses", "recent_periods", "retention_cutoff_month",
    "save_resource", "score", "support_resources", "team_key", "thresholds", "week_start",
    "who5_band", "wellbeing_comments", "wellbeing_groups", "wellbeing_trend",
]
