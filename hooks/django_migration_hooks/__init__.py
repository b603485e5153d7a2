"""pre-commit hooks that keep Django migrations honest."""
