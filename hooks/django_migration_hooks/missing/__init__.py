"""The machinery of check-missing-migrations: one concern per module."""
