"""An agency's rule set for its 依申请公开 applications (docs/time-limits.md, "Rule sets").

The agency chooses it; an admin records the choice from a day on, and each application takes the
rule set in force on its received date (the requests service asks `GET …/agencies/{id}`). The
history is append-only and a change takes effect tomorrow at the earliest: every application
received up to today already holds the rule set in force on its received date, and a paper
application received last week but registered next week must find the same answer in the history
as the ones registered then. So the rule set of a day never changes once the day has begun.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.models import Agency, AgencyRuleSet
from services.catalog.schemas import AgencyDetail, AgencyPublic, RuleSetChange, RuleSetEntry
from services.catalog.service import get_agency
from shared.agencies import in_force
from shared.auth import Principal
from shared.db import row_id
from shared.deadlines import APPLICATION_RULE_SETS, LIMIT_LABELS, NATIONAL_2019, RULE_SETS, looser_limits
from shared.errors import Conflict, InvalidField
from shared.events import record_event


async def history(session: AsyncSession, agency_id: int) -> list[AgencyRuleSet]:
    """The agency's changes in the order they take effect (by day, then as recorded)."""
    rows = await session.exec(
        select(AgencyRuleSet)
        .where(AgencyRuleSet.agency_id == agency_id)
        .order_by(col(AgencyRuleSet.effective_on), col(AgencyRuleSet.id))
    )
    return list(rows.all())


def rule_set_on(entries: list[AgencyRuleSet], on: date) -> str:
    return in_force(tuple((e.effective_on, e.rule_set) for e in entries), on)


async def detail(session: AsyncSession, agency: Agency, today: date) -> AgencyDetail:
    entries = await history(session, row_id(agency))
    key = rule_set_on(entries, today)
    return AgencyDetail(
        **AgencyPublic.model_validate(agency).model_dump(exclude={"level_label"}),
        rule_set=key,
        rule_set_title=RULE_SETS[key].title,
        rule_set_history=[RuleSetEntry.model_validate(e) for e in entries],
    )


def _check_rule_set(key: str) -> None:
    """Only an application rule set, and none looser than the Regulation (a local rule may be
    stricter, never looser: 条例第三十三条 and the others bind every agency)."""
    rules = APPLICATION_RULE_SETS.get(key)
    if rules is None:
        known = "、".join(APPLICATION_RULE_SETS)
        raise InvalidField(
            "rule_set", f"不是申请可用的期限规则：{key}；可选：{known}", code="unknown_rule_set"
        )
    looser = looser_limits(rules, NATIONAL_2019)
    if looser:
        names = "、".join(LIMIT_LABELS[name] for name in looser)
        raise InvalidField(
            "rule_set",
            f"期限规则 {key} 的{names}比条例宽松：地方规则只能比条例更严",
            code="rule_set_looser_than_regulation",
        )


async def set_rule_set(
    *, session: AsyncSession, agency_id: int, data: RuleSetChange, actor: Principal, today: date
) -> AgencyDetail:
    """Records the agency's rule set from `effective_on` on, with its event, in one transaction.
    The same change sent again (same rule set, same day as the last entry) records nothing."""
    agency = await get_agency(session=session, agency_id=agency_id)
    _check_rule_set(data.rule_set)
    entries = await history(session, agency_id)
    last = entries[-1] if entries else None
    if last is not None and (last.rule_set, last.effective_on) == (data.rule_set, data.effective_on):
        return await detail(session, agency, today)
    if data.effective_on <= today:
        raise InvalidField(
            "effective_on",
            f"生效日期最早为明天（{(today + timedelta(days=1)).isoformat()}）："
            "今天及以前收到的申请已按当时的期限规则办理",
            code="rule_set_effective_too_early",
        )
    if last is not None and data.effective_on < last.effective_on:
        raise InvalidField(
            "effective_on",
            f"生效日期不能早于上一次变更的生效日期（{last.effective_on.isoformat()}）",
            code="rule_set_effective_before_last_change",
        )
    if rule_set_on(entries, data.effective_on) == data.rule_set:
        raise Conflict(
            f"自 {data.effective_on.isoformat()} 起适用的已是 {data.rule_set}", code="rule_set_unchanged"
        )
    previous = rule_set_on(entries, data.effective_on - timedelta(days=1))
    entry = AgencyRuleSet(
        agency_id=agency_id,
        rule_set=data.rule_set,
        previous=previous,
        effective_on=data.effective_on,
        reason=data.reason,
        recorded_by=actor.subject,
    )
    session.add(entry)
    await session.flush()
    record_event(
        session,
        aggregate_type="agency",
        aggregate_id=agency_id,
        action="rule_set_changed",
        actor=actor,
        reason=data.reason,
        before={"rule_set": previous},
        after={"rule_set": data.rule_set, "effective_on": data.effective_on.isoformat()},
    )
    await session.commit()
    return await detail(session, agency, today)
