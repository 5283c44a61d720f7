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
  nothing about who answered when.
- Nothing here writes to the audit log or to any logger.
- Leads and admins get aggregates only: one group (a team, staff without a
  team, or the whole center) by week or by month. A cell is shown with at
  least `wellbeing_min_responses` answers; comments only from cells with at
  least `wellbeing_min_comments`, unordered and undated. Secondary
  suppression (rule of 2) is computed once for everybody, so no viewer can
  difference a hidden cell out of a total.
- The database sums per team and week; the published cells (only those, each
  read-only) are kept in memory under a random token that triggers renew on
  any write to responses or archived aggregates (migration 0006b).
- There is no export of raw responses. Rows older than the retention period
  are folded into `WellbeingAggregate` (only cells that were shown) and deleted.

Modules: `scoring` (the instruments), `periods` (weeks and months), `checkin`,
`resources`, `aggregates` (cells from the database's sums), `publication`
(suppression), `views` (what leads read), `retention`. Everything public is
re-exported here: `portal.wellbeing.check_in(session, actor, CheckIn(...))`,
`wellbeing_trend(session, actor, group, period_kind)` and
`wellbeing_groups(session, actor)` are called by outside audit tools.
"""
from portal.wellbeing.aggregates import (CENTER, NO_TEAM, PERIOD_KINDS, TREND_PERIODS, GroupOption, aggregate_cells,
                                         cell_relations, team_key)
from portal.wellbeing.checkin import (CheckIn, CheckInResult, has_checked_in, check_in, participation_secret,
                                      participation_token)
from portal.wellbeing.periods import (current_week, iso_week, month_of_week, period_start, recent_periods,
                                      week_start)
from portal.wellbeing.publication import published_cells, suppressed_cells
from portal.wellbeing.resources import (RESOURCE_KINDS, URGENT_KINDS, Resource, ResourceInput, all_resources,
                                        save_resource, support_resources)
from portal.wellbeing.retention import PurgeReport, purge_expired_responses, retention_cutoff_month
from portal.wellbeing.scoring import BANDS, CHECKIN_COMMENT_MAX, INSTRUMENTS, Score, score, who5_band
from portal.wellbeing.views import TREND_COLUMNS, thresholds, wellbeing_comments, wellbeing_groups, wellbeing_trend

__all__ = [
    "BANDS", "CENTER", "CHECKIN_COMMENT_MAX", "CheckIn", "CheckInResult", "GroupOption", "INSTRUMENTS", "NO_TEAM",
    "PERIOD_KINDS", "PurgeReport", "RESOURCE_KINDS", "Resource", "ResourceInput", "Score", "TREND_COLUMNS",
    "TREND_PERIODS", "URGENT_KINDS", "aggregate_cells", "all_resources", "cell_relations", "check_in",
    "current_week", "has_checked_in", "iso_week", "month_of_week", "participation_secret", "participation_token",
    "period_start", "published_cells", "purge_expired_responses", "recent_periods", "retention_cutoff_month",
    "save_resource", "score", "suppressed_cells", "support_resources", "team_key", "thresholds", "week_start",
    "who5_band", "wellbeing_comments", "wellbeing_groups", "wellbeing_trend",
]
