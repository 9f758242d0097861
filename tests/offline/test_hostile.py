"""Programs that end, hang or tamper with their process: one error line and a non-zero exit, within the time limit.

Each runs as a user runs it, `python -m abuse_guard preview PATH --stack dev --timeout 3` in a process of its
own, so what reaches the terminal and the exit code are the real ones; `subprocess.run(timeout=...)` fails a
test whose command does not return.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.offline.projects import write_project

TIME_LIMIT = "3"
RETURNS_WITHIN = 60.0
"""Seconds the command gets before the test fails (the program's limit is TIME_LIMIT; start-up is the rest)."""
UNRESERVED = (
    "aws.lambda_.Function('worker', role='arn:aws:iam::111122223333:role/r', runtime='python3.12', handler='i.h')\n"
)


def preview(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "abuse_guard", "preview", str(root), "--stack", "dev", "--timeout", TIME_LIMIT]
    return subprocess.run([*command, *extra], capture_output=True, text=True, timeout=RETURNS_WITHIN, check=False)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("abuse-guard: error: ")]


# program -> what the one error line says after "the program <path> (stack dev) "
HOSTILE = {
    "os_exit_0": (
        "aws.sns.Topic('topic')\nimport os\nos._exit(0)\n",
        "ended before its registrations finished: its process exited with code 0, as os._exit does (0 recorded)",
    ),
    "sys_exit_0": ("import sys\nsys.exit(0)\n", "failed: it called sys.exit(0)"),
    "sys_exit_in_an_apply": (
        "import sys\naws.sns.Topic('t', display_name=pulumi.Output.from_input('x').apply(lambda _: sys.exit(0)))\n",
        "failed: it called sys.exit(0)",
    ),
    "raises_keyboard_interrupt": ("raise KeyboardInterrupt\n", "failed: KeyboardInterrupt"),
    "sends_itself_sigint": ("import signal\nsignal.raise_signal(signal.SIGINT)\n", "failed: KeyboardInterrupt"),
    "kills_itself": (
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
        "was ended by SIGKILL before its registrations finished (0 recorded)",
    ),
    "terminates_its_process_group": (
        "import os, signal\nos.killpg(0, signal.SIGTERM)\n",
        "was ended by SIGTERM before its registrations finished (0 recorded)",
    ),
    "loops_forever": (
        "while True:\n    pass\n",
        "did not finish within 3 s (--timeout) (0 resources registered so far)",
    ),
    "ignores_signals_and_sleeps": (
        "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(3600)\n",
        "did not finish within 3 s (--timeout) (0 resources registered so far)",
    ),
    "leaves_a_thread_running": (
        "import threading, time\nthreading.Thread(target=time.sleep, args=(3600,), name='poller').start()\n",
        "did not finish within 3 s (--timeout): it left threads running ('poller'), and Python waits for them before "
        "a program ends",
    ),
    "closes_its_file_descriptors": (
        "import os\nos.closerange(3, 256)\naws.sns.Topic('topic')\n",
        "ended before its registrations finished: its process exited with code 70, as os._exit does (0 recorded)",
    ),
}


@pytest.mark.parametrize(("source", "error"), HOSTILE.values(), ids=list(HOSTILE))
def test_a_hostile_program_is_one_error_line_and_exit_2(tmp_path: Path, source: str, error: str) -> None:
    root = write_project(tmp_path, source)
    done = preview(root)
    assert (done.returncode, done.stdout) == (2, "")
    assert error_lines(done.stderr) == [f"abuse-guard: error: the program {root.resolve()} (stack dev) {error}"]
    assert done.stderr.splitlines()[-1] == error_lines(done.stderr)[0]


# program -> the fail it must still report, with exit 1: tampering cannot hide it or end the run early
TAMPERING = {
    "clears_sys_modules": (UNRESERVED + "import sys\nsys.modules.clear()\n", "worker"),
    "replaces_pulumi_in_sys_modules": (
        UNRESERVED + "import sys\nsys.modules['pulumi'] = None\nsys.modules['pulumi.runtime.settings'] = object()\n",
        "worker",
    ),
}


@pytest.mark.parametrize(("source", "failing"), TAMPERING.values(), ids=list(TAMPERING))
def test_tampering_with_sys_modules_cannot_turn_a_failing_run_into_exit_0(
    tmp_path: Path, source: str, failing: str
) -> None:
    done = preview(write_project(tmp_path, source))
    assert (done.returncode, error_lines(done.stderr)) == (1, [])
    fails = [line for line in done.stdout.splitlines() if line.startswith("FAIL")]
    assert [line.split()[1] + " " + line.split()[3] for line in fails] == [f"lambda-reserved-concurrency {failing}:"]


def test_what_the_program_started_is_stopped_with_it(tmp_path: Path) -> None:
    """A child process the program leaves behind does not outlive the run."""
    pid_file = tmp_path / "sleeper.pid"
    source = (
        "import subprocess\n"
        f"sleeper = subprocess.Popen(['sleep', '3600'])\nopen({str(pid_file)!r}, 'w').write(str(sleeper.pid))\n"
        "aws.sns.Topic('topic')\n"
    )
    done = preview(write_project(tmp_path / "project", source))
    assert (done.returncode, error_lines(done.stderr)) == (0, [])
    assert not _alive(int(pid_file.read_text()))


def test_interrupting_the_checker_stops_the_program_too(tmp_path: Path) -> None:
    """Ctrl-C on abuse-guard: one line, exit 130, and the program's process is gone."""
    pid_file = tmp_path / "program.pid"
    source = f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(3600)\n"
    root = write_project(tmp_path / "project", source)
    command = [sys.executable, "-m", "abuse_guard", "preview", str(root), "--stack", "dev"]
    checker = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + RETURNS_WITHIN
    while not pid_file.is_file() or not pid_file.read_text():
        assert time.monotonic() < deadline and checker.poll() is None, "the program never started"
        time.sleep(0.05)
    checker.send_signal(signal.SIGINT)
    stdout, stderr = checker.communicate(timeout=RETURNS_WITHIN)
    assert (checker.returncode, stdout, stderr) == (130, "", "abuse-guard: interrupted\n")
    assert not _alive(int(pid_file.read_text()))


def _alive(pid: int) -> bool:
    """Whether `pid` still runs a moment after its killer returned (a killed orphan is a zombie until init reaps it)."""
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        if state in ("Z", "X"):
            return False
        time.sleep(0.05)
    return True


def test_a_program_writing_into_the_records_is_one_error_line(tmp_path: Path) -> None:
    """The program writes to every file descriptor it did not open, the recorder's too."""
    source = (
        "import os\n"
        "for fd in range(3, 64):\n"
        "    try:\n"
        "        os.write(fd, b'garbage\\n')\n"
        "    except OSError:\n"
        "        pass\n"
    )
    root = write_project(tmp_path, source)
    done = preview(root)
    assert (done.returncode, done.stdout) == (2, "")
    assert error_lines(done.stderr) == [
        f"abuse-guard: error: the program {root.resolve()} (stack dev) broke the recording: its process sent a record "
        "abuse-guard cannot read (JSONDecodeError: Expecting value: line 1 column 1 (char 0)); did the program write "
        "to file descriptors it did not open?"
    ]
