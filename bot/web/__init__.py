"""Web pages of the assistant: the embeddable chat widget (with its demo page) and the 12333 agent
console with its JSON API. Run with `python -m bot.web.server --port 8000`.

Modules: server (app factory, CLI), services (shared domain objects), http (JSON errors,
middlewares), auth (tokens, sessions, roles), widget (demo page, /api/chat proxy to Rasa),
console (login and console pages), api (the JSON API), presenters (domain objects -> JSON).
"""
