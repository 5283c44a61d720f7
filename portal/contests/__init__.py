"""Contests between teams, fair to the teams and to the people in them.

- `setup`: a trainer sets up a contest (knowledge or scenario), starts it and closes it.
- `rounds`: a knowledge contest's rounds run on the exam engine, each person's paper drawn from the
  round's mix with a seed of their own (the same mix of tags for everyone, different questions).
- `board`: the fair team score and the boards (teams first; a person sees the top 10 and their own place).
- `judging`: scenario contests, judged blind on a rubric; a contestant's score is the judges' median.
- `rewards`: what closing a contest gives its winners (badges and certificates, from portal.recognition).
"""
