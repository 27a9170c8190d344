"""Is a policy still in force on a given date?

Separate from eligibility because every answer about a policy (search hit, card, fact) must carry
the same warning, not only eligibility checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .model import Catalogue, Policy, Source
from .validity import EXPIRY_WARNING_DAYS, Lapse, ended_notice, ending_notice, inherited_end, policy_lapses


@dataclass(frozen=True)
class Freshness:
    """status: current | expiring_soon | lapsed | expired | superseded | not_yet_effective.

    lapsed: a document the item rests on has ended and no successor is known yet — neither in force
    nor known to be gone (extensions have been published on or after the last day before).
    """

    status: str
    warning: str | None = None
    expires_on: date | None = None
    days_left: int | None = None
    lapse: Lapse | None = None

    @property
    def lapsed(self) -> bool:
        return self.status == "lapsed"

    @property
    def historical(self) -> bool:
        """Shown as 旧口径: superseded, expired or not yet in force (a lapsed item is not: it may go on)."""
        return not self.in_force and not self.lapsed

    @property
    def flagged(self) -> bool:
        return self.status != "current"

    @property
    def in_force(self) -> bool:
        """False when the policy must not be presented or checked as current."""
        return self.status in ("current", "expiring_soon")

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "warning": self.warning,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "days_left": self.days_left,
            "basis": self.lapse.source.id if self.lapse else None,
            "successor_checked_on": (
                self.lapse.source.successor_checked_on.isoformat()
                if self.lapse and self.lapse.source.successor_checked_on
                else None
            ),
        }


def freshness(policy: Policy, on: date, catalogue: Catalogue | None = None) -> Freshness:
    """Judge the policy on the reference date; the catalogue, when given, names the replacement."""
    if policy.status == "superseded":
        replacement = ""
        if catalogue is not None and policy.superseded_by in catalogue.policies:
            replacement = f"，现行政策为「{catalogue.policies[policy.superseded_by].name}」"
        note = f"（{policy.replacement_note}）" if policy.replacement_note else ""
        return Freshness(
            "superseded", f"该政策已被替代，不再执行{replacement}。{note}".rstrip(), policy.expires_on
        )
    if policy.status == "expired":
        when = f"（有效期至{_d(policy.expires_on)}）" if policy.expires_on else ""
        return Freshness("expired", f"该政策已失效{when}，不再执行。", policy.expires_on)
    if policy.effective_from is not None and on < policy.effective_from:
        return Freshness("not_yet_effective", f"该政策自{_d(policy.effective_from)}起施行，目前尚未生效。")
    basis = policy_lapses(policy, on, catalogue) if catalogue is not None else ()
    ended = next((lapse for lapse in basis if lapse.ended), None)
    if ended is not None:
        return Freshness("lapsed", ended_notice(ended), ended.ends_on, ended.days_left, ended)
    if policy.expires_on is not None:
        days_left = (policy.expires_on - on).days
        if days_left < 0:  # an end date of the item itself, not inherited from a document
            return Freshness(
                "expired",
                f"该政策有效期至{_d(policy.expires_on)}，已经到期；是否延续请咨询12333或区就业促进中心。",
                policy.expires_on,
                days_left,
            )
        if days_left <= EXPIRY_WARNING_DAYS:
            return Freshness(
                "expiring_soon",
                f"注意：该政策有效期至{_d(policy.expires_on)}（还剩{days_left}天），到期后是否延续尚未公布，请尽早申请并留意最新通知。",
                policy.expires_on,
                days_left,
            )
    if basis:
        ending = basis[0]
        return Freshness("expiring_soon", ending_notice(ending), ending.ends_on, ending.days_left, ending)
    end = policy.expires_on or (document.valid_until if (document := _inherited(policy, catalogue)) else None)
    return Freshness("current", None, end, (end - on).days if end else None)


def _inherited(policy: Policy, catalogue: Catalogue | None) -> Source | None:
    return inherited_end(policy, catalogue) if catalogue is not None else None


def _d(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""
