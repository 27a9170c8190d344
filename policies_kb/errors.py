"""Exceptions with messages fit to show as they are (CLI, logs, chat)."""

from __future__ import annotations

from dataclasses import dataclass


class KnowledgeBaseError(Exception):
    """Base class: anything the CLI reports as a clean error instead of a traceback."""


@dataclass(frozen=True)
class DataIssue:
    """One problem in the data files, located precisely enough to fix without searching."""

    file: str
    item: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.item:
            where += f" [{self.item}]"
        if self.field:
            where += f" {self.field}"
        return f"{where}: {self.message}"


class DataValidationError(KnowledgeBaseError):
    """The data directory does not match DATA_FORMAT.md; carries every issue found."""

    def __init__(self, issues: list[DataIssue]):
        self.issues = issues
        lines = "\n".join(f"  - {i}" for i in issues)
        super().__init__(
            f"knowledge-base data is invalid ({len(issues)} problem(s)) / 政策数据有误：\n{lines}"
        )


class ProfileError(KnowledgeBaseError, ValueError):
    """Invalid applicant data; the messages are Chinese and meant for the user."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("申请人信息有误：" + "；".join(messages))


class UnknownPolicyError(KnowledgeBaseError, KeyError):
    def __init__(self, policy_id: str):
        self.policy_id = policy_id
        super().__init__(policy_id)

    def __str__(self) -> str:
        return f"未找到政策“{self.policy_id}” / unknown policy id {self.policy_id!r}"
