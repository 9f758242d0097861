"""`<python> -u <this file> <fd>`: the recording process's entry point (see child.py).

Run by path, so this directory is first on sys.path; it is taken off before anything else happens
(the program's directory goes first, and the program's modules must not meet ours), and the package
is loaded under the name `_abuse_guard_recorder`, which no program uses.
"""

import importlib.util
import os
import sys

PACKAGE = "_abuse_guard_recorder"


def _child():
    here = os.path.dirname(os.path.abspath(__file__))
    while sys.path and os.path.abspath(sys.path[0] or os.curdir) == here:
        del sys.path[0]
    spec = importlib.util.spec_from_file_location(
        PACKAGE, os.path.join(here, "__init__.py"), submodule_search_locations=[here]
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = package
    spec.loader.exec_module(package)
    return importlib.import_module(PACKAGE + ".child")


if __name__ == "__main__":
    try:
        _child().main(sys.argv[1:])
    except BaseException:  # the process itself broke (the program closed its file descriptors, ...)
        try:
            import traceback

            traceback.print_exc()
        finally:
            os._exit(70)  # abuse-guard reports the end without DONE, with this code
