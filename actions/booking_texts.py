"""What of the booking wording cannot be a domain response: text built from data.

Every sentence of the booking conversations is a response in domain/booking.yml, sent with
`dispatcher.utter_message(response="utter_…", **values)`. This module holds only the short labels
built from data (the consultation forms in a search, one line per booking), and the lookups that
pick and fill the response of a consultations error (`error_response` / `error_values`). A response
that fills a part of another one is rendered by `actions.responses.text_of`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from consultations import ConsultationError

# The consultation form as the search criteria and "nobody free" answers name it.
MODE_NAMES = {
    "网上": "网上咨询",
    "门诊": "门诊咨询",
    "上门": "上门指导",
    "线下": "线下面谈",
    "都可以": "咨询",
}
# One booking in a list (utter_booking_list) or a question about it (utter_booking_confirm_cancel).
BOOKING_LINE = "{i}. 预约码 {code}｜{when}｜{expert}｜{name} {phone}"
# Who is rated when the booking cannot be read any more.
ANY_EXPERT = "专家"


def error_response(domain: Mapping[str, Any], error: ConsultationError) -> str:
    """utter_booking_error_<kind>_<field> where the field has its own sentence, else ..._<kind>."""
    specific = f"utter_booking_error_{error.kind}_{error.field}"
    return specific if specific in domain["responses"] else f"utter_booking_error_{error.kind}"


def error_values(error: ConsultationError) -> dict[str, Any]:
    """The error's data as its response's slots (lists joined the Chinese way)."""
    return {
        key: "、".join(value) if isinstance(value, (list, tuple)) else value
        for key, value in error.data.items()
    }
