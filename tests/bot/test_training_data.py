"""Training data and domain are consistent: `rasa data validate` passes with warnings as errors."""

import subprocess
import sys

from bot import runtime


def test_rasa_data_validate_has_no_warnings() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "data",
            "validate",
            "--fail-on-warnings",
            "--config",
            "config.yml",
            "--domain",
            "domain",
            "--data",
            "data",
        ],
        cwd=runtime.PROJECT_ROOT,
        env=runtime.child_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "UserWarning" not in output, output[-4000:]
