"""The learner's progress: `store` keeps the file (it listens to the engine's announcements), `table`
shows it (`checks.progress()`)."""
