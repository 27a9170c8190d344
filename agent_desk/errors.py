"""Errors with a Chinese `user_message` ready to show to an agent; str() is English for logs."""

from __future__ import annotations


class AgentDeskError(Exception):
    user_message = "操作失败，请稍后重试。"

    def __init__(self, detail: str = "", user_message: str | None = None) -> None:
        super().__init__(detail or type(self).__name__)
        if user_message is not None:
            self.user_message = user_message


class InvalidInputError(AgentDeskError):
    user_message = "填写的信息有误，请检查后重新提交。"


class DuplicateUserError(AgentDeskError):
    user_message = "该用户名已存在，请换一个用户名。"


class AuthenticationError(AgentDeskError):
    # One message for unknown user and wrong password: the caller must not learn which names exist.
    user_message = "用户名或密码错误。"


class LoginThrottledError(AuthenticationError):
    """Too many failed logins for this name from this address: try again after `retry_after` s."""

    user_message = "登录失败次数过多，请稍后再试；如急需登录，请联系管理员解锁。"

    def __init__(self, detail: str = "", user_message: str | None = None, *, retry_after: int = 60) -> None:
        super().__init__(detail, user_message)
        self.retry_after = retry_after
