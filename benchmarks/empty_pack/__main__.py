"""A pack whose one policy does nothing: what pulumi-policy and gRPC cost before any rule runs.

The benchmark runs abuse-guard's pack and this one on the same harness; the ratio of their Analyze
throughputs is the price of our policies and adapter.
"""

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)


def accept(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Looks at nothing and reports nothing."""


PolicyPack(
    name="empty",
    policies=[
        ResourceValidationPolicy(
            name="no-op",
            description="Does nothing.",
            enforcement_level=EnforcementLevel.MANDATORY,
            validate=accept,
        )
    ],
)
