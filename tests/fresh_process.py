"""Run a script in a fresh Python process and read back the JSON it prints (tests of 5.2, 5.4).

TensorFlow accepts logical CPU devices only before its first op, so a test that needs two of
them runs its code in a new interpreter: the script prints one line, ``@@`` and a JSON object,
which :func:`run_script` returns; a failed script fails the test with the end of its stderr.
"""

import json
import subprocess
import sys

SUBPROCESS_SECONDS = 240  # generous: the machine may be shared; a healthy run takes ~15 s
MARK = "@@"  # the script's result line starts with this


def run_script(script, timeout=SUBPROCESS_SECONDS):
    """Run ``script`` with ``python -c`` and return the JSON of its ``@@`` line."""
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith(MARK)]
    assert completed.returncode == 0 and lines, completed.stderr[-3000:]
    return json.loads(lines[0][len(MARK) :])
