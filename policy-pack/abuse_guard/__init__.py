"""abuse-guard: rules that stop AWS Lambda and API Gateway abuse before it is deployed.

Data flow, in the layers pyproject.toml's import-linter contracts keep:
- resources in: each source turns what it has into `Resource`s (resources.py; URNs read by urns.py):
  the Pulumi engine's Analyzer calls (the crossguard/ package), a program run offline under mocks (offline/), a
  state file (sources/); an engine event log (sources/) brings the engine's own findings instead; the files/
  package reads inputs within limits and writes outputs atomically;
- the AWS model (aws/): type tokens, front doors, throttles, Regions, and aws-native resources seen as their
  pulumi-aws twins;
- rules: the policies (policy.py, policies/) and the cost model (cost/, priced once per graph under the
  settings of cost/settings.py), pure functions of resources;
- findings: evaluate.py, the one path from rules to outcomes (findings.py) that every source takes, and the one
  place aws-native resources become their pulumi-aws views (`stack_graph`);
- out: pipeline.py makes one stack's evaluation a Run (run.py) and report/ renders it; cli.py and
  commands/ are `python -m abuse_guard`, and policy-pack/__main__.py serves the policies to the engine.
"""

__version__ = "0.2.0"
"""The one version: pyproject.toml reads it, PulumiPolicy.yaml and init-pack's packs carry it (tests/packaging)."""

PULUMI_POLICY_RELEASE = "1.21.0"
"""The pulumi-policy release the shared-request server (crossguard/) is checked with; packs' requirements.txt pin it
(with any other release the pack runs as a plain PolicyPack, slower, never wrong). Here, beside the version, so that
commands which write a pack read it without importing pulumi-policy."""
