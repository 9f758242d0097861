"""The recording process's code: it runs under the program's own interpreter, next to its packages.

Nothing here imports abuse-guard: the process needs only the pulumi SDK (3.50 or later, protocol.py's
MINIMUM_PULUMI). `__main__.py` loads these modules under a private package name, so they cannot
collide with the program's own modules. abuse-guard's side is offline/runtime.py.
"""
