"""Microsoft Teams adapter, built on the Microsoft Teams SDK for Python (microsoft-teams-apps/-api/-cards)."""

from __future__ import annotations

import warnings

# The SDK announces preview features it defines (not ones Tandem uses) with a warning at import time.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"microsoft_teams\..*")
    import microsoft_teams.apps  # noqa: F401
