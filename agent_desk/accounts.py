"""Plain types for agent accounts and tokens."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

# policy: the policy team (政策组) — keeps the knowledge base up to date; sees the policy pages and the
# review report, not the callers' bookings. admin sees everything.
ROLES: tuple[str, ...] = ("agent", "admin", "policy")
ROLE_LABELS = {"agent": "坐席", "admin": "管理员", "policy": "政策组"}


@dataclass(frozen=True)
class Agent:
    id: int
    name: str
    role: str
    active: bool
    created_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def serves_callers(self) -> bool:
        """Agents and admins handle callers' bookings (personal data); the policy team does not."""
        return self.role in ("agent", "admin")

    @property
    def reviews_policies(self) -> bool:
        """The policy team and admins see the knowledge-base review report."""
        return self.role in ("policy", "admin")

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "role_label": ROLE_LABELS.get(self.role, self.role),
            "active": self.active,
            "created_at": self.created_at.isoformat() + "Z",
        }


@dataclass(frozen=True)
class IssuedToken:
    """A freshly issued token: `token` is the only copy of the secret, the database keeps its hash."""

    token: str
    agent: Agent
    kind: str
    expires_at: datetime  # naive UTC

    def __repr__(self) -> str:  # never log the secret
        return f"IssuedToken(agent={self.agent.name!r}, kind={self.kind}, expires_at={self.expires_at:%Y-%m-%dT%H:%M}Z)"


def token_hash(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; no salt is needed to resist guessing.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
