"""WeChat 公众号 input channel; configured in credentials.yml as `bot.channels.wechat.WeChatInput`."""

from bot.channels.wechat.channel import WeChatInput

__all__ = ["WeChatInput"]
