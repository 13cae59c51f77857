"""Building blocks of request shapes shared by every service: bounded ids and the request base."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, Strict, model_validator

from shared.deadlines import Deadline

# Every table uses 32-bit integer keys; a larger id can name nothing and must not reach the database.
MAX_ID = 2_147_483_647

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="ID")]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: Any) -> Any:
    """A date is written YYYY-MM-DD: a number (pydantic would read 0 as 1970-01-01, a Unix time) or a
    date-time is refused, not guessed at."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("应为 YYYY-MM-DD 格式的日期")


# Dates of government records: from the founding of the PRC to a horizon no record reaches.
OfficialDate = Annotated[
    date, BeforeValidator(_iso_date_only), Field(ge=date(1949, 10, 1), le=date(2099, 12, 31))
]

_CST = timezone(timedelta(hours=8))
# A moment of a government record (a scheduled publication): the same horizon, with its time zone.
OfficialDatetime = Annotated[
    AwareDatetime,
    Field(ge=datetime(1949, 10, 1, tzinfo=_CST), le=datetime(2099, 12, 31, 23, 59, 59, tzinfo=_CST)),
]


def id_query(description: str) -> Any:
    return Query(ge=1, le=MAX_ID, description=description)


def id_field(description: str = "ID", default: Any = None) -> Any:
    return Field(default=default, ge=1, le=MAX_ID, description=description)


def _nul_paths(value: Any, path: str) -> list[str]:
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nul_paths(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nul_paths(v, f"{path}.{i}")]
    return []


class RequestModel(BaseModel):
    """Base of every request body: unknown fields refused, NUL characters refused (no database stores
    them), and a yes/no field takes only true or false (pydantic alone reads 1, 0 or "yes" as one)."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        flags = [
            f
            for f in cls.model_fields.values()
            if f.annotation in (bool, bool | None) and not any(isinstance(m, Strict) for m in f.metadata)
        ]
        for field in flags:
            field.metadata.append(Strict())
        if flags:
            cls.model_rebuild(force=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        bad = _nul_paths(data, "")
        if bad:
            raise ValueError(f"字段 {', '.join(bad)} 含有空字符（\\u0000）")
        return data


class DeadlinePublic(BaseModel):
    """Where an item's clock stands today (shared.deadlines.Deadline), as every service shows it."""

    known: bool = Field(description="期限能否计算（事件历史不合规则时为 false，见 problem）")
    due: date | None = Field(default=None, description="答复期限（待补正期间为空）")
    flag: str | None = Field(default=None, description="none / yellow 黄牌 / red 红牌 / closed 已结束")
    provisional: bool = Field(default=False, description="用到尚未公布的节假日安排，按周一至周五暂算")
    paused: bool = False
    stage: str | None = None
    working_days_left: int | None = None
    correction_due: date | None = Field(default=None, description="补正告知期限，或申请人补正的期限")
    paused_until: date | None = Field(
        default=None,
        description="征求第三方意见期间：第三方答复期限（15 个工作日）的最后一天，逾期未答复的，次日起自动恢复计时"
        "（条例第三十二条）；此时 due 为第三方用满该期限时的答复期限",
    )
    extension_allowed_days: int = 0
    problem: str | None = None

    @classmethod
    def of(cls, found: Deadline) -> DeadlinePublic:
        return cls(
            known=True,
            due=found.due,
            flag=str(found.flag),
            provisional=found.provisional,
            paused=found.paused,
            stage=str(found.stage),
            working_days_left=found.working_days_left,
            correction_due=found.correction_due,
            extension_allowed_days=found.extension_allowed_days,
            paused_until=found.paused_until,
        )
