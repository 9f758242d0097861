"""abuse-guard: rules that stop AWS Lambda and API Gateway abuse before it is deployed.

Data flow: resources (resources.py) -> rules (policies/) -> findings (evaluate.py) -> adapters
(crossguard.py for the Pulumi engine; the offline preview and the report read findings).
"""

__version__ = "0.2.0"
"""The one version: pyproject.toml reads it, PulumiPolicy.yaml and init-pack's packs carry it (tests/packaging)."""
