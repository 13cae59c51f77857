"""Personal data: encryption, blind indexes, ID-number checks, masking, settings, and the read audit log."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic_settings import SettingsConfigDict
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from shared.audit import PersonalDataRead, record_read
from shared.auth import Principal, Role
from shared.db import make_engine, make_sessionmaker
from shared.events import AppendOnlyViolation
from shared.observability import request_id_var
from shared.personal_data import (
    DecryptionError,
    PersonalDataCipher,
    PersonalDataError,
    find_names_in_lists,
    find_personal_data,
    from_settings,
    luhn_valid,
    mask_address,
    mask_bank_account,
    mask_findings,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_text,
    normalize_resident_id,
    validate_resident_id,
)
from shared.settings import DEV_PII_BLIND_KEY, DEV_PII_KEY, ServiceSettings
from tests.conftest import create_database

CONTEXT = "requests.applicant.id_number:42"


def new_key() -> bytes:
    return os.urandom(32)


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.fixture
def cipher() -> PersonalDataCipher:
    return PersonalDataCipher(new_key(), new_key())


# --- encryption -------------------------------------------------------------------------------------


@pytest.mark.parametrize("plaintext", ["110101199003071234", "13812341234", "举报人：李四，住东湖县", ""])
def test_a_value_round_trips_through_a_compact_token(cipher: PersonalDataCipher, plaintext: str) -> None:
    token = cipher.encrypt(plaintext, context=CONTEXT)
    version, kid, data = token.split(":")
    assert (version, kid) == ("v1", cipher.key_id)
    assert "=" not in data and (not plaintext or plaintext not in token)
    assert len(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))) == 12 + len(plaintext.encode()) + 16
    assert cipher.decrypt(token, context=CONTEXT) == plaintext


def test_the_same_value_encrypts_differently_every_time(cipher: PersonalDataCipher) -> None:
    tokens = [cipher.encrypt("110101199003071234", context=CONTEXT) for _ in range(200)]
    assert len(set(tokens)) == len(tokens)
    nonces = {base64.urlsafe_b64decode(t.split(":")[2] + "==")[:12] for t in tokens}
    assert len(nonces) == len(tokens)
    assert {cipher.decrypt(t, context=CONTEXT) for t in tokens} == {"110101199003071234"}


def test_any_change_to_a_token_is_detected(cipher: PersonalDataCipher) -> None:
    token = cipher.encrypt("13812341234", context=CONTEXT)
    prefix, data = token.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    for position in (0, 12, len(raw) - 1):  # nonce, ciphertext, tag
        altered = bytearray(raw)
        altered[position] ^= 0x01
        forged = f"{prefix}:{base64.urlsafe_b64encode(bytes(altered)).rstrip(b'=').decode()}"
        with pytest.raises(DecryptionError, match="altered or misplaced"):
            cipher.decrypt(forged, context=CONTEXT)
    for broken in ("", "13812341234", "v2" + token[2:], token[:20], token + "!", "v1:zzzz:abc", token[:-1]):
        with pytest.raises(DecryptionError):
            cipher.decrypt(broken, context=CONTEXT)
    assert issubclass(DecryptionError, ValueError)


def test_a_token_moved_to_another_field_or_record_is_refused(cipher: PersonalDataCipher) -> None:
    token = cipher.encrypt("110101199003071234", context=CONTEXT)
    for other in ("requests.applicant.id_number:43", "requests.applicant.phone:42", "feedback.reporter:42"):
        with pytest.raises(DecryptionError, match=other):
            cipher.decrypt(token, context=other)
    with pytest.raises(PersonalDataError, match="context"):
        cipher.encrypt("x", context="")


def test_after_a_rotation_old_values_decrypt_and_can_be_re_encrypted() -> None:
    old_key, new, blind = new_key(), new_key(), new_key()
    before = PersonalDataCipher(old_key, blind)
    old_token = before.encrypt("13812341234", context=CONTEXT)

    after = PersonalDataCipher(new, blind, previous_keys=[old_key])
    assert after.key_id != before.key_id
    assert after.decrypt(old_token, context=CONTEXT) == "13812341234"
    assert after.needs_rotation(old_token)
    fresh = after.rotate(old_token, context=CONTEXT)
    assert fresh.split(":")[1] == after.key_id and not after.needs_rotation(fresh)
    assert after.rotate(fresh, context=CONTEXT) == fresh
    assert after.decrypt(fresh, context=CONTEXT) == "13812341234"
    # New values use the new key only; once the old key is dropped its values no longer decrypt.
    with pytest.raises(DecryptionError, match="not configured"):
        before.decrypt(after.encrypt("x", context=CONTEXT), context=CONTEXT)
    with pytest.raises(DecryptionError, match="not configured"):
        PersonalDataCipher(new, blind).decrypt(old_token, context=CONTEXT)


def test_keys_must_be_32_bytes_and_the_blind_key_separate() -> None:
    key = new_key()
    with pytest.raises(PersonalDataError):
        PersonalDataCipher(key[:16], new_key())
    with pytest.raises(PersonalDataError):
        PersonalDataCipher(key, new_key(), previous_keys=[b"short"])
    with pytest.raises(PersonalDataError, match="differ"):
        PersonalDataCipher(key, key)
    # The current key listed again among the previous ones is harmless.
    assert (
        PersonalDataCipher(key, new_key(), previous_keys=[key]).key_id
        == PersonalDataCipher(key, new_key()).key_id
    )


# --- blind indexes ----------------------------------------------------------------------------------


def test_blind_indexes_match_equal_normalised_values_and_differ_across_kinds(
    cipher: PersonalDataCipher,
) -> None:
    same_ids = [
        "11010519491231002X",
        "11010519491231002x",
        " 110105 19491231 002X ",
        "１１０１０５１９４９１２３１００２Ｘ",
    ]
    assert len({cipher.blind_index(v, kind="id_number") for v in same_ids}) == 1
    same_phones = ["13812341234", "138-1234-1234", "+86 138 1234 1234", "008613812341234"]
    assert len({cipher.blind_index(v, kind="phone") for v in same_phones}) == 1
    assert cipher.blind_index("13812341234", kind="phone") != cipher.blind_index("13812341235", kind="phone")
    assert cipher.blind_index("13812341234", kind="phone") != cipher.blind_index(
        "13812341234", kind="id_number"
    )
    assert cipher.blind_index(" 张  三 ", kind="name") == cipher.blind_index("张 三", kind="name")

    index = cipher.blind_index("13812341234", kind="phone")
    assert len(index) == 64 and int(index, 16) >= 0
    # Keyed: another blind key gives other indexes; the encryption key plays no part.
    assert PersonalDataCipher(new_key(), new_key()).blind_index("13812341234", kind="phone") != index
    with pytest.raises(PersonalDataError):
        cipher.blind_index("x", kind="")


# --- settings ---------------------------------------------------------------------------------------


class PiiTestSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PIITEST_", extra="ignore")


def test_development_keys_work_in_development_and_are_refused_in_production() -> None:
    dev = PiiTestSettings()
    cipher = from_settings(dev)
    assert cipher.decrypt(cipher.encrypt("13812341234", context=CONTEXT), context=CONTEXT) == "13812341234"

    prod = {"environment": "production", "service_token": "a-real-service-token"}
    with pytest.raises(ValueError, match="pii_key"):
        PiiTestSettings(**prod)
    with pytest.raises(ValueError, match="pii_blind_key"):
        PiiTestSettings(**prod, pii_key=b64(new_key()))
    real = {"pii_key": b64(new_key()), "pii_blind_key": b64(new_key())}
    with pytest.raises(ValueError, match="pii_previous_keys"):
        PiiTestSettings(**prod, **real, pii_previous_keys=[DEV_PII_KEY])
    # The development key written in the URL-safe alphabet is still the development key.
    urlsafe_dev = DEV_PII_BLIND_KEY.replace("+", "-").replace("/", "_").rstrip("=")
    with pytest.raises(ValueError, match="pii_blind_key"):
        PiiTestSettings(**prod, pii_key=real["pii_key"], pii_blind_key=urlsafe_dev)

    old = new_key()
    settings = PiiTestSettings(**prod, **real, pii_previous_keys=[base64.urlsafe_b64encode(old).decode()])
    rotated = from_settings(settings)
    assert rotated.decrypt(PersonalDataCipher(old, new_key()).encrypt("x", context="c"), context="c") == "x"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"pii_key": "not base64!"}, "pii_key"),
        ({"pii_key": b64(os.urandom(16))}, "pii_key"),
        ({"pii_blind_key": ""}, "pii_blind_key"),
        ({"pii_previous_keys": [b64(os.urandom(31))]}, "pii_previous_keys"),
        ({"pii_key": DEV_PII_BLIND_KEY}, "differ"),
    ],
)
def test_malformed_keys_are_refused_in_every_environment(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PiiTestSettings(**values)


# --- resident ID numbers ----------------------------------------------------------------------------


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 written out independently: weights 2^(17-i) mod 11, (12 - sum) mod 11."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def make_id(region: str, born: date, sequence: str) -> str:
    first17 = f"{region}{born:%Y%m%d}{sequence}"
    return first17 + check_character(first17)


VALID_IDS = [
    "11010519491231002X",  # the example of GB 11643-1999
    make_id("110101", date(1990, 3, 7), "123"),
    make_id("440305", date(2000, 2, 29), "001"),
    make_id("650102", date(1900, 1, 1), "999"),
    make_id("810000", date(1985, 12, 31), "456"),  # Hong Kong residents' residence permit
]


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_resident_id_numbers(number: str) -> None:
    assert validate_resident_id(number)
    assert validate_resident_id(number.lower())
    assert validate_resident_id(f" {number[:6]} {number[6:14]} {number[14:]} ")
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in number)
    assert normalize_resident_id(full_width) == number
    assert validate_resident_id(full_width)


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def with_date(text: str) -> str:
    first17 = f"110101{text}123"
    return first17 + check_character(first17)


SOON = date.today() + timedelta(days=2)
INVALID_IDS = {
    "wrong check digit": wrong_check(VALID_IDS[1]),
    "wrong check X": VALID_IDS[1][:17] + ("X" if VALID_IDS[1][17] != "X" else "0"),
    "february 30": with_date("19900230"),
    "february 29 of a common year": with_date("19010229"),
    "month 13": with_date("19901301"),
    "future birth date": with_date(f"{SOON:%Y%m%d}"),
    "before 1900": with_date("18991231"),
    "17 digits": VALID_IDS[1][:17],
    "19 digits": VALID_IDS[1] + "1",
    "letter inside": VALID_IDS[1][:10] + "A" + VALID_IDS[1][11:],
    "X not last": "11010519491231X002",
    "region 7": make_id("710101", date(1990, 3, 7), "123"),
    "region 9": make_id("910101", date(1990, 3, 7), "123"),
    "region 0": make_id("010101", date(1990, 3, 7), "123"),
    "15-digit first generation": "110101900307123",
    "empty": "",
}


@pytest.mark.parametrize("number", INVALID_IDS.values(), ids=INVALID_IDS.keys())
def test_invalid_resident_id_numbers(number: str) -> None:
    assert not validate_resident_id(number)


def test_the_birth_date_limit_is_today() -> None:
    born_today = make_id("110101", date(2024, 5, 6), "001")
    assert validate_resident_id(born_today, today=date(2024, 5, 6))
    assert not validate_resident_id(born_today, today=date(2024, 5, 5))


# --- masking ----------------------------------------------------------------------------------------


def test_id_numbers_are_masked_with_the_birth_date_hidden() -> None:
    assert mask_id_number("110101199003071234") == "110101********1234"
    assert mask_id_number("11010519491231002x") == "110105********002X"
    assert mask_id_number("110101199003071234", show_prefix=3) == "110***********1234"  # the shorter form
    assert mask_id_number("110101900307123") == "110101******123"  # 15 digits: no birth digit left
    assert mask_id_number("12345") == "*****"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("+86 13812341234", "+86 138****1234"),
        ("0571-88881234", "0571-****1234"),
        ("010-12345678", "010-****5678"),
        ("0571-8888123", "0571-***8123"),
        ("057188881234", "0571****1234"),
        ("(0571)88881234", "(0571)****1234"),
        ("0571-88881234转801", "0571-****1234转801"),
        ("88881234", "****1234"),
        ("12345", "*****"),
    ],
)
def test_phones_show_the_first_three_or_area_code_and_the_last_four(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张**"),
        ("张三", "张*"),
        ("王", "王*"),
        ("欧阳娜娜", "欧阳**"),
        ("司马光", "司马*"),
        ("诸葛孔明", "诸葛**"),
        ("上官婉儿", "上官**"),
        ("东方明", "东方*"),
        ("皇甫嵩", "皇甫*"),
        ("令狐冲", "令狐*"),
        ("司徒雷登", "司徒**"),
        ("慕容复", "慕容*"),
        ("尉迟恭", "尉迟*"),
        ("公孙胜", "公孙*"),
        ("长孙无忌", "长孙**"),
        ("宇文化及", "宇文**"),
        ("夏侯惇", "夏侯*"),
        ("欧阳", "欧*"),  # two characters: surname 欧, given name 阳
        ("阿依古丽·买买提", "阿***·***"),
        (" 李四 ", "李*"),
        ("", ""),
    ],
)
def test_names_keep_only_the_surname(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("青山市东湖县城关镇幸福村3组12号", "青山市东湖县城关镇幸福村…"),
        ("青山市东湖县城关镇幸福村村民委员会", "青山市东湖县城关镇幸福村…"),
        ("杭州市西湖区文新街道德加社区5幢2单元301室", "杭州市西湖区文新街道德加社区…"),
        ("东湖县城关镇阳光小区8栋", "东湖县城关镇阳光小区…"),
        ("西岭县河西乡张家村", "西岭县河西乡张家村"),
        ("上海市浦东新区张江镇科苑路88号", "上海市浦东新区张江镇…"),
        ("北京市朝阳区建国路88号", "北京市朝阳区…"),
        ("解放路12号幸福小区3栋", "（不公开）"),
        ("门口那棵树下", "（不公开）"),
    ],
)
def test_addresses_stop_at_the_village_or_community(address: str, masked: str) -> None:
    assert mask_address(address) == masked


def test_bank_accounts_are_never_shown() -> None:
    assert mask_bank_account("6222021234567890123") == "（不公开）"
    assert mask_bank_account(None) == "（不公开）"


def test_personal_numbers_in_free_text_are_masked() -> None:
    resident = make_id("110101", date(1990, 3, 7), "123")
    paragraph = (
        f"申请人张三（身份证号{resident}，手机13812341234，另留+86 139-1234-5678）"
        "于2024年3月5日来电，称低保金未到账，银行卡号6222021234567890123（卡号6222 0212 3456 7890）。"
        "经核实，已于2024年3月8日答复。咨询电话：0571-88881234，文号东政办〔2024〕12号，"
        "索引号000014349/2017-00110，旧证号110101900307123。"
    )
    masked = mask_text(paragraph)
    assert f"身份证号{resident[:6]}********{resident[-4:]}，" in masked
    assert "手机138****1234，" in masked and "另留+86 139****5678）" in masked
    assert "银行卡号（不公开）（卡号（不公开））" in masked
    assert "旧证号110101******123。" in masked
    # Dates, office numbers, document and index numbers stay as they were.
    for kept in ("2024年3月5日", "0571-88881234", "东政办〔2024〕12号", "000014349/2017-00110"):
        assert kept in masked
    for secret in (resident, resident[6:14], "13812341234", "1234-5678", "6222021234567890123"):
        assert secret not in masked
    assert mask_text(masked) == masked
    assert mask_text("没有号码的文字") == "没有号码的文字"


def test_id_numbers_mobiles_and_bank_cards_are_found_by_their_check_digits_before_publication() -> None:
    resident = make_id("110105", date(1949, 12, 31), "002")
    card = "6222021234567890128"  # Luhn-valid
    assert luhn_valid(card) and luhn_valid("4111 1111 1111 1111".replace(" ", ""))
    assert not luhn_valid("6222021234567890123") and not luhn_valid("62220212345678x")
    text = (
        f"联系人王小明，身份证号{resident}，电话13800138000，银行卡{card}。"
        f"校验位错的号码{wrong_check(resident)}、统计编号6222021234567890123、"
        "已遮蔽的110105********1234和138****0000、办公电话0571-88881234都不算。"
    )
    found = find_personal_data(text)
    assert [(f.kind, text[f.start : f.end]) for f in found] == [
        ("id_number", resident),
        ("mobile", "13800138000"),
        ("bank_card", card),
    ]
    assert [f.masked for f in found] == [f"110105********{resident[-4:]}", "138****8000", "（不公开）"]
    masked = mask_findings(text, found)
    assert f"身份证号110105********{resident[-4:]}，电话138****8000，银行卡（不公开）。" in masked
    assert find_personal_data(masked) == []
    assert find_personal_data("没有号码的文字") == []


def test_names_are_found_in_the_name_column_of_publicity_lists_and_after_a_name_label() -> None:
    text = (
        "2026年第四季度城乡低保名单公示\n"
        "序号  户主姓名  家庭人口  保障金额（元）\n"
        "1  张三丰  3  2940\n"
        "2\t欧阳娜娜\t1\t980\n"
        "3  李**  2  1960\n"
        "   合计  6  5880\n"
        "\n"
        "经审核，上述家庭符合条件，姓名：王小明，联系电话0571-88881234。\n"
        "城关镇  民政办  负责审核\n"
    )
    found = find_names_in_lists(text)
    assert [(text[f.start : f.end], f.masked) for f in found] == [
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧阳**"),
        ("王小明", "王**"),
    ]
    assert "1  张**  3  2940\n2\t欧阳**\t1\t980\n" in mask_findings(text, found)
    table = (
        "<p>拟录用人员名单</p><table><tr><th>序号</th><th>姓名</th><th>职位</th></tr>"
        "<tr><td>1</td><td> 赵六 </td><td>科员</td></tr><tr><td>2</td><td>钱**</td><td>科员</td></tr></table>"
    )
    hits = find_personal_data(table)
    assert [(h.kind, table[h.start : h.end], h.masked) for h in hits] == [("name", "赵六", "赵*")]
    assert find_names_in_lists("各乡镇人民政府，县政府各部门：经研究决定，提高保障标准。") == []


# --- audit log of reads -----------------------------------------------------------------------------

CLERK = Principal(subject="7", role=Role.CLERK, username="clerk7", agency_id=3)


@pytest.fixture
async def audit_engine(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A database migrated as the feedback service's, whose migrations create the audit table."""
    engine = make_engine(await create_database(backend, tmp_path, "audit", schema="feedback"))
    yield engine
    await engine.dispose()


async def test_each_field_read_writes_one_row_in_the_callers_transaction(audit_engine: AsyncEngine) -> None:
    maker = make_sessionmaker(audit_engine)
    async with maker() as session:
        record_read(session, actor=CLERK, record_type="application", record_id=42, fields=["id_number"])
        await session.rollback()
    token = request_id_var.set("req-abc")
    try:
        async with maker() as session:
            assert (await session.exec(select(PersonalDataRead))).all() == []
            rows = record_read(
                session,
                actor=CLERK,
                record_type="application",
                record_id=42,
                fields=["id_number", "phone", "id_number"],
                purpose="核实申请人身份",
            )
            assert len(rows) == 2
            await session.commit()
    finally:
        request_id_var.reset(token)
    async with maker() as session:
        stored = (await session.exec(select(PersonalDataRead).order_by(col(PersonalDataRead.id)))).all()
    assert [(r.record_type, r.record_id, r.field) for r in stored] == [
        ("application", "42", "id_number"),
        ("application", "42", "phone"),
    ]
    assert {(r.actor_id, r.actor_role, r.purpose, r.request_id) for r in stored} == {
        ("7", "clerk", "核实申请人身份", "req-abc")
    }
    assert all(r.at.tzinfo is not None for r in stored)


async def test_audit_rows_cannot_be_updated_or_deleted(audit_engine: AsyncEngine) -> None:
    maker = make_sessionmaker(audit_engine)
    async with maker() as session:
        record_read(session, actor=CLERK, record_type="message", record_id="m-1", fields=["reporter"])
        await session.commit()
    async with maker() as session:
        row = (await session.exec(select(PersonalDataRead))).one()
        row.actor_id = "someone-else"
        session.add(row)
        with pytest.raises(AppendOnlyViolation):
            await session.commit()
    async with maker() as session:
        row = (await session.exec(select(PersonalDataRead))).one()
        await session.delete(row)
        with pytest.raises(AppendOnlyViolation):
            await session.commit()
    statements = ["UPDATE personal_data_reads SET actor_id = 'x'", "DELETE FROM personal_data_reads"]
    if audit_engine.dialect.name == "postgresql":
        statements.append("TRUNCATE personal_data_reads")
    for statement in statements:
        async with maker() as session:
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                await (await session.connection()).execute(sa.text(statement))
                await session.commit()
    async with maker() as session:
        assert (await session.exec(select(PersonalDataRead))).one().actor_id == "7"
