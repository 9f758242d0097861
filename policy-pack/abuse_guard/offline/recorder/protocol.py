"""What the recording process and abuse-guard say to each other.

abuse-guard starts `<interpreter> -u <this package>/__main__.py <fd>` in the program's directory and
writes a Spec (JSON) to its standard input. The process answers with one JSON object per line on file
descriptor `<fd>`, each with "kind" one of the kinds below, and ends with DONE. The program's own
output goes to standard output and error as it would under `pulumi preview`.

This module runs in both processes: it imports nothing.
"""

STARTED = "started"
"""{"pulumi": "<SDK version>", "python": "<version>"}: the SDK imported and the program about to run."""
NO_SDK = "no-sdk"
"""{"error": "..."}: the interpreter cannot import the pulumi SDK."""
UNSUPPORTED = "unsupported"
"""{"pulumi": "<version>"}: the SDK is older than MINIMUM_PULUMI."""
RESOURCE = "resource"
"""{"urn", "type", "name", "parent", "custom", "remote", "provider", "props", "dependencies",
"propertyDependencies"}: one RegisterResource request; props as the engine receives them (camelCase,
unknowns as the engine's sentinels, secrets in their envelope)."""
INVOKE = "invoke"
"""{"token", "answer"}: a data source was called and answered GIVEN, COMPUTED or PLACEHOLDER."""
TRANSFORMS = "transforms"
"""{}: the program asked for engine-side transforms, which the recording does not run."""
FAILED = "failed"
"""{"summary", "traceback"}: the program raised (or exited); the summary is one line."""
WAITING = "waiting"
"""{"threads": [names]}: the program is done, Python waits for the threads it left running."""
DONE = "done"
"""{"resources": n}: every registration was sent; nothing follows."""

DEPLOYED = "deployed"
"""Outputs model: a stack already deployed, computed outputs synthetic (IDs, ARNs, auto-names)."""
FIRST_PREVIEW = "first-preview"
"""Outputs model: the first preview of a new stack, computed outputs unknown."""
MODELS = (DEPLOYED, FIRST_PREVIEW)

MINIMUM_PULUMI = (3, 50, 0)
"""The oldest pulumi SDK the recording runs under."""
