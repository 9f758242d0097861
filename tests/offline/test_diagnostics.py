"""What the program's run shows: its own output and log lines, and its `pulumi.log` diagnostics as `pulumi preview`
shows them; never abuse-guard's or the SDK's debug lines, whatever logging the program turns on.

Issue 20, Messages: with `logging.basicConfig(level=logging.DEBUG)` in the program, every SDK debug message
("registering resource ...") appeared in its output under the name `abuse_guard.offline.program`: the recording
process handed Pulumi's mock engine a logger of ours, and the program's logging configuration is the process's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from abuse_guard.offline import recorded
from tests.offline.projects import OLDEST_PULUMI_WHEEL, install_wheel, virtualenv, write_project

TOPIC = "aws.sns.Topic('topic')\n"

# name -> (program, what its output shows, what it must not show)
CASES: dict[str, tuple[str, list[str], list[str]]] = {
    # the Python logging HOWTO's first step, as the report has it
    "basic_config_at_debug": (
        "import logging\nlogging.basicConfig(level=logging.DEBUG)\nlogging.getLogger('app').debug('mine')\n"
        + TOPIC
        + "pulumi.log.warn('careful')\n",
        ["DEBUG:app:mine\n", "warning: careful\n"],
        ["abuse_guard", "registering resource", "DEBUG:pulumi"],
    ),
    # a handler on the root logger at DEBUG, set up by hand
    "root_handler_at_debug": (
        "import logging, sys\nroot = logging.getLogger()\nroot.setLevel(logging.DEBUG)\n"
        "root.addHandler(logging.StreamHandler(sys.stderr))\nlogging.getLogger('app').debug('mine')\n" + TOPIC,
        ["mine\n"],
        ["abuse_guard", "registering resource", "resource registration"],
    ),
    # logging.config.dictConfig disables the loggers that exist by default: the program's diagnostics still show
    "dict_config_disabling_existing_loggers": (
        "import logging.config\nlogging.config.dictConfig({'version': 1, 'root': {'level': 'DEBUG', 'handlers': ['e']},"
        " 'handlers': {'e': {'class': 'logging.StreamHandler'}}})\n" + TOPIC + "pulumi.log.warn('careful')\n",
        ["warning: careful\n"],
        ["abuse_guard", "registering resource"],
    ),
    # sdk/go/common/diag/sink.go Stringify: info as it is, warning and error prefixed; debug only with --debug
    "pulumi_log_levels": (
        TOPIC + "pulumi.log.debug('quiet')\npulumi.log.info('said')\npulumi.log.warn('careful')\n",
        ["said\n", "warning: careful\n"],
        ["quiet", "info: said", "abuse_guard"],
    ),
}


@pytest.mark.parametrize(("source", "shown", "hidden"), CASES.values(), ids=list(CASES))
def test_the_programs_output_is_its_own(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], source: str, shown: list[str], hidden: list[str]
) -> None:
    root = write_project(tmp_path, source)
    assert [r.name for r in recorded(root, "dev")][-1] == "topic"
    err = capfd.readouterr().err
    for text in shown:
        assert text in err, err
    for text in hidden:
        assert text not in err, err


SDK_ONLY = """\
import logging
import pulumi

logging.basicConfig(level=logging.DEBUG)
logging.getLogger("app").debug("mine")
pulumi.CustomResource("aws:sns/topic:Topic", "topic", {})
pulumi.log.warn("careful")
"""


def test_the_oldest_supported_sdks_diagnostics_too(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """pulumi 3.50.0's LogRequest has the same severity and message (the offline preview's oldest SDK)."""
    venv = virtualenv(tmp_path / "venv")
    assert OLDEST_PULUMI_WHEEL.is_file(), f"{OLDEST_PULUMI_WHEEL} is missing: `make setup` downloads it"
    install_wheel(venv, OLDEST_PULUMI_WHEEL)
    yaml = "name: shop\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n"
    root = write_project(tmp_path, "", project_yaml=yaml)
    (root / "__main__.py").write_text(SDK_ONLY, encoding="utf-8")
    assert [r.name for r in recorded(root, "dev")][-1] == "topic"
    err = capfd.readouterr().err
    assert "DEBUG:app:mine\n" in err and "warning: careful\n" in err, err
    assert "abuse_guard" not in err and "registering resource" not in err, err
