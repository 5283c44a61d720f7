"""Teams over time: dated membership (`portal.teams.membership`)."""
