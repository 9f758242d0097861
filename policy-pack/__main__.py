"""The abuse-guard CrossGuard pack: `pulumi preview --policy-pack policy-pack`."""

from abuse_guard import __version__, gc_settings
from abuse_guard.crossguard import serve
from abuse_guard.policies import POLICIES

gc_settings.apply()
serve(
    POLICIES,
    name="abuse-guard",
    description=f"abuse-guard {__version__}: stop AWS Lambda and API Gateway abuse before it is deployed.",
    display_name="abuse-guard",
    provider="aws",
    tags=["aws", "lambda", "apigateway", "cost", "abuse"],
)
