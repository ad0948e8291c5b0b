"""Hypothesis profiles: `dev` (fast, the default), `ci` (thorough, `make test`),
`fuzz` (thousands of random graphs per property, `make fuzz`).

Choose one with the HYPOTHESIS_PROFILE environment variable.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("dev", max_examples=30, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("ci", max_examples=200, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("fuzz", max_examples=2000, **_COMMON)  # type: ignore[arg-type]
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# The PyTorch oracle runs only through `make oracle`, where torch is installed.
collect_ignore = [] if os.environ.get("AUTOGRAD_ORACLE") else ["oracle"]
