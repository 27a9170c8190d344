"""Start the Rasa server or the action server with the project's log format (bot/logs.py).

    python -m bot.launch rasa run --model models/haina.tar.gz ...   # = python -m rasa run ...
    python -m bot.launch actions --actions actions --port 5055      # = python -m rasa_sdk ...

Rasa 3.6 and rasa_sdk 3.6 both install `coloredlogs` on the root logger at start-up, whatever
logging configuration they were given (rasa applies `--logging-config-file` first and installs
coloredlogs after it, which would print every line twice). This launcher puts the project's
configuration in place of that one step, so each process logs once, in LOG_FORMAT, with personal
data filtered. Everything else is the libraries' own command line.
"""

from __future__ import annotations

import sys

from bot import logs

SERVICES = ("rasa", "actions")


def _use_project_logging(service: str) -> None:
    def configure(loglevel: object = None) -> None:
        level = loglevel if isinstance(loglevel, str) else None
        if isinstance(loglevel, int):
            import logging

            level = logging.getLevelName(loglevel)
        logs.configure(service, level=level)

    if service == "rasa":
        import rasa.utils.io

        rasa.utils.io.configure_colored_logging = configure
    else:
        import rasa_sdk.utils

        rasa_sdk.utils.configure_colored_logging = configure


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in SERVICES:
        print(f"usage: python -m bot.launch {{{'|'.join(SERVICES)}}} ARGS...", file=sys.stderr)
        return 2
    service, rest = argv[0], argv[1:]
    # Configured before the libraries are imported, so import-time warnings are formatted too;
    # a bad LOG_FORMAT stops here with a clear message, before a model is loaded.
    logs.configure(service)
    _use_project_logging(service)
    if service == "rasa":
        from rasa.__main__ import main as rasa_main

        sys.argv = ["rasa", *rest]
        rasa_main()
        return 0
    from rasa_sdk.__main__ import main as sdk_main

    sys.argv = ["rasa_sdk", *rest]
    sdk_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
