"""Tests of the report's input sources, on the real Pulumi artifacts in tests/fixtures/pulumi."""

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pulumi"
"""Real artifacts written by Pulumi's engine (tests/fixtures/pulumi/SOURCE.md says where each came from),
carried by the checkout: no test reads anything outside it (tests/conftest.py enforces that)."""
