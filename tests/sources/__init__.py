"""Tests of the report's input sources, on the real Pulumi artifacts in shared/fixtures/pulumi."""

from pathlib import Path

# The repository is <root>/main and the shared material <root>/shared, here and in CI.
FIXTURES = Path(__file__).parents[2] / ".." / "shared" / "fixtures" / "pulumi"
