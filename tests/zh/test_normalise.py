"""zh.normalise: one normaliser, with the options each reader needs."""

from __future__ import annotations

import pytest

from zh.normalise import compact, match_form, normalise


# What NLU reads (the defaults): NFKC, traditional → simplified, whitespace collapsed.
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("我想申請創業擔保貸款", "我想申请创业担保贷款"),
        ("一次性創業補貼多少錢？", "一次性创业补贴多少钱?"),
        ("贷款３０万可以吗", "贷款30万可以吗"),
        ("ＳＹＢ培训在哪报", "SYB培训在哪报"),
        ("  你好  \n\t 在吗  ", "你好 在吗"),
        ("浦东新区　创业", "浦东新区 创业"),
        ("妳好，在嗎", "你好,在吗"),
        ("", ""),
        (None, ""),
        ("创业担保贷款", "创业担保贷款"),
    ],
)
def test_normalise_for_nlu(raw: str | None, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalisation_is_idempotent() -> None:
    once = normalise("臺灣來滬創業，ＡＰＰ裡怎麼申請？")
    assert normalise(once) == once
    assert "APP" in once and "申请" in once


def test_wechat_inbound_folds_width_and_trims_only() -> None:
    assert normalise("\u3000ＳＹＢ培训　３万元！ ", simplified=False, spaces="trim") == "SYB培训 3万元!"
    assert normalise(None, simplified=False, spaces="trim") == ""
    assert normalise(" 創業 ", simplified=False, spaces="trim") == "創業"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("創業擔保貸款", "创业担保贷款"), ("ＳＹＢ培训", "syb培训"), ("３０万 元", "30万 元"), ("每月 ㎡ 补贴", "每月 ㎡ 补贴"), ("", "")],
)  # fmt: skip
def test_match_form_keeps_the_length(raw: str, expected: str) -> None:
    assert match_form(raw) == expected
    assert len(match_form(raw)) == len(raw)


def test_same_length_keeps_whitespace() -> None:
    with pytest.raises(ValueError):
        normalise("a b", same_length=True)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("１３８ ００１３ ８０００", "13800138000"), ("浦东 新区", "浦东新区"), (" 確認 ", "確認"), (None, "")],
)
def test_compact_for_short_answers(raw: str | None, expected: str) -> None:
    assert compact(raw) == expected
