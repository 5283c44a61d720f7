"""Recognition: thanks between colleagues, the service star of the month, compliments and badges.

- `thanks`: anyone thanks a colleague; the wall of the last weeks; counts per team for leads.
- `stars`: compliments, leads' nominations with their evidence, the admin's confirmation, the star on Home.
- `badges`: milestones (`award_badge`, the contract other areas call).
- `profile`: what a person's profile shows (badges, certificates).
"""
