"""Tests of the report's input sources, on the real Pulumi artifacts in shared/fixtures/pulumi."""

import os
from pathlib import Path

FIXTURES_RELATIVE = Path("shared") / "fixtures" / "pulumi"


def _fixtures() -> Path:
    """Where the real Pulumi artifacts are: $ABUSE_GUARD_FIXTURES, else shared/ beside the checkout
    (<root>/main and <root>/shared, here and in CI), else the workplace's /work/shared (a scratch
    clone such as /tmp/fresh has no shared/ beside it). Never skipped: a missing copy fails loudly."""
    repo = Path(__file__).resolve().parents[2]
    candidates = [Path(os.environ["ABUSE_GUARD_FIXTURES"])] if os.environ.get("ABUSE_GUARD_FIXTURES") else []
    candidates += [repo.parent / FIXTURES_RELATIVE, Path("/work") / FIXTURES_RELATIVE]
    found = next((c for c in candidates if (c / "SOURCE.md").is_file()), None)
    if found is None:
        raise FileNotFoundError(f"the Pulumi fixtures are not in any of: {', '.join(map(str, candidates))}")
    return found


FIXTURES = _fixtures()
