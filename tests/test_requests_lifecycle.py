"""依申请公开: applying, scope, masking and audited reads, the lifecycle and its clock, tracking.

Service tests run the requests app in process on a fresh database with a fake catalog (agency
paths) and a settable "today"; one end-to-end test goes through the real cluster.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from shared.devrun import Cluster
from shared.errors import InvalidField
from shared.personal_data import resident_id_check_digit
from tests.conftest import Tokens, _serve, create_database

URL = "/api/v1/requests"
# province 1 › city 2 › counties 3 (east) and 4 (west); another city 5.
PATHS = {1: "/1/", 2: "/1/2/", 3: "/1/2/3/", 4: "/1/2/4/", 5: "/1/5/"}
EAST, WEST = 3, 4
# 条例第三十三条第二款: an extension needs the consent of the head of the disclosure office.
APPROVER = {"approver_name": "王明", "approver_role": "政府信息公开办公室主任"}


def resident_id(first17: str = "11010519491231002") -> str:
    return first17 + resident_id_check_digit(first17)


def body(**extra: Any) -> dict[str, Any]:
    return {
        "agency_id": EAST,
        "applicant_type": "natural_person",
        "applicant_name": "张三丰",
        "id_type": "resident_id",
        "id_number": resident_id(),
        "phone": "13812345678",
        "email": "zhang@example.org",
        "address": "青山市东湖县城关镇人民路12号",
        "description": "2025年东湖县最低生活保障资金发放情况",
        "form": "electronic",
        "delivery": "email",
        **extra,
    }


class Clock:
    def __init__(self) -> None:
        self.today = date(2026, 11, 24)  # a Tuesday

    def __call__(self) -> date:
        return self.today


class World:
    def __init__(self, client: httpx.AsyncClient, tokens: Tokens, clock: Clock) -> None:
        self.client, self.tokens, self.clock = client, tokens, clock

    def citizen(self, sub: str = "5001") -> dict[str, str]:
        return self.tokens.header("public", sub=sub)

    def clerk(self, agency: int = EAST, sub: str = "101") -> dict[str, str]:
        return self.tokens.header("clerk", sub=sub, agency_id=agency)

    def inspector(self, region: int = 2) -> dict[str, str]:
        return self.tokens.header("inspector", sub="900", region_id=region)

    async def apply(self, who: str = "5001", **extra: Any) -> dict[str, Any]:
        response = await self.client.post(URL, json=body(**extra), headers=self.citizen(who))
        assert response.status_code == 201, response.text
        return response.json()

    async def act(
        self, app_id: int, route: str, data: dict[str, Any], headers: dict[str, str]
    ) -> httpx.Response:
        return await self.client.post(f"{URL}/{app_id}/{route}", json=data, headers=headers)

    async def get(self, app_id: int, headers: dict[str, str], suffix: str = "") -> httpx.Response:
        return await self.client.get(f"{URL}/{app_id}{suffix}", headers=headers)


@pytest.fixture
async def world(backend: str, tmp_path: Path, tokens: Tokens) -> AsyncIterator[World]:
    from services.requests.app import create_app
    from services.requests.settings import RequestsSettings

    async def lookup(agency_id: int) -> str:
        if agency_id not in PATHS:
            raise InvalidField("agency_id", f"机关 {agency_id} 不存在", code="agency_not_found")
        return PATHS[agency_id]

    url = await create_database(backend, tmp_path, "requests", schema="requests")
    app = create_app(RequestsSettings(database_url=url, environment="test"))
    clock = Clock()
    app.state.verifier = tokens.verifier()
    app.state.agency_lookup = lookup
    app.state.today = clock
    async for client in _serve(app, "http://requests"):
        yield World(client, tokens, clock)


async def test_apply_validates_the_resident_id_and_answers_a_tracking_number_and_code(world: World) -> None:
    receipt = await world.apply()
    assert receipt["tracking_no"].startswith("YSQ2026-") and len(receipt["query_code"]) == 10
    assert receipt["received_on"] == "2026-11-24" and receipt["due"] == "2026-12-22"
    bad = await world.client.post(URL, json=body(id_number="110105194912310021"), headers=world.citizen())
    if resident_id() == "110105194912310021":  # pragma: no cover - the check digit happens to be 1
        bad = await world.client.post(URL, json=body(id_number="110105194912310022"), headers=world.citizen())
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.id_number"
    unknown = await world.client.post(URL, json=body(agency_id=77), headers=world.citizen())
    assert unknown.status_code == 422 and unknown.json()["code"] == "agency_not_found"
    passport = await world.client.post(
        URL, json=body(id_type="passport", id_number="E12345678"), headers=world.citizen()
    )
    assert passport.status_code == 201
    staff = await world.client.post(URL, json=body(), headers=world.clerk())
    assert staff.status_code == 403


async def test_the_same_idempotency_key_gives_the_same_answer(world: World) -> None:
    headers = {**world.citizen(), "Idempotency-Key": "k-1"}
    first = await world.client.post(URL, json=body(), headers=headers)
    again = await world.client.post(URL, json=body(), headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    other_user = await world.client.post(
        URL, json=body(), headers={**world.citizen("5002"), "Idempotency-Key": "k-1"}
    )
    assert other_user.status_code == 201 and other_user.json()["id"] != first.json()["id"]
    changed = await world.client.post(URL, json=body(description="别的信息"), headers=headers)
    assert changed.status_code == 409 and changed.json()["code"] == "idempotency_key_reused"
    queue = await world.client.get(URL, headers=world.clerk())
    assert queue.json()["total"] == 2


async def test_scope_masking_and_the_audited_unmasked_read(world: World) -> None:
    receipt = await world.apply()
    app_id = receipt["id"]
    own = (await world.get(app_id, world.citizen())).json()
    assert own["applicant"]["id_number"] == resident_id() and own["applicant"]["masked"] is False
    clerk = (await world.get(app_id, world.clerk())).json()
    assert clerk["applicant"]["masked"] is True and clerk["applicant"]["name"] == "张**"
    assert clerk["applicant"]["id_number"] == resident_id()[:6] + "*" * 8 + resident_id()[-4:]
    assert clerk["applicant"]["phone"] == "138****5678" and clerk["deadline"]["flag"] == "none"
    inspector = await world.get(app_id, world.inspector())
    assert inspector.status_code == 200 and inspector.json()["applicant"]["masked"] is True
    for outsider in (world.clerk(WEST, "201"), world.inspector(5), world.citizen("5002")):
        assert (await world.get(app_id, outsider)).status_code == 404
        assert (await world.get(app_id, outsider, "/timeline")).status_code == 404
    assert (await world.get(app_id, world.tokens.header("admin"))).status_code == 403
    assert (await world.get(app_id, {})).status_code == 401
    assert (await world.client.get(URL, headers=world.clerk(WEST, "201"))).json()["total"] == 0
    assert (await world.client.get(URL, headers=world.inspector())).json()["total"] == 1
    assert (await world.client.get(URL, headers=world.inspector(5))).json()["total"] == 0
    listed = (await world.client.get(URL, headers=world.clerk())).json()["items"][0]
    assert listed["applicant_name"] == "张**" and listed["due"] == "2026-12-22"

    assert (await world.get(app_id, world.inspector(), "/personal-data")).status_code == 403
    assert (await world.get(app_id, world.clerk(WEST, "201"), "/personal-data")).status_code == 404
    unmasked = await world.get(app_id, world.clerk(), "/personal-data")
    assert unmasked.status_code == 200 and unmasked.json()["id_number"] == resident_id()
    from shared.audit import PersonalDataRead

    async with world.client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        reads = (await session.exec(select(PersonalDataRead))).all()
    assert {r.field for r in reads} == {"applicant_name", "id_number", "phone", "email", "address"}
    assert {(r.actor_id, r.record_id) for r in reads} == {("101", str(app_id))}


async def test_illegal_steps_are_409_naming_the_state_and_a_decision_closes_the_clock(world: World) -> None:
    app_id = (await world.apply())["id"]
    end = await world.act(app_id, "consultation/end", {"opinion": "无"}, world.clerk())
    assert end.status_code == 409 and "已登记" in end.json()["detail"]
    other = await world.act(
        app_id, "decision", {"outcome": "disclosed", "reason": "r", "legal_basis": "b"}, world.clerk(WEST)
    )
    assert other.status_code == 404
    decided = await world.act(
        app_id,
        "decision",
        {
            "outcome": "partially_disclosed",
            "reason": "部分涉及个人隐私",
            "legal_basis": "条例第三十七条",
            "disclosed": "发放总额与户数",
            "withheld": [{"item": "个人姓名", "reason": "个人隐私"}],
        },
        world.clerk(),
    )
    assert decided.status_code == 200, decided.text
    answer = decided.json()
    assert answer["state"] == "decided" and answer["outcome"] == "partially_disclosed"
    assert answer["deadline"]["flag"] == "closed" and answer["labels"]["outcome"].startswith("部分公开")
    again = await world.act(app_id, "withdrawal", {}, world.citizen())
    assert again.status_code == 409 and "已答复" in again.json()["detail"]
    timeline = (await world.get(app_id, world.citizen(), "/timeline")).json()
    assert [e["action"] for e in timeline] == ["applied", "decide"] and timeline[1]["actor_id"] is None
    assert timeline[1]["details"]["legal_basis"] == "条例第三十七条"


async def test_a_correction_restarts_the_clock_and_extensions_are_limited(world: World) -> None:
    app_id = (await world.apply())["id"]
    world.clock.today = date(2026, 11, 26)
    asked = await world.act(
        app_id, "correction-request", {"items": [{"text": "请写明文件名称"}], "days": 10}, world.clerk()
    )
    assert asked.status_code == 200, asked.text
    assert asked.json()["state"] == "correction_requested" and asked.json()["deadline"]["due"] is None
    twice = await world.act(
        app_id, "correction-request", {"items": [{"text": "再补"}], "days": 5}, world.clerk()
    )
    assert twice.status_code == 409
    world.clock.today = date(2026, 12, 1)
    corrected = await world.act(app_id, "correction", {"text": "东湖县2025年低保资金发放表"}, world.citizen())
    assert corrected.status_code == 200 and corrected.json()["state"] == "in_progress"
    assert corrected.json()["deadline"]["due"] == "2026-12-29"  # 20 working days from 12-01, not 12-22
    too_long = await world.act(
        app_id, "extension", {"days": 21, "reason": "需要汇总", **APPROVER}, world.clerk()
    )
    assert too_long.status_code == 422 and too_long.json()["code"] == "extension_too_long"
    extended = await world.act(
        app_id, "extension", {"days": 20, "reason": "需要汇总", **APPROVER}, world.clerk()
    )
    assert extended.status_code == 200 and extended.json()["state"] == "extended"
    assert extended.json()["deadline"]["due"] == "2027-01-27"  # 1 January (元旦) is a holiday
    more = await world.act(app_id, "extension", {"days": 1, "reason": "再延", **APPROVER}, world.clerk())
    assert more.status_code == 422
    paused = await world.act(
        app_id,
        "consultation",
        {"kind": "third_party", "party": "某公司", "reason": "涉及商业秘密"},
        world.clerk(),
    )
    assert paused.status_code == 200 and paused.json()["deadline"]["paused"] is True
    world.clock.today = date(2026, 12, 8)
    resumed = await world.act(app_id, "consultation/end", {"opinion": "不同意公开"}, world.clerk())
    assert resumed.json()["state"] == "extended"
    assert resumed.json()["deadline"]["due"] > "2027-01-26"  # the consultation was not counted


async def test_a_third_party_that_does_not_answer_pauses_the_clock_fifteen_working_days_only(
    world: World,
) -> None:
    # 条例第三十二条. Received Mon 10/12/2026, due 11/9 (10/13–16(1–4) 10/19–23(5–9) 10/26–30(10–14)
    # 11/2–6(15–19) 11/9(20)). Third party asked Fri 10/16; its 15 working days end 11/6
    # (10/19–23(1–5) 10/26–30(6–10) 11/2–6(11–15)); no reply: the clock runs again on 11/9, the 16th
    # working day, and the answer is due 11/9 + 15 = 11/30 (11/10–13 11/16–20 11/23–27 11/30).
    world.clock.today = date(2026, 10, 12)
    app_id = (await world.apply())["id"]
    world.clock.today = date(2026, 10, 16)
    start = {"kind": "third_party", "party": "某公司", "reason": "涉及商业秘密"}
    assert (await world.act(app_id, "consultation", start, world.clerk())).status_code == 200
    world.clock.today = date(2026, 10, 20)
    waiting = (await world.get(app_id, world.clerk())).json()["deadline"]
    assert waiting["paused"] is True and waiting["paused_until"] == "2026-11-06"
    assert waiting["due"] == "2026-11-30" and waiting["flag"] == "none"
    world.clock.today = date(2026, 11, 9)
    resumed = (await world.get(app_id, world.clerk())).json()
    assert resumed["state"] == "consultation"  # the clerk has not recorded the end yet
    assert resumed["deadline"]["paused"] is False and resumed["deadline"]["paused_until"] is None
    assert resumed["deadline"]["due"] == "2026-11-30" and resumed["deadline"]["working_days_left"] == 15
    world.clock.today = date(2026, 12, 1)
    late = (await world.get(app_id, world.clerk())).json()["deadline"]
    assert late["flag"] == "red" and late["due"] == "2026-11-30"
    # A reply recorded after the period changes nothing on the clock.
    ended = await world.act(app_id, "consultation/end", {"opinion": "逾期未答复"}, world.clerk())
    assert ended.status_code == 200, ended.text
    assert ended.json()["state"] == "in_progress" and ended.json()["deadline"]["due"] == "2026-11-30"


async def test_a_third_party_reply_within_its_period_ends_the_pause_on_that_day(world: World) -> None:
    # Same dates; the reply comes on day 3 of the period (Wed 10/21): 10/19–21 are not counted.
    world.clock.today = date(2026, 10, 12)
    app_id = (await world.apply())["id"]
    world.clock.today = date(2026, 10, 16)
    start = {"kind": "third_party", "party": "某公司", "reason": "涉及商业秘密"}
    assert (await world.act(app_id, "consultation", start, world.clerk())).status_code == 200
    world.clock.today = date(2026, 10, 21)
    ended = await world.act(app_id, "consultation/end", {"opinion": "不同意公开"}, world.clerk())
    assert ended.status_code == 200, ended.text
    assert ended.json()["deadline"]["due"] == "2026-11-12"  # 11/9 + 3: 11/10, 11/11, 11/12
    assert ended.json()["deadline"]["paused"] is False


async def test_late_correction_notice_refused_and_abandonment_after_the_period(world: World) -> None:
    app_id = (await world.apply())["id"]
    world.clock.today = date(2026, 12, 10)
    late = await world.act(app_id, "correction-request", {"items": [{"text": "x"}], "days": 5}, world.clerk())
    assert late.status_code == 422 and late.json()["code"] == "correction_window_closed"
    backdated = await world.act(
        app_id,
        "correction-request",
        {"items": [{"text": "x"}], "days": 2, "notified_on": "2026-11-25"},
        world.clerk(),
    )
    assert backdated.status_code == 200, backdated.text
    world.clock.today = date(2026, 11, 26)
    early = await world.act(app_id, "abandonment", {"reason": "逾期未补正"}, world.clerk())
    assert early.status_code == 409 and early.json()["code"] == "correction_period_running"
    world.clock.today = date(2026, 12, 10)
    done = await world.act(app_id, "abandonment", {"reason": "逾期未补正"}, world.clerk())
    assert done.status_code == 200 and done.json()["outcome"] == "other.no_correction"
    assert done.json()["state"] == "abandoned"


async def test_still_unclear_is_refused_until_a_correction_was_answered(world: World) -> None:
    # 年度报告格式（四）3 “补正后申请内容仍不明确”: only after a correction (条例第三十条).
    unclear = {"outcome": "unavailable.still_unclear", "reason": "仍不明确", "legal_basis": "条例第三十条"}
    app_id = (await world.apply())["id"]
    at_once = await world.act(app_id, "decision", unclear, world.clerk())
    assert at_once.status_code == 422, at_once.text
    assert at_once.headers["content-type"].startswith("application/problem+json")
    assert at_once.json()["code"] == "still_unclear_without_correction"
    assert [e["field"] for e in at_once.json()["errors"]] == ["body.outcome"]
    assert (await world.get(app_id, world.clerk())).json()["state"] == "registered"
    world.clock.today = date(2026, 11, 25)
    asked = await world.act(
        app_id, "correction-request", {"items": [{"text": "请写明文件名称"}], "days": 5}, world.clerk()
    )
    assert asked.status_code == 200, asked.text
    world.clock.today = date(2026, 11, 27)
    corrected = await world.act(app_id, "correction", {"text": "低保资金"}, world.citizen())
    assert corrected.status_code == 200, corrected.text
    decided = await world.act(app_id, "decision", unclear, world.clerk())
    assert decided.status_code == 200, decided.text
    assert decided.json()["outcome"] == "unavailable.still_unclear"


async def test_withdrawal_registration_and_tracking(world: World) -> None:
    receipt = await world.apply()
    app_id = receipt["id"]
    assert (await world.act(app_id, "withdrawal", {}, world.citizen("5002"))).status_code == 404
    withdrawn = await world.act(app_id, "withdrawal", {"reason": "不需要了"}, world.citizen())
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    tracked = await world.client.get(
        f"{URL}/track/{receipt['tracking_no']}", params={"code": receipt["query_code"]}
    )
    assert tracked.status_code == 200 and tracked.json()["state_label"] == "已撤回"
    wrong = await world.client.get(f"{URL}/track/{receipt['tracking_no']}", params={"code": "WRONGCODE2"})
    unknown = await world.client.get(f"{URL}/track/YSQ2026-NOSUCH00", params={"code": receipt["query_code"]})
    assert wrong.status_code == unknown.status_code == 404 and wrong.json() == {
        **unknown.json(),
        "instance": wrong.json()["instance"],
    }

    signed = (world.clock.today - timedelta(days=3)).isoformat()
    letter = {**body(), "channel": "letter_registered", "signed_for_on": signed}
    registered = await world.client.post(f"{URL}/registrations", json=letter, headers=world.clerk())
    assert registered.status_code == 201 and registered.json()["received_on"] == signed
    missing = await world.client.post(
        f"{URL}/registrations", json={**letter, "signed_for_on": None}, headers=world.clerk()
    )
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "body.signed_for_on"
    foreign = await world.client.post(f"{URL}/registrations", json=letter, headers=world.clerk(WEST))
    assert foreign.status_code == 403
    visit = await world.client.post(
        f"{URL}/registrations", json={**body(), "channel": "in_person"}, headers=world.clerk()
    )
    assert visit.json()["received_on"] == world.clock.today.isoformat()
    online = await world.client.post(
        f"{URL}/registrations", json={**body(), "channel": "online"}, headers=world.clerk()
    )
    assert online.status_code == 422
    reg_id = registered.json()["id"]
    assert (await world.get(reg_id, world.citizen())).status_code == 404  # registered on paper: no owner
    flagged = await world.client.get(URL, params={"flag": "red"}, headers=world.clerk())
    assert flagged.json()["total"] == 0
    soon = await world.client.get(URL, params={"due_before": "2026-12-31"}, headers=world.clerk())
    assert {i["id"] for i in soon.json()["items"]} == {reg_id, visit.json()["id"]}


def test_an_application_goes_through_the_cluster(cluster: Cluster) -> None:
    with httpx.Client(base_url=cluster.url("gateway"), timeout=30.0) as client:

        def login(username: str) -> dict[str, str]:
            response = client.post(
                "/api/v1/auth/token", data={"username": username, "password": "gongkai-demo"}
            )
            assert response.status_code == 200, response.text
            return {"Authorization": f"Bearer {response.json()['access_token']}"}

        agencies = client.get("/api/v1/catalog/agencies", params={"page_size": 100}).json()["items"]
        ids = {a["code"]: a["id"] for a in agencies}
        citizen, clerk1, clerk2, inspector = (login(u) for u in ("citizen", "clerk1", "clerk2", "inspector"))
        applied = client.post(URL, json=body(agency_id=ids["990121"]), headers=citizen)
        assert applied.status_code == 201, applied.text
        receipt = applied.json()
        queue = client.get(URL, headers=clerk1, params={"page_size": 100}).json()
        assert receipt["id"] in {i["id"] for i in queue["items"]}
        assert client.get(f"{URL}/{receipt['id']}", headers=clerk2).status_code == 404
        assert client.get(f"{URL}/{receipt['id']}", headers=inspector).status_code == 200
        decided = client.post(
            f"{URL}/{receipt['id']}/decision",
            json={"outcome": "disclosed", "reason": "予以公开", "legal_basis": "条例第三十六条第一项"},
            headers=clerk1,
        )
        assert decided.status_code == 200, decided.text
        tracked = client.get(f"{URL}/track/{receipt['tracking_no']}", params={"code": receipt["query_code"]})
        assert tracked.status_code == 200, tracked.text
        assert tracked.json()["outcome"] == "disclosed" and tracked.json()["outcome_label"] == "予以公开"


def test_work_is_assigned_only_to_a_working_clerk_of_the_agency(cluster: Cluster) -> None:
    """The gateway lists an agency's working clerks; the requests service asks it before assigning."""
    from shared.auth import SERVICE_TOKEN_HEADER
    from shared.settings import DEV_SERVICE_TOKEN

    colleagues = "/api/v1/auth/colleagues"
    with httpx.Client(base_url=cluster.url("gateway"), timeout=30.0) as client:

        def login(username: str, password: str = "gongkai-demo") -> dict[str, str]:
            response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
            assert response.status_code == 200, response.text
            return {"Authorization": f"Bearer {response.json()['access_token']}"}

        ids = {a["code"]: a["id"] for a in client.get("/api/v1/catalog/agencies").json()["items"]}
        east, west = ids["990121"], ids["990122"]
        citizen, clerk1, inspector, admin = (login(u) for u in ("citizen", "clerk1", "inspector", "admin"))
        temp = client.post(
            "/api/v1/admin/users",
            json={
                "username": f"temp-{uuid.uuid4().hex[:6]}",
                "password": "temp-passphrase-1",
                "display_name": "临时经办人",
                "role": "clerk",
                "agency_id": east,
            },
            headers=admin,
        )
        assert temp.status_code == 201, temp.text
        mine = client.get(colleagues, headers=clerk1)
        assert mine.status_code == 200, mine.text
        names = {c["username"]: c["id"] for c in mine.json()}
        assert {"clerk1", "reviewer1", temp.json()["username"]} <= set(names) and "clerk2" not in names
        assert client.get(colleagues, params={"agency_id": west}, headers=clerk1).status_code == 403
        assert client.get(colleagues, headers=citizen).status_code == 403
        missing = client.get(colleagues, headers=inspector)
        assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "body.agency_id"
        west_clerks = client.get(colleagues, params={"agency_id": west}, headers=inspector).json()
        assert [c["username"] for c in west_clerks] == ["clerk2"]
        served = client.get(
            colleagues, params={"agency_id": west}, headers={SERVICE_TOKEN_HEADER: DEV_SERVICE_TOKEN}
        )
        assert served.status_code == 200 and served.json() == west_clerks
        disabled = client.post(f"/api/v1/admin/users/{temp.json()['id']}/disable", headers=admin)
        assert disabled.status_code == 200, disabled.text
        assert temp.json()["username"] not in {
            c["username"] for c in client.get(colleagues, headers=clerk1).json()
        }

        applied = client.post(URL, json=body(agency_id=east), headers=citizen)
        assert applied.status_code == 201, applied.text
        assignment = f"{URL}/{applied.json()['id']}/assignment"
        for stranger in (west_clerks[0]["id"], temp.json()["id"], 999_999):  # other agency, disabled, nobody
            refused = client.post(
                assignment, json={"clerk_id": str(stranger), "reason": "分派"}, headers=clerk1
            )
            assert refused.status_code == 422, refused.text
            assert refused.json()["errors"][0]["field"] == "body.clerk_id"
        done = client.post(
            assignment, json={"clerk_id": str(names["reviewer1"]), "reason": "分派"}, headers=clerk1
        )
        assert done.status_code == 200, done.text
        assert done.json()["assigned_to"] == str(names["reviewer1"])


async def test_an_application_handed_in_person_is_received_the_day_it_was_handed_in(world: World) -> None:
    # 条例第三十一条: handed in person → received that day, even when a clerk registers it later.
    handed = date(2026, 11, 20)  # a Friday; registered on Tuesday 11-24
    visit = {**body(), "channel": "in_person", "received_on": handed.isoformat()}
    registered = await world.client.post(f"{URL}/registrations", json=visit, headers=world.clerk())
    assert registered.status_code == 201, registered.text
    assert registered.json()["received_on"] == "2026-11-20"
    assert registered.json()["due"] == "2026-12-18"  # 20 working days from 11-20, not from 11-24
    future = await world.client.post(
        f"{URL}/registrations", json={**visit, "received_on": "2026-11-25"}, headers=world.clerk()
    )
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "body.received_on"
    letter = {
        **body(),
        "channel": "letter_registered",
        "signed_for_on": "2026-11-20",
        "received_on": "2026-11-19",
    }
    mixed = await world.client.post(f"{URL}/registrations", json=letter, headers=world.clerk())
    assert mixed.status_code == 422 and mixed.json()["errors"][0]["field"] == "body.received_on"


# --- extension (条例第三十三条第二款) and a longer period for mass applications (第三十五条) ---------


async def test_an_extension_without_its_approving_head_is_refused_naming_the_field(world: World) -> None:
    app_id = (await world.apply())["id"]
    # Before: an extension was granted on a reason alone, with no record of who consented.
    missing = await world.act(app_id, "extension", {"days": 5, "reason": "需要汇总"}, world.clerk())
    assert missing.status_code == 422, missing.text
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert {e["field"] for e in missing.json()["errors"]} == {"body.approver_name", "body.approver_role"}
    no_days = await world.act(app_id, "extension", {"reason": "需要汇总", **APPROVER}, world.clerk())
    assert no_days.status_code == 422 and no_days.json()["errors"][0]["field"] == "body.days"
    assert (await world.get(app_id, world.clerk())).json()["state"] == "registered"


async def test_an_extension_issues_a_numbered_notice_naming_the_approver_and_the_new_due_date(
    world: World,
) -> None:
    app_id = (await world.apply())["id"]
    world.clock.today = date(2026, 12, 1)
    extended = await world.act(
        app_id, "extension", {"days": 5, "reason": "需要汇总多个科室的数据。", **APPROVER}, world.clerk()
    )
    assert extended.status_code == 200, extended.text
    assert extended.json()["deadline"]["due"] == "2026-12-29"  # 12/22 + 5 working days
    listed = await world.get(app_id, world.citizen(), "/extension-notices")
    assert listed.status_code == 200, listed.text
    [notice] = listed.json()
    assert notice["basis"] == "ordinary" and notice["legal_basis"].endswith("第三十三条第二款")
    assert notice["approver_name"] == "王明" and notice["approver_role"] == "政府信息公开办公室主任"
    assert notice["due_before"] == "2026-12-22" and notice["due_on"] == "2026-12-29"
    assert notice["issued_on"] == "2026-12-01" and notice["number"].endswith("第 1 号")
    assert notice["applicant_name"] == "张三丰"  # the applicant reads the real name
    page = await world.get(app_id, world.citizen(), f"/extension-notices/{notice['id']}.html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "延期答复告知书" in text and "张三丰" in text and "2026-12-29" in text
    assert "政府信息公开办公室主任 王明 同意" in text and "第三十三条第二款" in text
    assert "。。" not in text
    inspector = (await world.get(app_id, world.inspector(), "/extension-notices")).json()
    assert inspector[0]["applicant_name"] == "张**"
    other = await world.get(app_id, world.citizen("5002"), "/extension-notices")
    assert other.status_code == 404
    missing = await world.get(app_id, world.citizen(), f"/extension-notices/{notice['id'] + 1000}.html")
    assert missing.status_code == 404


async def test_mass_applications_allow_a_longer_period_to_the_day_the_agency_sets(world: World) -> None:
    app_id = (await world.apply())["id"]
    world.clock.today = date(2026, 12, 1)
    # Before: the only extension was 第三十三条's, so a longer period for mass applications was refused.
    ordinary = await world.act(
        app_id, "extension", {"days": 40, "reason": "大量申请", **APPROVER}, world.clerk()
    )
    assert ordinary.status_code == 422 and ordinary.json()["code"] == "extension_too_long"
    mass = {"basis": "mass_applications", "reason": "本月已提交 45 件申请，需逐件检索", **APPROVER}
    no_day = await world.act(app_id, "extension", mass, world.clerk())
    assert no_day.status_code == 422 and no_day.json()["errors"][0]["field"] == "body.until"
    with_days = await world.act(
        app_id, "extension", {**mass, "days": 5, "until": "2027-02-26"}, world.clerk()
    )
    assert with_days.status_code == 422 and with_days.json()["errors"][0]["field"] == "body.days"
    too_far = await world.act(app_id, "extension", {**mass, "until": "2027-06-30"}, world.clerk())
    assert too_far.status_code == 422 and too_far.json()["code"] == "longer_period_out_of_bounds"
    longer = await world.act(app_id, "extension", {**mass, "until": "2027-02-26"}, world.clerk())
    assert longer.status_code == 200, longer.text
    assert longer.json()["state"] == "extended" and longer.json()["deadline"]["due"] == "2027-02-26"
    # 第三十三条's 20 working days are still there (the longer period is not counted in them).
    assert longer.json()["deadline"]["extension_allowed_days"] == 20
    [notice] = (await world.get(app_id, world.clerk(), "/extension-notices")).json()
    assert notice["basis"] == "mass_applications" and notice["legal_basis"].endswith("第三十五条")
    assert notice["until"] == "2027-02-26" and notice["due_on"] == "2027-02-26"
    page = (await world.get(app_id, world.clerk(), f"/extension-notices/{notice['id']}.html")).text
    assert "第三十五条" in page and "明显超过合理范围" in page and "2027-02-26" in page
    timeline = (await world.get(app_id, world.clerk(), "/timeline")).json()
    extension = [e for e in timeline if e["action"] == "extend"]
    assert len(extension) == 1  # the one refused attempt wrote nothing


async def test_an_extension_after_the_due_date_is_still_refused(world: World) -> None:
    app_id = (await world.apply())["id"]
    world.clock.today = date(2026, 12, 23)  # due 12/22
    late = await world.act(app_id, "extension", {"days": 5, "reason": "需要汇总", **APPROVER}, world.clerk())
    assert late.status_code == 422 and late.json()["code"] == "extension_too_late"
    mass = {"basis": "mass_applications", "until": "2027-01-29", "reason": "大量申请", **APPROVER}
    late = await world.act(app_id, "extension", mass, world.clerk())
    assert late.status_code == 422 and late.json()["code"] == "extension_too_late"


async def test_a_clerk_records_a_correction_and_a_withdrawal_received_on_paper(world: World) -> None:
    # 条例第三十条: the clock restarts on the day the correction arrives, recorded by the clerk later.
    letter = {**body(), "channel": "letter_registered", "signed_for_on": "2026-11-24"}
    registered = await world.client.post(f"{URL}/registrations", json=letter, headers=world.clerk())
    app_id = registered.json()["id"]
    world.clock.today = date(2026, 11, 26)
    asked = await world.act(
        app_id, "correction-request", {"items": [{"text": "请写明文件名称"}], "days": 10}, world.clerk()
    )
    assert asked.status_code == 200, asked.text
    world.clock.today = date(2026, 12, 3)
    uploaded = await world.client.post(
        f"{URL}/{app_id}/correction/attachments",
        files={
            "file": ("补正信.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
        },
        headers=world.clerk(),
    )
    assert uploaded.status_code == 201, uploaded.text
    # in the future; before the application was received; before the correction notice was sent
    for wrong in ("2026-12-04", "2026-11-23", "2026-11-25"):
        refused = await world.act(
            app_id, "correction", {"text": "低保资金", "received_on": wrong}, world.clerk()
        )
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "body.received_on"
    assert refused.json()["code"] == "before_previous_step" and "2026-11-26" in refused.json()["detail"]
    corrected = await world.act(
        app_id,
        "correction",
        {"text": "东湖县2025年低保资金发放表", "received_on": "2026-12-01"},
        world.clerk(),
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["state"] == "in_progress"
    assert corrected.json()["deadline"]["due"] == "2026-12-29"  # 20 working days from 12-01, not 12-03
    files = (await world.get(app_id, world.clerk(), "/correction/attachments")).json()
    assert [f["submitted_at"] is not None for f in files] == [True]

    other = (await world.client.post(f"{URL}/registrations", json=letter, headers=world.clerk())).json()["id"]
    paper = {"reason": "来信撤回", "received_on": "2026-12-02"}
    # Not without the applicant's letter: a withdrawal nobody put in writing is not recorded.
    unwritten = await world.act(other, "withdrawal", paper, world.clerk())
    assert unwritten.status_code == 422 and unwritten.json()["code"] == "withdrawal_document_required"
    assert unwritten.json()["errors"][0]["field"] == "body.attachments"
    letter_pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    kept = await world.client.post(
        f"{URL}/{other}/withdrawal/attachments",
        files={"file": ("撤回信.pdf", letter_pdf, "application/pdf")},
        headers=world.clerk(),
    )
    assert kept.status_code == 201, kept.text
    assert kept.json()["url"] == f"{URL}/{other}/withdrawal/attachments/{kept.json()['id']}"
    withdrawn = await world.act(other, "withdrawal", paper, world.clerk())
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    timeline = (await world.get(other, world.clerk(), "/timeline")).json()
    assert timeline[-1]["action"] == "withdraw"
    [document] = (await world.get(other, world.clerk(), "/withdrawal/attachments")).json()
    assert document["filename"] == "撤回信.pdf" and document["submitted_at"] is not None
    assert (await world.get(other, world.clerk(), "/correction/attachments")).json() == []
    download = await world.client.get(document["url"], headers=world.clerk())
    assert download.status_code == 200 and download.content == letter_pdf

    online = (await world.apply())["id"]  # an online applicant acts online
    refused = await world.act(online, "withdrawal", {"received_on": "2026-12-02"}, world.clerk())
    assert refused.status_code == 403
