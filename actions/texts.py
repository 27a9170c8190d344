"""User-facing Chinese texts of the custom actions (no policy facts: those come from the KB, and
answers about policies are rendered by policies_kb.render)."""

HUMAN_CONTACT = "需要人工帮助请拨打12333（上海人社服务热线），或联系创业组织注册所在区的就业促进中心。"

NOT_FOUND = (
    "抱歉，我的政策资料里没有找到能回答这个问题的内容，不想给您不准确的答复。\n"
    + HUMAN_CONTACT
    + "\n您也可以换个说法，例如“一次性创业补贴有多少？”“创业担保贷款怎么申请？”。"
)

FALLBACK = "抱歉，我没有听懂您的意思。您可以换个说法，或者直接说想了解的政策名称。\n" + HUMAN_CONTACT

WHICH_ONE = "您问的可能是下面几项政策之一，请选择（回复序号）："

OVERVIEW_HEAD = "上海创业扶持政策主要有这些（每项都可以接着问细节）："

OVERVIEW_FOR_GROUP = "结合您说的情况（{who}），可以重点看这些："

OVERVIEW_TAIL = "想知道自己能申请哪些，可以说“帮我判断能申请什么”。"
