"""依申请公开: when an information-processing fee may be charged (国办函〔2020〕109号).

Runs through the requests app on both backends, with the notice tests' world (fake catalog,
settable today).
"""

from __future__ import annotations

from datetime import date, timedelta

from tests.test_requests_notices import NoticeWorld, world  # noqa: F401  (the fixture)

BY_PAGES = {"method": "by_pages", "pages": 120, "reason": "页数较多"}


async def test_on_site_inspection_is_never_charged_by_pages(world: NoticeWorld) -> None:  # noqa: F811
    inspection = (await world.apply(form="on_site", delivery="pickup"))["id"]
    refused = await world.act(inspection, "fee-notice", BY_PAGES, world.clerk())
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["field"] == "method"
    timeline = (await world.get(inspection, world.clerk(), "/timeline")).json()
    assert [e["action"] for e in timeline] == ["applied"]
    for form in ("paper", "electronic", "email"):
        app_id = (await world.apply(form=form))["id"]
        notice = await world.ok(app_id, "fee-notice", BY_PAGES, world.clerk(), 201)
        assert notice["amount"] == 1100


async def test_no_fee_notice_once_the_answer_limit_has_passed(world: NoticeWorld) -> None:  # noqa: F811
    app_id = (await world.apply())["id"]
    due = date.fromisoformat((await world.get(app_id, world.clerk())).json()["deadline"]["due"])
    world.clock.today = due + timedelta(days=1)
    late = await world.act(app_id, "fee-notice", BY_PAGES, world.clerk())
    assert late.status_code == 409, late.text
    assert late.json()["code"] == "fee_notice_after_deadline"
    assert (await world.get(app_id, world.clerk())).json()["state"] != "fee_notified"
    world.clock.today = due  # the last day still counts
    await world.ok(app_id, "fee-notice", BY_PAGES, world.clerk(), 201)
