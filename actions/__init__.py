"""rasa_sdk custom actions: thin glue from the conversation to the knowledge base and bookings.

rasa_sdk imports every module of this package, so each module registers its own actions.
"""
