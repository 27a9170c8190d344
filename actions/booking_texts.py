"""User-facing Chinese texts of the booking conversation (errors come from consultations' user_message)."""

STAGES = ("想法阶段", "筹备中", "已注册运营")

MODE_LABELS = {
    "网上": "网上咨询",
    "门诊": "门诊咨询（到咨询点面谈）",
    "上门": "上门指导",
    "线下": "线下面谈（门诊或上门）",
    "都可以": "都可以",
}

HELP_ELSEWHERE = (
    "也可以拨打12333（上海人社服务热线），或到创业组织注册所在区的就业促进中心创业指导服务部门咨询。"
)

INTRO = "好的，我来帮您预约创业指导专家志愿团的免费咨询。需要问您几个问题，随时说“不约了”可以退出。"
INTRO_TOPIC = "咨询方向：{topic}。"

ASK_TOPIC = "请问想咨询哪个方向？请选择或直接输入："
ASK_STAGE = "您的创业进行到哪一步了？"
ASK_MODE = "希望怎么咨询？"
ASK_DISTRICT = "希望在哪个区面谈？请说区名，例如“浦东”“徐汇”；哪个区都可以请回复“不限”。"
ASK_NAME = "请问怎么称呼您？（例如“张先生”，专家会这样称呼您）"
ASK_PHONE = "请留一个大陆手机号，方便专家或工作人员联系您（只用于这次咨询，显示时会隐藏中间四位）。"

BAD_STAGE = "没听明白您的创业阶段，请从下面选一个："
BAD_MODE = "没听明白您想怎么咨询，请从下面选一个："
BAD_DISTRICT = "没有识别出上海的区名。请说区的名称，例如“浦东新区”“徐汇区”；哪个区都可以请回复“不限”。"
BAD_NAME = "请告诉我一个称呼（20 字以内，例如“张先生”“李女士”）。"
BAD_CONFIRM = "请回复“确认”提交预约，或回复“不约了”取消。"
BAD_CHOICE = "请回复序号（1～{n}）选择一个时段，或说“不约了”。"
BAD_CHOICE_NONE = "请从下面的选项里选一个，或说“不约了”。"

SAMPLE_NOTE = "注意：目前的专家名单是示例数据，以下专家均为虚构的“示例专家”，仅用于演示，并非真实专家。"
OFFERS_HEAD = "为您找到以下专家和最近的空闲时段（{criteria}），请选择："

NO_EXPERT = "抱歉，目前没有{where}提供{mode}的「{topic}」方向专家。"
NO_SLOT = "抱歉，「{topic}」方向{where}的专家近 {days} 天内{mode}时段都已约满或没有排班。"
ONLINE_HAS_SLOTS = "改成网上咨询的话，近期还有空闲时段。"
ALTERNATIVES = "您可以改成网上咨询、换一个区或换一个咨询方向；" + HELP_ELSEWHERE
ALTERNATIVES_ONLINE = "您可以换一个咨询方向，或改约线下面谈；" + HELP_ELSEWHERE

SUMMARY = (
    "请核对预约信息：\n"
    "专家：{expert}\n"
    "时间：{when}\n"
    "咨询方向：{topic}\n"
    "创业阶段：{stage}\n"
    "称呼：{name}\n"
    "手机：{phone}\n"
    "信息无误请回复“确认”提交预约；不约了请回复“不约了”。"
)

BOOKED = (
    "预约成功！预约码：{code}\n"
    "专家：{expert}\n"
    "时间：{when}\n"
    "称呼：{name}　手机：{phone}\n"
    "请您准备：{prepare}\n"
    "须知：{free}如需取消或改约，请至少在咨询开始 {hours} 小时前操作（说“取消预约 {code}”或“改约”）；"
    "说“我的预约”可以随时查看。"
)
SAMPLE_BOOKED = "（提醒：这是示例专家，仅用于演示。）"
ALREADY_BOOKED = (
    "这次预约已经提交成功了，不会重复预约。预约码：{code}（{when}，{expert}）。说“我的预约”可以查看。"
)
NOT_SUBMITTED = "好的，这次预约没有提交。需要时说“预约专家”重新开始。"
REPEAT_NOTHING = "好的。需要预约专家请说“预约专家”，查看预约请说“我的预约”。"
PICK_AGAIN = "请重新选择一个时段："
SERVICE_DOWN = "系统暂时无法处理您的请求，请稍后再试。" + HELP_ELSEWHERE

STOPPED = {
    "booking_form": "好的，已停止本次预约，没有提交任何信息。需要时说“预约专家”重新开始。",
    "booking_reschedule_form": "好的，不改约了，原预约保持不变。",
    "booking_rating_form": "好的，不评价了。需要时说“评价一下”。",
}
STOPPED_FOR_CANCEL = "如需取消已有的预约，请说“取消预约”加预约码，或说“我的预约”查看。"

NO_BOOKINGS = "您目前没有进行中的预约。说“预约专家”可以预约创业指导专家志愿团的免费咨询。"
MY_BOOKINGS_HEAD = "您的预约："
MY_BOOKINGS_TAIL = "取消请说“取消预约”加预约码，改时间请说“改约”。"
BOOKING_LINE = "{i}. 预约码 {code}｜{when}｜{expert}｜{name} {phone}"

NOTHING_TO_CANCEL = "您目前没有可以取消的预约。"
WHICH_TO_CANCEL = "您有 {n} 个预约，要取消哪一个？"
CONFIRM_CANCEL = "确定要取消这个预约吗？\n{line}"
CANCELLED = "已取消预约 {code}（{when}，{expert}），名额已释放。需要时可以说“预约专家”重新预约。"
CANCEL_KEPT = "好的，预约保留不变。"
CANCEL_TOO_LATE_HELP = "如确实无法参加，请拨打12333或联系咨询点说明情况。"

NOTHING_TO_RESCHEDULE = "您目前没有可以改约的预约。说“预约专家”可以新约一个时段。"
WHICH_TO_RESCHEDULE = "您有 {n} 个预约，要改哪一个？"
NO_OTHER_SLOTS = "{expert}近期没有其他空闲时段，原预约保持不变。可以说“预约专家”换一位专家，" + HELP_ELSEWHERE
FILTER_EMPTY = "{when}没有空闲时段，下面是近期其他可约时段。"
ASK_NEW_SLOT = "当前预约：{when}（{expert}）。请选择新的时段："
RESCHEDULED = "改约成功！预约码不变：{code}\n新时间：{when}\n专家：{expert}\n请您准备：{prepare}"

NOTHING_TO_RATE = "没有找到可以评价的咨询记录。咨询结束后，说“评价一下”就可以给专家打分。"
RATE_WHEN = "您预约的咨询时间是 {when}。"
ASK_SCORE = "请为 {when} {expert} 的咨询打分（1～5 分，5 分最满意）："
BAD_SCORE = "请给出 1 到 5 之间的分数。"
ASK_COMMENT = "还有想对专家说的吗？直接输入评价内容；不需要请点“跳过”。"
RATED = "感谢您的评价！已记录 {score} 分。{record}"
RATED_RECORD = "这位专家已累计收到 {count} 条评价，平均 {average} 分。"

ASK_DELETE = "删除后，您所有未开始的预约会被取消，所有预约记录中的姓名和手机号会被删除，本次对话保存的聊天内容也会清除，且无法恢复。确定删除吗？"
DELETED = (
    "已删除：取消了 {cancelled} 个未开始的预约，{anonymised} 条预约记录中的姓名和手机号已删除，"
    "本次对话保存的聊天内容也已清除。"
)
DELETE_KEPT = "好的，没有删除任何信息。"
