# The two commands of the README. Everything else: python -m bot.cli --help
.PHONY: run test

run:
	@bash scripts/bootstrap.sh
	@.venv/bin/python -m bot.cli serve

test:
	@bash scripts/bootstrap.sh
	@.venv/bin/python -m bot.cli test
