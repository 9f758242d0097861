"""abuse-guard's benchmark (`make bench`): proof that the pack costs nothing noticeable in a preview, at any size.

Not shipped with the pack: it generates stacks (synthetic.py) and Pulumi programs (program.py),
measures the engine path over gRPC, the rules in-process, the offline preview and the reports, and
writes benchmarks/out/latest.{md,json}. `python -m benchmarks --help` lists the options.
"""
