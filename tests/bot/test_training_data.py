"""Training data and domain are consistent: `rasa data validate` passes with warnings as errors.

One warning is expected and checked here instead: Rasa cannot see that custom actions send
responses (`dispatcher.utter_message(response=...)`) or that forms ask with `utter_ask_<slot>`, so
it reports those responses as "not used in any story or rule". Each such response must really be
sent: named in actions/, a form question, or the wording of a consultations error.
"""

import inspect
import re
import subprocess
import sys

import consultations
from bot import runtime

UNUSED = re.compile(r"UserWarning: The utterance '([^']+)' is not used in any story or rule\.")


def responses_sent_by_code() -> set[str]:
    """Responses the actions name, the form questions and the consultations errors' wording."""
    import yaml

    sources = "\n".join(
        p.read_text(encoding="utf-8") for p in (runtime.PROJECT_ROOT / "actions").glob("*.py")
    )
    sent = set(re.findall(r'"(utter_[a-z_]+)"', sources))
    domain = {}
    for path in (runtime.PROJECT_ROOT / "domain").glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        domain.update(data.get("responses") or {})
        for form in (data.get("forms") or {}).values():
            sent |= {f"utter_ask_{slot}" for slot in form.get("required_slots") or []}
    errors = [
        cls
        for cls in vars(consultations).values()
        if inspect.isclass(cls) and issubclass(cls, consultations.ConsultationError)
    ]
    for cls in errors:
        kind = cls().kind
        sent.add(f"utter_booking_error_{kind}")
        sent |= {name for name in domain if name.startswith(f"utter_booking_error_{kind}_")}
    return sent


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
    unused = set(UNUSED.findall(output))
    assert sorted(unused - responses_sent_by_code()) == [], output[-4000:]
    assert "UserWarning" not in UNUSED.sub("", output), output[-4000:]
