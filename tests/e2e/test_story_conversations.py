"""The end-to-end test conversations in tests/stories pass with the trained model.

`rasa test core` reads each user message, runs NLU on its text (the intent must match the story's)
and predicts every bot action; --fail-on-prediction-errors turns any miss into a failure.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot import runtime

pytestmark = pytest.mark.rasa_server


def test_every_test_conversation_passes(trained_model: Path, tmp_path: Path) -> None:
    stories = runtime.PROJECT_ROOT / "tests" / "stories"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "core",
            "--stories",
            str(stories),
            "--fail-on-prediction-errors",
            "--model",
            str(trained_model),
            "--out",
            str(tmp_path),
        ],
        cwd=runtime.PROJECT_ROOT,
        env=runtime.child_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = (
        failed.read_text(encoding="utf-8")
        if failed.exists()
        else result.stdout[-3000:] + result.stderr[-3000:]
    )
    assert result.returncode == 0, details
    assert "None of the test stories failed" in failed.read_text(encoding="utf-8")
