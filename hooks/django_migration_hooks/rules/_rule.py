"""What a rule is: its identity, its severity and its documentation page."""

from __future__ import annotations

import enum
import textwrap
from typing import NamedTuple

DOCS_URL = "https://github.com/django-migration-hooks/django-migration-hooks/blob/main/docs/rules"


class Severity(enum.Enum):
    """An error is a certain defect; a warning is advice. Both fail the hook."""

    ERROR = "error"
    WARNING = "warning"


class Rule(NamedTuple):
    code: str
    name: str
    hook: str
    severity: Severity
    summary: str  # one sentence: what the finding means
    what: str  # "What it does": Markdown
    why: str  # "Why is this bad?"
    example: str  # bad, then good
    fix: str  # "How to fix"
    limitations: str = ""  # "Known limitations"

    @property
    def url(self) -> str:
        return f"{DOCS_URL}/{self.code}.md"

    def page(self) -> str:
        """The rule's documentation page (Markdown), as `explain` prints it and docs/ holds it."""
        sections = [
            f"# {self.code} {self.name}",
            f"Hook: `{self.hook}` · severity: {self.severity.value}",
            textwrap.fill(self.summary, 96),
            f"## What it does\n\n{self.what}",
            f"## Why is this bad?\n\n{self.why}",
            f"## Example\n\n{self.example}",
            f"## How to fix\n\n{self.fix}",
        ]
        if self.limitations:
            sections.append(f"## Known limitations\n\n{self.limitations}")
        return "\n\n".join(s.strip() for s in sections) + "\n"
