"""Typed errors of the booking service.

Each error carries `user_message`, a Chinese sentence the bot can show as it is, so the Rasa
actions need no wording of their own for failures. `str(error)` is an English developer message
free of personal data.
"""

from __future__ import annotations


class ConsultationError(Exception):
    """Base class of every error the package raises on purpose."""

    user_message: str = "系统暂时无法处理您的请求，请稍后再试。"

    def __init__(self, detail: str = "", user_message: str | None = None) -> None:
        super().__init__(detail or type(self).__name__)
        if user_message is not None:
            self.user_message = user_message


class CatalogueError(ConsultationError):
    """A data file is invalid; the message names file, expert and field."""

    user_message = "专家信息暂时无法读取，请稍后再试。"


class CalendarUnknownError(ConsultationError):
    """The holiday calendar does not know the year, so open days cannot be told from holidays."""

    user_message = "该日期的节假日安排尚未公布，暂时无法预约，请选择更近的日期。"


class BookingError(ConsultationError):
    """Base class of errors a user can cause while booking, cancelling or rating."""


class UnknownTopicError(BookingError):
    user_message = "暂时没有这个方向的专家。可选方向：融资、财税、法律、股权、营销、知识产权、人力资源、电商、文创、商业计划、政策申报。"


class UnknownDistrictError(BookingError):
    user_message = "没有识别出上海的区名，请说区的名称，例如“浦东新区”或“徐汇区”。"


class SlotNotFoundError(BookingError):
    user_message = "没有找到这个时段，请重新选择。"


class SlotFullError(BookingError):
    user_message = "这个时段刚刚约满了，请换一个时段。"


class SlotInPastError(BookingError):
    user_message = "这个时段已经开始或已经结束，请选择之后的时段。"


class SlotOutsideHorizonError(BookingError):
    user_message = "这个时段还没有开放预约，请选择近两周内的时段。"


class SlotClosedError(BookingError):
    user_message = "这个时段已停止预约，请换一个时段。"


class NotBookableFormError(BookingError):
    user_message = "会诊、结对和讲座由工作人员统一安排，不能在这里预约；可以预约门诊、上门指导或网上咨询。"


class AlreadyBookedError(BookingError):
    user_message = "您已经预约了这个时段，无需重复预约。"


class MaxActiveBookingsError(BookingError):
    user_message = "您当前的有效预约已达上限，请先完成或取消已有预约后再预约。"


class InvalidPhoneError(BookingError):
    user_message = "手机号码格式不正确，请输入 11 位大陆手机号，例如 138 0013 8000。"


class InvalidInputError(BookingError):
    user_message = "填写的信息不完整，请检查后重新提交。"


class BookingNotFoundError(BookingError):
    user_message = "没有找到这条预约，请核对预约码。"


class BookingNotActiveError(BookingError):
    user_message = "这条预约已经取消，无法再操作。"


class CancelTooLateError(BookingError):
    """Raised for cancel and reschedule inside the cancellation window (24 h by default)."""

    user_message = "距离咨询开始已不足 24 小时，无法在线取消或改约。"


class RatingTooEarlyError(BookingError):
    user_message = "咨询结束后才能评价，请在咨询结束后再来。"


class AlreadyRatedError(BookingError):
    user_message = "这次咨询您已经评价过了，感谢您的反馈！"


class InvalidRatingError(BookingError):
    user_message = "请给出 1 到 5 之间的评分。"
