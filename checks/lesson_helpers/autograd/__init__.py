"""Lesson 9's checks of the learner's `Value`: graphs, cases, one operation at a time, and backward()."""
