"""check-missing-migrations' machinery."""
