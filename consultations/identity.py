"""Who a booking belongs to: user ids namespaced by the channel that vouches for them.

Each channel sets its users' ids on the server, never from what a client sends:
- `wx:<openid>`: the WeChat channel, from a push whose signature it verified;
- `web:<id>`: the chat widget, from a session id the web server issued and signed;
- `tel:<mobile>`: a phone caller, set only by an authenticated agent in the console.

A conversation with the assistant may act on its own bookings only (actions/booking_common.py):
never on a phone caller's, and a `wx:` id only when the message came through the WeChat channel.
"""

from __future__ import annotations

WECHAT_PREFIX = "wx:"
WEB_PREFIX = "web:"
PHONE_PREFIX = "tel:"
# The input channel name Rasa records on each user message of the WeChat channel.
WECHAT_CHANNEL = "wechat"


def wechat_user(openid: str) -> str:
    return WECHAT_PREFIX + openid


def openid_of(user_id: str) -> str | None:
    """The openid inside a WeChat user id; None for another channel's id."""
    return user_id[len(WECHAT_PREFIX) :] if user_id.startswith(WECHAT_PREFIX) else None


def web_user(session_id: str) -> str:
    return WEB_PREFIX + session_id


def phone_user(mobile: str) -> str:
    """`mobile` already normalised (consultations.normalise_phone)."""
    return PHONE_PREFIX + mobile


def may_act_for(user_id: str, input_channel: str | None) -> bool:
    """Whether a conversation with this sender id, on this input channel, may read or change the
    bookings stored under it. Phone callers' bookings are the console's; a WeChat id arriving on
    any other channel is someone who learnt an openid."""
    if not user_id or user_id.startswith(PHONE_PREFIX):
        return False
    if user_id.startswith(WECHAT_PREFIX):
        return input_channel == WECHAT_CHANNEL
    return True
