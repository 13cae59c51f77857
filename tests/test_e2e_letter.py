"""End to end through real uvicorn processes: a letter from registration to partial disclosure, every
notice printed as a PDF through the gateway, its articles and remedies read back from the PDF."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta

import httpx
import pytest
from pypdf import PdfReader

from shared.calendar import local_date
from shared.db import utcnow
from shared.devrun import Cluster
from tests.test_e2e import agency_id, bearer, token
from tests.test_requests_lifecycle import APPROVER, body

pytestmark = pytest.mark.e2e
R = "《中华人民共和国政府信息公开条例》"
REVIEW = "《中华人民共和国行政复议法》"
PARTY = "青山建设工程有限公司"


def pdf_text(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    fonts = [
        str(ref.get_object()["/BaseFont"])
        for page in reader.pages
        for ref in page["/Resources"]["/Font"].values()
    ]
    assert any("Noto-Serif-CJK-SC" in f for f in fonts), fonts
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def test_a_clerk_takes_a_letter_to_partial_disclosure_and_prints_every_notice_as_pdf(
    cluster: Cluster,
) -> None:
    base = cluster.url()
    county, city = agency_id(base, "990121"), agency_id(base, "990100")
    county_name = httpx.get(f"{base}/api/v1/catalog/agencies/{county}").json()["name"]
    city_name = httpx.get(f"{base}/api/v1/catalog/agencies/{city}").json()["name"]
    today = local_date(utcnow())
    signed = today - timedelta(days=2)
    applicant = f"李{uuid.uuid4().hex[:4]}"  # unique: other tests share the cluster
    letter = {
        **body(agency_id=county, applicant_name=applicant, description="城关镇2025年低保资金发放明细"),
        "channel": "letter_registered",
        "signed_for_on": signed.isoformat(),
    }
    with httpx.Client(base_url=base, headers=bearer(token(base, "clerk1")), timeout=60) as clerk:

        def ok(method: str, url: str, status: int = 200, **kwargs: object) -> dict:
            response = clerk.request(method, url, **kwargs)  # type: ignore[arg-type]
            assert response.status_code == status, response.text
            return response.json()  # type: ignore[no-any-return]

        app_id = ok("POST", "/api/v1/requests/registrations", 201, json=letter)["id"]
        url = f"/api/v1/requests/{app_id}"
        items = [{"text": "请写明所需信息的年度"}, {"text": "请写明发放对象所在的村"}]
        ok("POST", f"{url}/correction-request", json={"items": items, "days": 10})
        # The correction came on paper: the clerk records the day it arrived (条例第三十条).
        ok(
            "POST",
            f"{url}/correction",
            json={"text": "2025年度，城关镇各村", "received_on": today.isoformat()},
        )
        consult = {"kind": "third_party", "party": PARTY, "reason": "发放明细含该公司代发的账户信息"}
        ok("POST", f"{url}/consultation", json=consult)
        ok("POST", f"{url}/consultation/end", json={"opinion": "不同意公开账户信息"})
        ok("POST", f"{url}/extension", json={"days": 5, "reason": "需要核对各村的数据", **APPROVER})
        partial = {
            "outcome": "partially_disclosed",
            "reason": "发放明细中的账户信息涉及第三方商业秘密",
            "legal_basis": "条例第三十七条",
            "disclosed": "各村发放户数与金额",
            "withheld": [{"item": "代发账户信息", "reason": "第三方不同意公开（条例第三十二条）"}],
        }
        ok("POST", f"{url}/decision", json=partial)

        listed = ok("GET", f"{url}/notices")
        assert [n["kind"] for n in listed] == [
            "receipt",
            "correction",
            "consultation",
            "extension",
            "decision",
        ]
        # One sequence for every kind: consecutive numbers of the county's year.
        numbers = [re.fullmatch(rf"{county_name}公开告〔(\d+)〕第 (\d+) 号", n["number"]) for n in listed]
        assert all(numbers) and {m[1] for m in numbers if m} == {str(today.year)}
        seqs = [int(m[2]) for m in numbers if m]
        assert seqs == list(range(seqs[0], seqs[0] + 5))
        assert all(n["issued_on"] == today.isoformat() for n in listed)

        texts = {n["kind"]: pdf_text(clerk.get(n["pdf_url"])) for n in listed}
        for n in listed:
            assert re.sub(r"\s", "", n["number"]) in texts[n["kind"]]
            assert f"{county_name}{today.isoformat()}" in texts[n["kind"]]  # signed and dated
        for kind in ("receipt", "correction", "extension", "decision"):
            assert f"{applicant}：" in texts[kind], kind
        assert applicant not in texts["consultation"] and f"{PARTY}：" in texts["consultation"]
        assert (
            f"{R}第三十一条第（二）项" in texts["receipt"]
            and f"收到日期为{signed.isoformat()}" in texts["receipt"]
        )
        assert f"{R}第三十三条" in texts["receipt"]
        assert f"{R}第三十条" in texts["correction"] and "请写明发放对象所在的村" in texts["correction"]
        assert f"{R}第三十二条" in texts["consultation"] and "15个工作日内" in texts["consultation"]
        assert f"{R}第三十三条第二款" in texts["extension"] and "延长5个工作日" in texts["extension"]
        decision = texts["decision"]
        assert f"{R}第三十六条第（三）项" in decision and f"{R}第三十七条" in decision
        assert "各村发放户数与金额" in decision and "代发账户信息" in decision
        # Partial disclosure withholds information: reconsideration first (行政复议法第二十三条).
        assert f"60日内向{city_name}申请行政复议" in decision
        assert f"{REVIEW}第二十三条第一款第（四）项" in decision and "应当先申请行政复议" in decision
        assert "6个月" not in decision
        assert pdf_text(clerk.get(f"{url}/notice.pdf")) == decision

    # The region's inspector prints them too, the applicant's name masked; another county's clerk cannot.
    inspector = bearer(token(base, "inspector"))
    masked = pdf_text(httpx.get(f"{base}{listed[-1]['pdf_url']}", headers=inspector, timeout=60))
    assert applicant not in masked and f"{applicant[0]}*" in masked
    other = bearer(token(base, "clerk2"))
    refused = httpx.get(f"{base}{listed[-1]['pdf_url']}", headers=other, timeout=60)
    assert refused.status_code == 404 and refused.headers["content-type"].startswith(
        "application/problem+json"
    )
