"""Who may call what: every route of the merged contract × every role, through the gateway.

One table (`MATRIX`) names the expected status of each (method, path) for each role; a second
test derives the route set from the code (`build_from_code()`), so a new route without a row
fails here by name. Each row has a request builder that would succeed for the allowed roles
(valid body, unique values, existing ids), so a 401/403 is about the caller and nothing else.

Semantics: no credential → 401, a role that is not allowed → 403, an allowed role → 2xx, and
every non-2xx answer is `application/problem+json`.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from shared.devrun import Cluster

PASSWORD = "gongkai-demo"
ROLES = ("anonymous", "public", "clerk", "inspector", "admin")
USERS = {"public": "citizen", "clerk": "clerk1", "inspector": "inspector", "admin": "admin"}
# Not a role of the matrix: a second clerk of clerk1's agency (990121), so that documents can go
# through the two-person review (the author may neither approve nor return their own document).
HELPERS = {"reviewer": "reviewer1"}
CATALOG = "/api/v1/catalog"
DOCUMENTS = f"{CATALOG}/documents"
DRAFT = {"title": "矩阵测试文件", "category": "general", "doc_type": "notice", "body_text": "矩阵测试正文"}
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
GUIDE = {
    "how_to_apply": "向本机关政府信息公开工作机构提出申请，可当面、邮寄或在线提交。",
    "office_address": "东湖县人民路 1 号",
    "office_hours": "工作日 9:00-17:00",
    "phone": "0571-88880000",
    "fees_note": "不收取费用。",
}
# Not part of the API surface the roles use: liveness/readiness probes.
INFRASTRUCTURE = {("GET", "/healthz"), ("GET", "/readyz")}
HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}
PROBLEM = "application/problem+json"


REPORT_WRITERS = {"anonymous": 401, "public": 403, "clerk": 200, "inspector": 403, "admin": 200}


LETTER_READERS = {"anonymous": 401, "public": 404, "clerk": 200, "inspector": 200, "admin": 403}


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: int) -> dict[str, int]:
    return {**dict.fromkeys(ROLES, status), "anonymous": 401}


def admin_only(status: int) -> dict[str, int]:
    return {"anonymous": 401, "public": 403, "clerk": 403, "inspector": 403, "admin": status}


def clerk_only(status: int) -> dict[str, int]:
    return {"anonymous": 401, "public": 403, "clerk": status, "inspector": 403, "admin": 403}


def staff_readers(status: int) -> dict[str, int]:
    """Clerks (their agency) and inspectors (their region) read internal records; admins do not."""
    return {"anonymous": 401, "public": 403, "clerk": status, "inspector": status, "admin": 403}


def public_only(status: int) -> dict[str, int]:
    """The applicant's own steps (a registered member of the public)."""
    return {"anonymous": 401, "public": status, "clerk": 403, "inspector": 403, "admin": 403}


def applicant_or_paper_clerk(status: int) -> dict[str, int]:
    """The applicant's step online, or the agency's clerk recording it for an application on paper."""
    return {"anonymous": 401, "public": status, "clerk": status, "inspector": 403, "admin": 403}


def application_readers(status: int) -> dict[str, int]:
    """An application: its applicant, the agency's clerks, the region's inspectors; not admins."""
    return {"anonymous": 401, "public": status, "clerk": status, "inspector": status, "admin": 403}


ROTATE = ("POST", "/api/v1/admin/keys/rotate")
APPLICATIONS = "/api/v1/requests"
APPLICATION = f"{APPLICATIONS}/{{application_id}}"
FEEDBACK = "/api/v1/feedback"
MESSAGES = f"{FEEDBACK}/messages"
MESSAGE = f"{MESSAGES}/{{case_id}}"
CONTACTS = f"{FEEDBACK}/contact-records"

MATRIX: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/.well-known/jwks.json"): everyone(200),
    ("POST", "/api/v1/auth/register"): everyone(201),
    ("POST", "/api/v1/auth/token"): everyone(200),
    # These two take the refresh token in the body; "anonymous" presents an invalid one.
    ("POST", "/api/v1/auth/refresh"): signed_in(200),
    ("POST", "/api/v1/auth/logout"): signed_in(204),
    ("GET", "/api/v1/auth/me"): signed_in(200),
    ("GET", "/api/v1/auth/colleagues"): {
        "anonymous": 401,
        "public": 403,
        "clerk": 200,
        "inspector": 200,
        "admin": 200,
    },
    ("GET", "/api/v1/admin/users"): admin_only(200),
    ("POST", "/api/v1/admin/users"): admin_only(201),
    ("POST", "/api/v1/admin/users/{user_id}/disable"): admin_only(200),
    ("POST", "/api/v1/admin/users/{user_id}/enable"): admin_only(200),
    ("POST", "/api/v1/admin/users/{user_id}/password"): admin_only(200),
    # Embedding sites of the search widget (CORS origins, API keys, limits) and the widget itself.
    ("GET", "/api/v1/admin/sites"): admin_only(200),
    ("POST", "/api/v1/admin/sites"): admin_only(201),
    ("PATCH", "/api/v1/admin/sites/{site_id}"): admin_only(200),
    ("POST", "/api/v1/admin/sites/{site_id}/rotate-key"): admin_only(200),
    ("GET", "/widget/search.js"): everyone(200),
    ("GET", "/widget/site"): everyone(200),
    ("GET", "/api/v1/catalog/agencies"): everyone(200),
    ("POST", "/api/v1/catalog/agencies"): admin_only(201),
    ("GET", "/api/v1/catalog/agencies/{agency_id}"): everyone(200),
    ("PATCH", "/api/v1/catalog/agencies/{agency_id}"): admin_only(200),
    ("PUT", "/api/v1/catalog/agencies/{agency_id}/rule-set"): admin_only(200),
    # Catalog: vocabulary and search settings (public reads, admin writes).
    ("GET", "/api/v1/catalog/vocabulary"): everyone(200),
    ("POST", "/api/v1/catalog/vocabulary/categories"): admin_only(201),
    ("POST", "/api/v1/catalog/vocabulary/doc-types"): admin_only(201),
    ("GET", "/api/v1/catalog/search"): everyone(200),
    ("GET", "/api/v1/catalog/search/suggest"): everyone(200),
    ("GET", "/api/v1/catalog/search/synonyms"): admin_only(200),
    ("PUT", "/api/v1/catalog/search/synonyms"): admin_only(200),
    # Search analytics: anyone reports a click on a result (nothing about who); admins read the report.
    ("POST", "/api/v1/catalog/search/clicks"): everyone(204),
    ("GET", "/api/v1/catalog/search/report"): admin_only(200),
    # Catalog: documents as the public sees them.
    ("GET", "/api/v1/catalog/documents"): everyone(200),
    ("GET", "/api/v1/catalog/documents/{document_id}"): everyone(200),
    ("GET", "/api/v1/catalog/attachments/{attachment_id}"): everyone(200),
    ("GET", "/api/v1/catalog/agencies/{agency_id}/guide"): everyone(200),
    ("GET", "/api/v1/catalog/agencies/{agency_id}/catalog"): everyone(200),
    # Catalog: the publication workflow, by the clerks of the document's agency.
    ("POST", "/api/v1/catalog/documents"): clerk_only(201),
    ("PATCH", "/api/v1/catalog/documents/{document_id}"): clerk_only(200),
    # Migration from the previous system: an admin brings over documents published there.
    ("POST", "/api/v1/catalog/documents/import"): admin_only(201),
    ("POST", "/api/v1/catalog/documents/{document_id}/attachments"): clerk_only(201),
    ("POST", "/api/v1/catalog/documents/{document_id}/submit"): clerk_only(200),
    ("POST", "/api/v1/catalog/documents/{document_id}/approve"): clerk_only(200),
    ("POST", "/api/v1/catalog/documents/{document_id}/return"): clerk_only(200),
    ("POST", "/api/v1/catalog/documents/{document_id}/amend"): clerk_only(201),
    # An amendment goes live only when a clerk other than its author approves it (保密审查).
    ("POST", "/api/v1/catalog/documents/{document_id}/amendments/{amendment_id}/approve"): clerk_only(200),
    ("POST", "/api/v1/catalog/documents/{document_id}/amendments/{amendment_id}/return"): clerk_only(200),
    ("POST", "/api/v1/catalog/documents/{document_id}/validity"): clerk_only(200),
    ("POST", "/api/v1/catalog/documents/{document_id}/revoke"): clerk_only(200),
    ("PUT", "/api/v1/catalog/agencies/{agency_id}/guide"): clerk_only(200),
    # Catalog: internal records (clerks of the agency, inspectors of its region).
    ("GET", "/api/v1/catalog/documents/late"): staff_readers(200),
    ("GET", "/api/v1/catalog/documents/{document_id}/versions"): staff_readers(200),
    ("GET", "/api/v1/catalog/documents/{document_id}/amendments"): staff_readers(200),
    ("GET", "/api/v1/catalog/documents/{document_id}/personal-data"): staff_readers(200),
    ("GET", "/api/v1/catalog/documents/{document_id}/history"): staff_readers(200),
    ("GET", "/api/v1/feedback/vocabulary"): everyone(200),
    ("GET", "/api/v1/requests/outcomes"): everyone(200),
    # 依申请公开: citizens apply and act on their own applications; clerks of the agency handle them.
    ("POST", APPLICATIONS): public_only(201),
    ("POST", f"{APPLICATIONS}/registrations"): clerk_only(201),
    ("GET", APPLICATIONS): staff_readers(200),
    ("GET", f"{APPLICATIONS}/track/{{tracking_no}}"): everyone(200),
    ("GET", APPLICATION): application_readers(200),
    ("GET", f"{APPLICATION}/timeline"): application_readers(200),
    ("GET", f"{APPLICATION}/personal-data"): clerk_only(200),
    ("POST", f"{APPLICATION}/correction-request"): clerk_only(200),
    ("POST", f"{APPLICATION}/correction"): applicant_or_paper_clerk(200),
    # Files sent with a correction: the applicant uploads them; whoever reads the application downloads.
    ("POST", f"{APPLICATION}/correction/attachments"): public_only(201),
    ("GET", f"{APPLICATION}/correction/attachments"): application_readers(200),
    ("GET", f"{APPLICATION}/correction/attachments/{{attachment_id}}"): application_readers(200),
    ("POST", f"{APPLICATION}/consultation"): clerk_only(200),
    ("POST", f"{APPLICATION}/consultation/end"): clerk_only(200),
    ("POST", f"{APPLICATION}/extension"): clerk_only(200),
    ("POST", f"{APPLICATION}/decision"): clerk_only(200),
    ("POST", f"{APPLICATION}/referral"): clerk_only(200),
    ("POST", f"{APPLICATION}/withdrawal"): applicant_or_paper_clerk(200),
    # The letter of a withdrawal received on paper: the clerk keeps it; readers of the application read
    # it (the one file exists on a paper application, which no citizen account owns).
    ("POST", f"{APPLICATION}/withdrawal/attachments"): clerk_only(201),
    ("GET", f"{APPLICATION}/withdrawal/attachments"): application_readers(200),
    ("GET", f"{APPLICATION}/withdrawal/attachments/{{attachment_id}}"): {
        "anonymous": 401,
        "public": 404,
        "clerk": 200,
        "inspector": 200,
        "admin": 403,
    },
    ("POST", f"{APPLICATION}/abandonment"): clerk_only(200),
    # The decision notice (告知书) is read like the application; fees and assignment are the clerks'.
    ("GET", f"{APPLICATION}/notice"): application_readers(200),
    ("GET", f"{APPLICATION}/notice.html"): application_readers(200),
    ("GET", f"{APPLICATION}/extension-notices"): application_readers(200),
    ("GET", f"{APPLICATION}/extension-notices/{{notice_id}}.html"): application_readers(200),
    # Every notice of the application (登记回执 … 答复告知书), as a page and as a PDF: read the same way.
    ("GET", f"{APPLICATION}/notice.pdf"): application_readers(200),
    ("GET", f"{APPLICATION}/notices"): application_readers(200),
    ("GET", f"{APPLICATION}/notices/{{notice_id}}.html"): application_readers(200),
    ("GET", f"{APPLICATION}/notices/{{notice_id}}.pdf"): application_readers(200),
    ("POST", f"{APPLICATION}/fee-notice"): clerk_only(201),
    ("POST", f"{APPLICATION}/fee-receipt"): clerk_only(200),
    ("POST", f"{APPLICATION}/fee-relief"): clerk_only(200),
    ("POST", f"{APPLICATION}/fee-paid"): clerk_only(200),
    ("POST", f"{APPLICATION}/assignment"): clerk_only(200),
    # Reconsiderations and lawsuits about an application: the agency's clerks record, inspectors read.
    ("POST", f"{APPLICATION}/review-cases"): clerk_only(201),
    ("PATCH", f"{APPLICATIONS}/review-cases/{{case_id}}"): clerk_only(200),
    ("GET", f"{APPLICATION}/review-cases"): staff_readers(200),
    # The annual report: a clerk on their agency, an inspector on their region, an admin on any.
    ("GET", f"{APPLICATIONS}/reports/annual"): {
        "anonymous": 401,
        "public": 403,
        "clerk": 200,
        "inspector": 200,
        "admin": 200,
    },
    # Its written sections and its publication in the catalog: the agency's clerks, or an admin.
    ("PUT", f"{APPLICATIONS}/reports/annual/{{agency_id}}/{{year}}/texts"): REPORT_WRITERS,
    ("POST", f"{APPLICATIONS}/reports/annual/{{agency_id}}/{{year}}/publication"): REPORT_WRITERS,
    # Fee totals: the annual report's scope rule.
    ("GET", f"{APPLICATIONS}/fees/totals"): {
        "anonymous": 401,
        "public": 403,
        "clerk": 200,
        "inspector": 200,
        "admin": 200,
    },
    # 意见箱: the public writes (signed in, or anonymously for suggestions and reports); staff may
    # not post as the public (they record calls, letters and visits instead).
    ("POST", MESSAGES): {"anonymous": 201, "public": 201, "clerk": 403, "inspector": 403, "admin": 403},
    # A case: its sender, the clerks of its agency, the inspectors of its region (others 404); not admins.
    ("GET", MESSAGES): application_readers(200),
    ("GET", MESSAGE): application_readers(200),
    ("GET", f"{MESSAGE}/timeline"): application_readers(200),
    # The sender's identity unmasked: the case's handler (a clerk) and inspectors, every read audited.
    ("GET", f"{MESSAGE}/personal-data"): staff_readers(200),
    # Handling is the clerk's (首问负责); an inspector may also reassign within the region.
    ("POST", f"{MESSAGE}/take"): clerk_only(200),
    ("POST", f"{MESSAGE}/hand-over"): staff_readers(200),
    ("POST", f"{MESSAGE}/extension"): clerk_only(200),
    ("POST", f"{MESSAGE}/reply"): clerk_only(200),
    ("POST", f"{MESSAGE}/close"): clerk_only(200),
    ("POST", f"{MESSAGE}/return-visit"): clerk_only(200),
    ("POST", f"{MESSAGE}/publication"): clerk_only(201),
    ("POST", f"{MESSAGE}/rating"): public_only(200),
    # Files: added by the sender or the handler while the case is open, read by whoever reads the case.
    ("POST", f"{MESSAGE}/attachments"): {
        "anonymous": 401,
        "public": 201,
        "clerk": 201,
        "inspector": 403,
        "admin": 403,
    },
    ("GET", f"{MESSAGE}/attachments/{{attachment_id}}"): application_readers(200),
    ("POST", f"{FEEDBACK}/track/{{tracking_no}}/attachments"): everyone(201),
    # Tracking number and query code: whoever holds them (anonymous senders and callers too).
    ("GET", f"{FEEDBACK}/track/{{tracking_no}}"): everyone(200),
    ("POST", f"{FEEDBACK}/track/{{tracking_no}}/rating"): everyone(200),
    # 信访: 不予受理 is the clerk's decision; its notice (and a reply's 办理意见书) is read like the case.
    # Letters are recorded by clerks, so the public member is not their sender (404): senders read
    # their notices, and ask for 复查/复核, with the tracking number and the query code.
    ("POST", f"{MESSAGE}/refusal"): clerk_only(200),
    ("GET", f"{MESSAGE}/notices"): LETTER_READERS,
    ("GET", f"{MESSAGE}/notices/{{notice_id}}.html"): LETTER_READERS,
    ("GET", f"{MESSAGE}/notices/{{notice_id}}.pdf"): LETTER_READERS,
    ("GET", f"{FEEDBACK}/track/{{tracking_no}}/notices/{{notice_id}}.html"): everyone(200),
    ("GET", f"{FEEDBACK}/track/{{tracking_no}}/notices/{{notice_id}}.pdf"): everyone(200),
    ("POST", f"{FEEDBACK}/track/{{tracking_no}}/review"): everyone(201),
    # Calls, letters and visits, recorded by the receiving agency's clerks.
    ("POST", CONTACTS): clerk_only(201),
    ("GET", CONTACTS): staff_readers(200),
    ("GET", f"{CONTACTS}/{{record_id}}"): staff_readers(200),
    # Replies published with the sender's consent (masked): public.
    ("GET", f"{FEEDBACK}/replies"): everyone(200),
    ("GET", f"{FEEDBACK}/replies/{{reply_id}}"): everyone(200),
    # 电子监察: statistics for clerks (their agency), inspectors (their region) and admins (any).
    ("GET", f"{FEEDBACK}/stats"): {
        "anonymous": 401,
        "public": 403,
        "clerk": 200,
        "inspector": 200,
        "admin": 200,
    },
    # Yellow and red items: each service's own list, and the gateway's merge of them.
    ("GET", f"{FEEDBACK}/supervision/overdue"): staff_readers(200),
    ("GET", f"{APPLICATIONS}/supervision/overdue"): staff_readers(200),
    ("GET", "/api/v1/supervision/overdue"): staff_readers(200),
    # The holiday calendar (served by the requests service): staff read, admins write.
    ("GET", "/api/v1/admin/calendar"): {
        "anonymous": 401,
        "public": 403,
        "clerk": 200,
        "inspector": 200,
        "admin": 200,
    },
    ("PUT", "/api/v1/admin/calendar/{year}"): admin_only(200),
    ("DELETE", "/api/v1/admin/calendar/{year}"): admin_only(200),
    # Last on purpose: every later login in the session is signed with the new key.
    ROTATE: admin_only(200),
}


@cache
def contract_operations() -> frozenset[tuple[str, str]]:
    """(METHOD, path) of every operation in the merged contract computed from the code."""
    from gateway.openapi import build_from_code

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:  # building the apps reconfigures logging; leave pytest's handlers as they were
        spec = build_from_code()
    finally:
        root.handlers[:], root.level = handlers, level
    return frozenset(
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in HTTP_METHODS
    )


def test_every_route_of_the_contract_has_a_matrix_row() -> None:
    routes = contract_operations() - INFRASTRUCTURE
    missing = sorted(routes - MATRIX.keys())
    stale = sorted(MATRIX.keys() - routes)
    assert not missing, "routes without an authorization matrix row: " + ", ".join(
        f"{m} {p}" for m, p in missing
    )
    assert not stale, "matrix rows for routes that no longer exist: " + ", ".join(
        f"{m} {p}" for m, p in stale
    )
    assert all(set(expected) == set(ROLES) for expected in MATRIX.values())
    assert REQUESTS.keys() == MATRIX.keys()


# --- the cluster, as each role sees it ---------------------------------------------------------

_TOKENS: dict[str, dict[str, str]] = {}  # cluster url → role → access token (valid 15 minutes)
_STATE: dict[str, dict[str, Any]] = {}  # cluster url → ids looked up / created once


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def login(client: httpx.Client, username: str) -> dict[str, Any]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()


def claims_of(access_token: str) -> dict[str, Any]:
    payload = access_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@dataclass
class Env:
    client: httpx.Client
    tokens: dict[str, str]
    state: dict[str, Any]

    def auth(self, role: str) -> dict[str, str]:
        if role == "anonymous":
            return {}
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def ok(self, response: httpx.Response, *statuses: int) -> dict[str, Any]:
        assert response.status_code in statuses, f"setup failed: {response.request.url} {response.text}"
        return response.json() if response.content else {}

    def throwaway_user(self, *, disabled: bool = False) -> int:
        """A fresh public account, so no demo user (nor the admin) is ever disabled or reset."""
        name = unique("mx_")
        user = self.ok(
            self.client.post(
                "/api/v1/auth/register",
                json={"username": name, "password": PASSWORD, "display_name": "矩阵测试用户"},
            ),
            201,
        )
        if disabled:
            self.ok(
                self.client.post(f"/api/v1/admin/users/{user['id']}/disable", headers=self.auth("admin")), 200
            )
        return user["id"]

    def throwaway_agency(self) -> int:
        """A province of its own (outside the demo tree), created once per cluster."""
        if "throwaway_agency" not in self.state:
            created = self.ok(
                self.client.post(
                    "/api/v1/catalog/agencies",
                    headers=self.auth("admin"),
                    json={"code": unique("MX"), "name": "矩阵测试省", "level": "province"},
                ),
                201,
            )
            self.state["throwaway_agency"] = created["id"]
        return self.state["throwaway_agency"]

    def throwaway_site(self) -> int:
        """An embedding site of a made-up origin, created once per cluster."""
        return self.once(
            "site",
            lambda: self.ok(
                self.client.post("/api/v1/admin/sites", headers=self.auth("admin"), json=_site_body()), 201
            )["id"],
        )

    def refresh_token(self, role: str) -> str:
        if role == "anonymous":
            return f"{uuid.uuid4().hex}.not-a-real-secret"
        return login(self.client, USERS[role])["refresh_token"]

    # Documents of agency 990121, whose clerks are clerk1 ("clerk") and reviewer1 ("reviewer").

    def once(self, name: str, make: Callable[[], Any]) -> Any:
        """A setup object shared by every role and row of this cluster (for reads and edits that
        leave it in the same state)."""
        if name not in self.state:
            self.state[name] = make()
        return self.state[name]

    def draft(self, author: str = "clerk") -> int:
        return self.ok(self.client.post(DOCUMENTS, headers=self.auth(author), json=DRAFT), 201)["id"]

    def submit(self, document_id: int, by: str) -> None:
        self.ok(self.client.post(f"{DOCUMENTS}/{document_id}/submit", headers=self.auth(by)), 200)

    def in_review(self) -> int:
        """Written and submitted by reviewer1, so clerk1, a second person, may approve or return it."""
        document_id = self.draft("reviewer")
        self.submit(document_id, "reviewer")
        return document_id

    def upload(self, document_id: int) -> int:
        response = self.client.post(
            f"{DOCUMENTS}/{document_id}/attachments",
            headers=self.auth("clerk"),
            files={"file": ("a.pdf", PDF, "application/pdf")},
        )
        return self.ok(response, 201)["id"]

    def published(self, *, with_attachment: bool = False) -> int:
        """clerk1 drafts (and attaches) and submits, reviewer1 approves: published, public."""
        document_id = self.draft("clerk")
        if with_attachment:
            self.state["attachment"] = self.upload(document_id)
        self.submit(document_id, "clerk")
        approval = self.client.post(
            f"{DOCUMENTS}/{document_id}/approve",
            headers=self.auth("reviewer"),
            json={"confidentiality_checked": True},
        )
        assert self.ok(approval, 200)["status"] == "published"
        return document_id

    def shared_published(self) -> int:
        return self.once("published", lambda: self.published(with_attachment=True))

    def pending_amendment(self) -> str:
        """A published document with an amendment proposed by reviewer1, for clerk1 to review."""
        document_id = self.published()
        response = self.client.post(
            f"{DOCUMENTS}/{document_id}/amend",
            headers=self.auth("reviewer"),
            json={"title": unique("矩阵测试文件（待审修订）"), "reason": "矩阵测试修订"},
        )
        return f"{document_id}/amendments/{self.ok(response, 201)['id']}"

    def shared_attachment(self) -> int:
        self.shared_published()
        return self.state["attachment"]

    def shared_draft(self) -> int:
        return self.once("draft", self.draft)

    def guide(self) -> int:
        """Agency 990121, with a guide written by clerk1."""
        agency_id = self.state["agencies"]["990121"]
        self.once(
            "guide",
            lambda: self.ok(
                self.client.put(
                    f"{CATALOG}/agencies/{agency_id}/guide", headers=self.auth("clerk"), json=GUIDE
                ),
                200,
            ),
        )
        return agency_id

    # Applications to agency 990121 by "citizen", handled by clerk1.

    def applied(self) -> dict[str, Any]:
        response = self.client.post(APPLICATIONS, headers=self.auth("public"), json=application_body(self))
        return self.ok(response, 201)

    def application(self, state: str = "registered") -> int:
        application_id = self.applied()["id"]
        clerk = self.auth("clerk")
        if state == "correction_requested":
            body = {"items": [{"text": "矩阵测试：请写明文件名称"}], "days": 10}
            url = f"{APPLICATIONS}/{application_id}/correction-request"
            self.ok(self.client.post(url, headers=clerk, json=body), 200)
        elif state == "consultation":
            body = {"kind": "other_agency", "party": "青山市民政局", "reason": "矩阵测试：征求意见"}
            url = f"{APPLICATIONS}/{application_id}/consultation"
            self.ok(self.client.post(url, headers=clerk, json=body), 200)
        return application_id

    def shared_application(self) -> int:
        return self.once("application", self.application)

    def abandonable(self) -> int:
        """A letter signed for a month ago; a correction asked for the next day, 1 working day given."""
        signed = shanghai_today() - timedelta(days=30)
        letter = {
            **application_body(self),
            "channel": "letter_registered",
            "signed_for_on": signed.isoformat(),
        }
        clerk = self.auth("clerk")
        receipt = self.ok(self.client.post(f"{APPLICATIONS}/registrations", headers=clerk, json=letter), 201)
        notice = {"items": [{"text": "矩阵测试：请写明文件名称"}], "days": 1}
        notice["notified_on"] = (signed + timedelta(days=1)).isoformat()
        url = f"{APPLICATIONS}/{receipt['id']}/correction-request"
        self.ok(self.client.post(url, headers=clerk, json=notice), 200)
        return receipt["id"]

    # Feedback cases at agency 990121: "citizen" writes, clerk1 takes and handles them.

    def message(self, *, anonymous: bool = False) -> dict[str, Any]:
        """A fresh message of the citizen (or of nobody): its receipt (id, tracking_no, query_code)."""
        headers = {} if anonymous else self.auth("public")
        response = self.client.post(MESSAGES, headers=headers, json=message_body(self, anonymous=anonymous))
        return self.ok(response, 201)

    def case(self, state: str = "received") -> dict[str, Any]:
        """A fresh complaint of the citizen brought to `state` (received, assigned, replied, closed)
        by clerk1; its receipt."""
        receipt = self.message()
        clerk, url = self.auth("clerk"), f"{MESSAGES}/{receipt['id']}"
        steps = [
            ("take", {"level": "own_authority"}),
            ("reply", {"reply": "矩阵测试：答复内容"}),
            ("close", {"note": "矩阵测试：办结"}),
        ]
        for action, body in steps[: ("received", "assigned", "replied", "closed").index(state)]:
            self.ok(self.client.post(f"{url}/{action}", headers=clerk, json=body), 200)
        return receipt

    def case_id(self, state: str = "received") -> int:
        return self.case(state)["id"]

    def shared_case(self) -> int:
        """Taken by clerk1 (its handler, who may see the sender), shared by the reads."""
        return self.once("feedback_case", lambda: self.case_id("assigned"))

    def shared_case_attachment(self) -> str:
        """A file the citizen added to the shared case: its download URL."""

        def make() -> str:
            url = f"{MESSAGES}/{self.shared_case()}/attachments"
            files = {"file": ("photo.pdf", PDF, "application/pdf")}
            return self.ok(self.client.post(url, headers=self.auth("public"), files=files), 201)["url"]

        return self.once("feedback_attachment", make)

    def letter(self) -> int:
        """A letter recorded by clerk1 as a case and taken (信访: extensions apply)."""
        record = {
            **contact_body(),
            "channel": "letter",
            "disposition": "case_opened",
            "subject": "矩阵测试来信",
        }
        record.pop("duration_seconds")
        receipt = self.ok(self.client.post(CONTACTS, headers=self.auth("clerk"), json=record), 201)
        case_id = receipt["case"]["id"]
        self.ok(self.client.post(f"{MESSAGES}/{case_id}/take", headers=self.auth("clerk"), json={}), 200)
        return case_id

    def letter_receipt(self, state: str = "received") -> dict[str, Any]:
        """A letter recorded by clerk1 as a case (its receipt, with the query code), then refused by
        clerk1 (不予受理) or taken and answered (its 办理意见书) when `state` says so."""
        record = {
            **contact_body(),
            "channel": "letter",
            "disposition": "case_opened",
            "subject": "矩阵测试来信",
        }
        record.pop("duration_seconds")
        case = self.ok(self.client.post(CONTACTS, headers=self.auth("clerk"), json=record), 201)["case"]
        clerk, url = self.auth("clerk"), f"{MESSAGES}/{case['id']}"
        if state == "refused":
            refusal = {"reason": "not_competent", "text": "矩阵测试：不属于本机关职权范围"}
            self.ok(self.client.post(f"{url}/refusal", headers=clerk, json=refusal), 200)
        elif state == "replied":
            self.ok(self.client.post(f"{url}/take", headers=clerk, json={}), 200)
            self.ok(
                self.client.post(f"{url}/reply", headers=clerk, json={"reply": "矩阵测试：办理意见"}), 200
            )
        return case

    def shared_refusal(self) -> tuple[dict[str, Any], int]:
        """A refused letter's receipt and the id of its 不予受理告知书, shared by the reads."""

        def make() -> tuple[dict[str, Any], int]:
            case = self.letter_receipt("refused")
            listed = self.ok(
                self.client.get(f"{MESSAGES}/{case['id']}/notices", headers=self.auth("clerk")), 200
            )
            return case, listed[0]["id"]

        return self.once("refused_letter", make)

    def shared_contact(self) -> int:
        return self.once(
            "contact_record",
            lambda: self.ok(self.client.post(CONTACTS, headers=self.auth("clerk"), json=contact_body()), 201)[
                "record"
            ]["id"],
        )

    def shared_published_reply(self) -> int:
        def make() -> int:
            url = f"{MESSAGES}/{self.case_id('replied')}/publication"
            return self.ok(self.client.post(url, headers=self.auth("clerk"), json={}), 201)["id"]

        return self.once("published_reply", make)


@pytest.fixture(scope="module")
def gateway_client(cluster: Cluster) -> Iterator[httpx.Client]:
    """One client for the module's rows: building an httpx client (its TLS context) costs ~50 ms."""
    with httpx.Client(base_url=cluster.url("gateway"), timeout=30.0) as client:
        yield client


@pytest.fixture
def env(cluster: Cluster, gateway_client: httpx.Client) -> Iterator[Env]:
    base = cluster.url("gateway")
    client = gateway_client
    tokens = _TOKENS.get(base)
    if tokens is None:
        tokens = _TOKENS[base] = {
            role: login(client, user)["access_token"] for role, user in {**USERS, **HELPERS}.items()
        }
    state = _STATE.setdefault(base, {})
    if "agencies" not in state:
        listed = client.get("/api/v1/catalog/agencies", params={"page_size": 100})
        assert listed.status_code == 200, listed.text
        state["agencies"] = {a["code"]: a["id"] for a in listed.json()["items"]}
        users = client.get(
            "/api/v1/admin/users",
            params={"page_size": 100},
            headers={"Authorization": f"Bearer {tokens['admin']}"},
        )
        assert users.status_code == 200, users.text
        state["users"] = {u["username"]: u["id"] for u in users.json()["items"]}
    yield Env(client=client, tokens=tokens, state=state)


# --- one request per row that the allowed roles would get a 2xx for ----------------------------

Builder = Callable[[Env, str], dict[str, Any]]


def _plain(path: str) -> Builder:
    return lambda env, role: {"url": path, "headers": env.auth(role)}


def _site_status(env: Env, role: str) -> dict[str, Any]:
    """Asked from a registered site's page: 200 whoever asks (the widget sends no token)."""
    origin = env.once(
        "site_origin",
        lambda: env.ok(
            env.client.post("/api/v1/admin/sites", headers=env.auth("admin"), json=_site_body()), 201
        )["origin"],
    )
    return {"url": "/widget/site", "headers": {**env.auth(role), "Origin": origin}}


def _register(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": "/api/v1/auth/register",
        "headers": env.auth(role),
        "json": {
            "username": unique("mx_"),
            "password": PASSWORD,
            "display_name": "矩阵测试",
            "account_type": "person",
        },
    }


def _token(env: Env, role: str) -> dict[str, Any]:
    user = USERS.get(role, "citizen")  # anonymous: anyone may log in
    return {
        "url": "/api/v1/auth/token",
        "headers": env.auth(role),
        "data": {"username": user, "password": PASSWORD},
    }


def _with_refresh(path: str) -> Builder:
    return lambda env, role: {"url": path, "json": {"refresh_token": env.refresh_token(role)}}


def _create_staff(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": "/api/v1/admin/users",
        "headers": env.auth(role),
        "json": {
            "username": unique("mx_"),
            "password": PASSWORD,
            "display_name": "矩阵测试经办人",
            "role": "clerk",
            "agency_id": env.state["agencies"]["990121"],
        },
    }


def _disable(env: Env, role: str) -> dict[str, Any]:
    return {"url": f"/api/v1/admin/users/{env.throwaway_user()}/disable", "headers": env.auth(role)}


def _enable(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"/api/v1/admin/users/{env.throwaway_user(disabled=True)}/enable",
        "headers": env.auth(role),
    }


def _password(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"/api/v1/admin/users/{env.throwaway_user()}/password",
        "headers": env.auth(role),
        "json": {"new_password": unique("new-passphrase-")},
    }


def _site_body() -> dict[str, Any]:
    return {"origin": f"https://{unique('mx')}.example.gov.cn", "name": "矩阵测试网站", "with_api_key": True}


def _create_site(env: Env, role: str) -> dict[str, Any]:
    return {"url": "/api/v1/admin/sites", "headers": env.auth(role), "json": _site_body()}


def _update_site(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"/api/v1/admin/sites/{env.throwaway_site()}",
        "headers": env.auth(role),
        "json": {"name": f"矩阵测试网站（{role}）"},
    }


def _rotate_site_key(env: Env, role: str) -> dict[str, Any]:
    return {"url": f"/api/v1/admin/sites/{env.throwaway_site()}/rotate-key", "headers": env.auth(role)}


def _create_agency(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": "/api/v1/catalog/agencies",
        "headers": env.auth(role),
        "json": {
            "code": unique("MX"),
            "name": "矩阵测试部门",
            "level": "department",
            "parent_id": env.throwaway_agency(),
        },
    }


def _agency(env: Env, role: str) -> dict[str, Any]:
    return {"url": f"/api/v1/catalog/agencies/{env.state['agencies']['990121']}", "headers": env.auth(role)}


def _update_agency(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"/api/v1/catalog/agencies/{env.throwaway_agency()}",
        "headers": env.auth(role),
        "json": {"name": f"矩阵测试省（{role}）"},
    }


def _set_rule_set(env: Env, role: str) -> dict[str, Any]:
    """The same change each time (a repeat records nothing), a month ahead, on the throwaway agency."""
    return {
        "url": f"/api/v1/catalog/agencies/{env.throwaway_agency()}/rule-set",
        "headers": env.auth(role),
        "json": {
            "rule_set": "local-legacy",
            "effective_on": (shanghai_today() + timedelta(days=30)).isoformat(),
            "reason": "矩阵测试：期限规则",
        },
    }


def _add_term(kind: str) -> Builder:
    return lambda env, role: {
        "url": f"{CATALOG}/vocabulary/{kind}",
        "headers": env.auth(role),
        "json": {"code": unique("mx_"), "label": "矩阵测试词条"},
    }


def _put_synonyms(env: Env, role: str) -> dict[str, Any]:
    """The groups as they are (a no-op replacement), so other tests' synonyms are left alone."""
    current = env.ok(env.client.get(f"{CATALOG}/search/synonyms", headers=env.auth("admin")), 200)
    return {"url": f"{CATALOG}/search/synonyms", "headers": env.auth(role), "json": current}


def _on_document(make: Callable[[Env], int], suffix: str = "", body: dict[str, Any] | None = None) -> Builder:
    """A request on the document `make` returns (called once per role: fresh where it is consumed)."""

    def build(env: Env, role: str) -> dict[str, Any]:
        request: dict[str, Any] = {"url": f"{DOCUMENTS}/{make(env)}{suffix}", "headers": env.auth(role)}
        if body is not None:
            request["json"] = body
        return request

    return build


def _create_document(env: Env, role: str) -> dict[str, Any]:
    return {"url": DOCUMENTS, "headers": env.auth(role), "json": DRAFT}


def _import(env: Env, role: str) -> dict[str, Any]:
    imported = {**DRAFT, "agency_id": env.state["agencies"]["990121"], "published_on": "2025-03-03"}
    return {"url": f"{DOCUMENTS}/import", "headers": env.auth(role), "json": {"documents": [imported]}}


def _edit_document(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"{DOCUMENTS}/{env.shared_draft()}",
        "headers": env.auth(role),
        "json": {"title": f"矩阵测试文件（{role} 修改）"},
    }


def _amend(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"{DOCUMENTS}/{env.shared_published()}/amend",
        "headers": env.auth(role),
        "json": {"title": unique("矩阵测试文件（修订）"), "reason": "矩阵测试修订"},
    }


def _on_amendment(suffix: str, body: dict[str, Any]) -> Builder:
    """A decision on a fresh pending amendment (one per role: a success consumes it)."""

    def build(env: Env, role: str) -> dict[str, Any]:
        return {
            "url": f"{DOCUMENTS}/{env.pending_amendment()}{suffix}",
            "headers": env.auth(role),
            "json": body,
        }

    return build


def _upload(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"{DOCUMENTS}/{env.shared_draft()}/attachments",
        "headers": env.auth(role),
        "files": {"file": ("a.pdf", PDF, "application/pdf")},
    }


def _guide(env: Env, role: str) -> dict[str, Any]:
    return {"url": f"{CATALOG}/agencies/{env.guide()}/guide", "headers": env.auth(role)}


def _put_guide(env: Env, role: str) -> dict[str, Any]:
    agency_id = env.state["agencies"]["990121"]
    return {
        "url": f"{CATALOG}/agencies/{agency_id}/guide",
        "headers": env.auth(role),
        "json": {**GUIDE, "office_hours": f"工作日 9:00-17:00（{role}）"},
    }


def _agency_catalog(env: Env, role: str) -> dict[str, Any]:
    return {"url": f"{CATALOG}/agencies/{env.state['agencies']['990121']}/catalog", "headers": env.auth(role)}


def _attachment(env: Env, role: str) -> dict[str, Any]:
    return {"url": f"{CATALOG}/attachments/{env.shared_attachment()}", "headers": env.auth(role)}


def resident_id(first17: str = "11010519491231002") -> str:
    from shared.personal_data import resident_id_check_digit

    return first17 + resident_id_check_digit(first17)


def shanghai_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def application_body(env: Env) -> dict[str, Any]:
    return {
        "agency_id": env.state["agencies"]["990121"],
        "applicant_type": "natural_person",
        "applicant_name": "矩阵测试申请人",
        "id_type": "resident_id",
        "id_number": resident_id(),
        "phone": "13812345678",
        "description": "矩阵测试：2025年最低生活保障资金发放情况",
        "form": "electronic",
        "delivery": "email",
    }


def _colleagues(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"/api/v1/auth/colleagues?agency_id={env.state['agencies']['990121']}",
        "headers": env.auth(role),
    }


def _assign(env: Env, role: str) -> dict[str, Any]:
    """To reviewer1, a working clerk of clerk1's agency (990121)."""
    body = {"clerk_id": str(env.state["users"]["reviewer1"]), "reason": "矩阵测试：分派"}
    return {"url": f"{APPLICATIONS}/{env.application()}/assignment", "headers": env.auth(role), "json": body}


def _hand_over(env: Env, role: str) -> dict[str, Any]:
    """A new message to clerk1's agency, handed to reviewer1, a working clerk of it."""
    body = {"to_clerk_id": str(env.state["users"]["reviewer1"]), "reason": "矩阵测试：移交同事"}
    return {"url": f"{MESSAGES}/{env.case_id()}/hand-over", "headers": env.auth(role), "json": body}


def _on_application(
    make: Callable[[Env], int], suffix: str = "", body: dict[str, Any] | None = None
) -> Builder:
    """A request on the application `make` returns (called once per role: fresh where it is consumed)."""

    def build(env: Env, role: str) -> dict[str, Any]:
        request: dict[str, Any] = {"url": f"{APPLICATIONS}/{make(env)}{suffix}", "headers": env.auth(role)}
        if body is not None:
            request["json"] = body
        return request

    return build


def _paper_or_online(state: str, suffix: str, body: dict[str, Any]) -> Builder:
    """The applicant acts on their own online application; a clerk records the step (with the day it
    arrived) for an application registered on paper."""

    def build(env: Env, role: str) -> dict[str, Any]:
        if role != "clerk":
            return _on_application(lambda e: e.application(state), suffix, body)(env, role)
        clerk = env.auth("clerk")
        today = shanghai_today().isoformat()
        letter = {**application_body(env), "channel": "letter_registered", "signed_for_on": today}
        receipt = env.ok(env.client.post(f"{APPLICATIONS}/registrations", headers=clerk, json=letter), 201)
        if state == "correction_requested":
            notice = {"items": [{"text": "矩阵测试：请写明文件名称"}], "days": 10}
            url = f"{APPLICATIONS}/{receipt['id']}/correction-request"
            env.ok(env.client.post(url, headers=clerk, json=notice), 200)
        if suffix == "/withdrawal":  # recorded only with the applicant's letter
            url = f"{APPLICATIONS}/{receipt['id']}/withdrawal/attachments"
            files = {"file": ("撤回信.pdf", PDF, "application/pdf")}
            env.ok(env.client.post(url, headers=clerk, files=files), 201)
        return {
            "url": f"{APPLICATIONS}/{receipt['id']}{suffix}",
            "headers": clerk,
            "json": {**body, "received_on": today},
        }

    return build


def _track(env: Env, role: str) -> dict[str, Any]:
    receipt = env.once("receipt", lambda: env.applied())
    return {
        "url": f"{APPLICATIONS}/track/{receipt['tracking_no']}",
        "params": {"code": receipt["query_code"]},
        "headers": env.auth(role),
    }


def _review_case_body() -> dict[str, Any]:
    return {"kind": "reconsideration", "filed_on": shanghai_today().isoformat(), "note": "矩阵测试：复议"}


def _file_review_case(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"{APPLICATIONS}/{env.shared_application()}/review-cases",
        "headers": env.auth(role),
        "json": _review_case_body(),
    }


def _shared_review_case(env: Env) -> int:
    url = f"{APPLICATIONS}/{env.shared_application()}/review-cases"
    return env.once(
        "review_case",
        lambda: env.ok(env.client.post(url, headers=env.auth("clerk"), json=_review_case_body()), 201)["id"],
    )


def _review_result(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"{APPLICATIONS}/review-cases/{_shared_review_case(env)}",
        "headers": env.auth(role),
        "json": {"result": "upheld", "note": "矩阵测试：维持"},
    }


FEE_NOTICE = {"method": "by_pages", "pages": 31, "reason": "矩阵测试：页数较多"}


APPROVER = {"approver_name": "矩阵测试负责人", "approver_role": "政府信息公开办公室主任"}


def _extended_application(env: Env) -> tuple[int, int]:
    """An application extended by clerk1 (so it has a 延期告知书), shared by the notice reads."""

    def make() -> tuple[int, int]:
        application_id = env.application()
        url = f"{APPLICATIONS}/{application_id}/extension"
        env.ok(
            env.client.post(
                url, headers=env.auth("clerk"), json={"days": 5, "reason": "矩阵测试", **APPROVER}
            ),
            200,
        )
        listed = env.ok(env.client.get(f"{url}-notices", headers=env.auth("clerk")), 200)
        return application_id, listed[0]["id"]

    return env.once("extended_application", make)


def _extension_notice_html(env: Env, role: str) -> dict[str, Any]:
    application_id, notice_id = _extended_application(env)
    return {
        "url": f"{APPLICATIONS}/{application_id}/extension-notices/{notice_id}.html",
        "headers": env.auth(role),
    }


def _decided_application(env: Env) -> int:
    """An application decided by clerk1 (so it has a notice), shared by the notice reads."""

    def make() -> int:
        application_id = env.application()
        decision = {"outcome": "disclosed", "reason": "矩阵测试：予以公开", "legal_basis": "条例第三十六条"}
        url = f"{APPLICATIONS}/{application_id}/decision"
        env.ok(env.client.post(url, headers=env.auth("clerk"), json=decision), 200)
        return application_id

    return env.once("decided_application", make)


def _notice_document(ext: str) -> Builder:
    """One notice of the decided application (its 答复告知书), as a page or a PDF."""

    def build(env: Env, role: str) -> dict[str, Any]:
        application_id = _decided_application(env)
        url = f"{APPLICATIONS}/{application_id}/notices"
        listed = env.ok(env.client.get(url, headers=env.auth("clerk")), 200)
        return {"url": listed[-1][f"{ext}_url"], "headers": env.auth(role)}

    return build


def _fee_notified_application(env: Env, delivery: str = "online") -> int:
    """A fresh application with an unpaid fee notice from clerk1."""
    application_id = env.application()
    url = f"{APPLICATIONS}/{application_id}/fee-notice"
    env.ok(env.client.post(url, headers=env.auth("clerk"), json={**FEE_NOTICE, "delivery": delivery}), 201)
    return application_id


def _fee_totals(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"{APPLICATIONS}/fees/totals",
        "params": {"year": shanghai_today().year, "agency_id": env.state["agencies"]["990121"]},
        "headers": env.auth(role),
    }


def _correction_file(env: Env) -> tuple[int, int]:
    """An application awaiting correction, with one file the citizen uploaded (shared by the reads)."""

    def make() -> tuple[int, int]:
        application_id = env.application("correction_requested")
        url = f"{APPLICATIONS}/{application_id}/correction/attachments"
        files = {"file": ("补正材料.pdf", PDF, "application/pdf")}
        return application_id, env.ok(env.client.post(url, headers=env.auth("public"), files=files), 201)[
            "id"
        ]

    return env.once("correction_file", make)


def _upload_correction_file(env: Env, role: str) -> dict[str, Any]:
    application_id = env.once("awaiting_correction", lambda: env.application("correction_requested"))
    return {
        "url": f"{APPLICATIONS}/{application_id}/correction/attachments",
        "headers": env.auth(role),
        "files": {"file": ("补正材料.pdf", PDF, "application/pdf")},
    }


def _paper_application(env: Env) -> int:
    """An application registered on paper by the agency's clerk (no citizen account owns it)."""
    today = shanghai_today().isoformat()
    letter = {**application_body(env), "channel": "letter_registered", "signed_for_on": today}
    clerk = env.auth("clerk")
    return env.ok(env.client.post(f"{APPLICATIONS}/registrations", headers=clerk, json=letter), 201)["id"]


def _withdrawal_file(env: Env) -> tuple[int, int]:
    """A paper application with the applicant's withdrawal letter kept (shared by the reads)."""

    def make() -> tuple[int, int]:
        application_id = _paper_application(env)
        url = f"{APPLICATIONS}/{application_id}/withdrawal/attachments"
        files = {"file": ("撤回信.pdf", PDF, "application/pdf")}
        return application_id, env.ok(env.client.post(url, headers=env.auth("clerk"), files=files), 201)["id"]

    return env.once("withdrawal_file", make)


def _upload_withdrawal_file(env: Env, role: str) -> dict[str, Any]:
    application_id = env.once("paper_application", lambda: _paper_application(env))
    return {
        "url": f"{APPLICATIONS}/{application_id}/withdrawal/attachments",
        "headers": env.auth(role),
        "files": {"file": ("撤回信.pdf", PDF, "application/pdf")},
    }


def _report_texts(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"{APPLICATIONS}/reports/annual/{env.state['agencies']['990121']}/{shanghai_today().year}/texts",
        "headers": env.auth(role),
        "json": {"overview": f"矩阵测试：总体情况（{role}）", "problems": "", "other_matters": ""},
    }


def _report_publication(env: Env, role: str) -> dict[str, Any]:
    """Last year's report (a finished year): the first sending drafts it in the catalog, the next
    updates the same draft."""
    year = shanghai_today().year - 1
    return {
        "url": f"{APPLICATIONS}/reports/annual/{env.state['agencies']['990121']}/{year}/publication",
        "headers": env.auth(role),
    }


def _annual_report(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"{APPLICATIONS}/reports/annual",
        "params": {"year": shanghai_today().year, "agency_id": env.state["agencies"]["990121"]},
        "headers": env.auth(role),
    }


def message_body(env: Env, *, anonymous: bool = False) -> dict[str, Any]:
    """A complaint from a named sender, or an anonymous suggestion (new words each time: the same
    message twice within 24 hours is refused)."""
    body: dict[str, Any] = {
        "kind": "suggestion" if anonymous else "complaint",
        "agency_id": env.state["agencies"]["990121"],
        "subject": "矩阵测试留言",
        "content": unique("矩阵测试：留言内容 "),
        "consent_to_publish": True,
    }
    if anonymous:
        return {**body, "anonymous": True}
    return {**body, "sender": {"name": "矩阵测试留言人", "phone": "13812345678"}}


def contact_body() -> dict[str, Any]:
    """A call to the hotline, answered on the spot (no case), 10 minutes ago."""
    return {
        "channel": "hotline",
        "occurred_at": (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(minutes=10)).isoformat(),
        "duration_seconds": 120,
        "contact_number": "13812345678",
        "kind": "consultation",
        "summary": unique("矩阵测试：来电咨询 "),
        "disposition": "answered",
    }


def _on_case(make: Callable[[Env], int], suffix: str = "", body: dict[str, Any] | None = None) -> Builder:
    """A request on the feedback case `make` returns (fresh where it is consumed)."""

    def build(env: Env, role: str) -> dict[str, Any]:
        request: dict[str, Any] = {"url": f"{MESSAGES}/{make(env)}{suffix}", "headers": env.auth(role)}
        if body is not None:
            request["json"] = body
        return request

    return build


def _submit_message(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": MESSAGES,
        "headers": env.auth(role),
        "json": message_body(env, anonymous=role == "anonymous"),
    }


def _track_message(env: Env, role: str) -> dict[str, Any]:
    receipt = env.once("feedback_receipt", lambda: env.message(anonymous=True))
    return {
        "url": f"{FEEDBACK}/track/{receipt['tracking_no']}",
        "params": {"code": receipt["query_code"]},
        "headers": env.auth(role),
    }


def _attach_tracked(env: Env, role: str) -> dict[str, Any]:
    receipt = env.message(anonymous=True)
    return {
        "url": f"{FEEDBACK}/track/{receipt['tracking_no']}/attachments",
        "params": {"code": receipt["query_code"]},
        "headers": env.auth(role),
        "files": {"file": ("evidence.pdf", PDF, "application/pdf")},
    }


def _rate_tracked(env: Env, role: str) -> dict[str, Any]:
    receipt = env.case("replied")
    return {
        "url": f"{FEEDBACK}/track/{receipt['tracking_no']}/rating",
        "headers": env.auth(role),
        "json": {"code": receipt["query_code"], "rating": "satisfied"},
    }


def _letter_notice(suffix: str) -> Builder:
    """The notices of the refused letter, or its notice as a page or a PDF (`suffix`)."""

    def build(env: Env, role: str) -> dict[str, Any]:
        case, notice_id = env.shared_refusal()
        return {
            "url": f"{MESSAGES}/{case['id']}/notices{suffix.format(notice_id)}",
            "headers": env.auth(role),
        }

    return build


def _tracked_notice(ext: str) -> Builder:
    def build(env: Env, role: str) -> dict[str, Any]:
        case, notice_id = env.shared_refusal()
        return {
            "url": f"{FEEDBACK}/track/{case['tracking_no']}/notices/{notice_id}.{ext}",
            "params": {"code": case["query_code"]},
            "headers": env.auth(role),
        }

    return build


def _request_review(env: Env, role: str) -> dict[str, Any]:
    case = env.letter_receipt("replied")
    return {
        "url": f"{FEEDBACK}/track/{case['tracking_no']}/review",
        "headers": env.auth(role),
        "json": {"code": case["query_code"], "level": "review", "reason": "矩阵测试：对办理意见不服"},
    }


REQUESTS: dict[tuple[str, str], Builder] = {
    ("GET", "/.well-known/jwks.json"): _plain("/.well-known/jwks.json"),
    ("POST", "/api/v1/auth/register"): _register,
    ("POST", "/api/v1/auth/token"): _token,
    ("POST", "/api/v1/auth/refresh"): _with_refresh("/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"): _with_refresh("/api/v1/auth/logout"),
    ("GET", "/api/v1/auth/me"): _plain("/api/v1/auth/me"),
    ("GET", "/api/v1/auth/colleagues"): _colleagues,
    ("GET", "/api/v1/admin/users"): _plain("/api/v1/admin/users"),
    ("POST", "/api/v1/admin/users"): _create_staff,
    ("POST", "/api/v1/admin/users/{user_id}/disable"): _disable,
    ("POST", "/api/v1/admin/users/{user_id}/enable"): _enable,
    ("POST", "/api/v1/admin/users/{user_id}/password"): _password,
    ("GET", "/api/v1/admin/sites"): _plain("/api/v1/admin/sites"),
    ("POST", "/api/v1/admin/sites"): _create_site,
    ("PATCH", "/api/v1/admin/sites/{site_id}"): _update_site,
    ("POST", "/api/v1/admin/sites/{site_id}/rotate-key"): _rotate_site_key,
    ("GET", "/widget/search.js"): _plain("/widget/search.js"),
    ("GET", "/widget/site"): _site_status,
    ("GET", "/api/v1/catalog/agencies"): _plain("/api/v1/catalog/agencies"),
    ("POST", "/api/v1/catalog/agencies"): _create_agency,
    ("GET", "/api/v1/catalog/agencies/{agency_id}"): _agency,
    ("PATCH", "/api/v1/catalog/agencies/{agency_id}"): _update_agency,
    ("PUT", "/api/v1/catalog/agencies/{agency_id}/rule-set"): _set_rule_set,
    ("GET", "/api/v1/catalog/vocabulary"): _plain(f"{CATALOG}/vocabulary"),
    ("POST", "/api/v1/catalog/vocabulary/categories"): _add_term("categories"),
    ("POST", "/api/v1/catalog/vocabulary/doc-types"): _add_term("doc-types"),
    ("GET", "/api/v1/catalog/search"): _plain(f"{CATALOG}/search?q=矩阵测试"),
    ("GET", "/api/v1/catalog/search/suggest"): _plain(f"{CATALOG}/search/suggest?q=矩阵"),
    ("GET", "/api/v1/catalog/search/synonyms"): _plain(f"{CATALOG}/search/synonyms"),
    ("PUT", "/api/v1/catalog/search/synonyms"): _put_synonyms,
    ("POST", "/api/v1/catalog/search/clicks"): lambda env, role: {
        "url": f"{CATALOG}/search/clicks",
        "headers": env.auth(role),
        "json": {"q": "矩阵测试", "document_id": env.shared_published(), "position": 1},
    },
    ("GET", "/api/v1/catalog/search/report"): _plain(f"{CATALOG}/search/report"),
    ("GET", "/api/v1/catalog/documents"): _plain(DOCUMENTS),
    ("GET", "/api/v1/catalog/documents/{document_id}"): _on_document(Env.shared_published),
    ("GET", "/api/v1/catalog/attachments/{attachment_id}"): _attachment,
    ("GET", "/api/v1/catalog/agencies/{agency_id}/guide"): _guide,
    ("GET", "/api/v1/catalog/agencies/{agency_id}/catalog"): _agency_catalog,
    ("POST", "/api/v1/catalog/documents"): _create_document,
    ("PATCH", "/api/v1/catalog/documents/{document_id}"): _edit_document,
    ("POST", "/api/v1/catalog/documents/import"): _import,
    ("POST", "/api/v1/catalog/documents/{document_id}/attachments"): _upload,
    ("POST", "/api/v1/catalog/documents/{document_id}/submit"): _on_document(Env.draft, "/submit"),
    ("POST", "/api/v1/catalog/documents/{document_id}/approve"): _on_document(
        Env.in_review, "/approve", {"confidentiality_checked": True}
    ),
    ("POST", "/api/v1/catalog/documents/{document_id}/return"): _on_document(
        Env.in_review, "/return", {"reason": "矩阵测试：请补充依据"}
    ),
    ("POST", "/api/v1/catalog/documents/{document_id}/amend"): _amend,
    ("POST", "/api/v1/catalog/documents/{document_id}/amendments/{amendment_id}/approve"): _on_amendment(
        "/approve", {"confidentiality_checked": True}
    ),
    ("POST", "/api/v1/catalog/documents/{document_id}/amendments/{amendment_id}/return"): _on_amendment(
        "/return", {"reason": "矩阵测试：请删除个人信息"}
    ),
    ("GET", "/api/v1/catalog/documents/{document_id}/amendments"): _on_document(
        Env.shared_published, "/amendments"
    ),
    ("GET", "/api/v1/catalog/documents/{document_id}/personal-data"): _on_document(
        Env.shared_published, "/personal-data"
    ),
    ("POST", "/api/v1/catalog/documents/{document_id}/validity"): _on_document(
        Env.published, "/validity", {"validity": "expired", "reason": "矩阵测试：已失效"}
    ),
    ("POST", "/api/v1/catalog/documents/{document_id}/revoke"): _on_document(
        Env.published, "/revoke", {"reason": "矩阵测试：撤销"}
    ),
    ("PUT", "/api/v1/catalog/agencies/{agency_id}/guide"): _put_guide,
    ("GET", "/api/v1/catalog/documents/late"): _plain(f"{DOCUMENTS}/late"),
    ("GET", "/api/v1/catalog/documents/{document_id}/versions"): _on_document(
        Env.shared_published, "/versions"
    ),
    ("GET", "/api/v1/catalog/documents/{document_id}/history"): _on_document(
        Env.shared_published, "/history"
    ),
    ("GET", "/api/v1/feedback/vocabulary"): _plain("/api/v1/feedback/vocabulary"),
    ("GET", "/api/v1/requests/outcomes"): _plain("/api/v1/requests/outcomes"),
    ("POST", APPLICATIONS): lambda env, role: {
        "url": APPLICATIONS,
        "headers": env.auth(role),
        "json": application_body(env),
    },
    ("POST", f"{APPLICATIONS}/registrations"): lambda env, role: {
        "url": f"{APPLICATIONS}/registrations",
        "headers": env.auth(role),
        "json": {**application_body(env), "channel": "in_person"},
    },
    ("GET", APPLICATIONS): _plain(APPLICATIONS),
    ("GET", f"{APPLICATIONS}/track/{{tracking_no}}"): _track,
    ("GET", APPLICATION): _on_application(Env.shared_application),
    ("GET", f"{APPLICATION}/timeline"): _on_application(Env.shared_application, "/timeline"),
    ("GET", f"{APPLICATION}/personal-data"): _on_application(Env.shared_application, "/personal-data"),
    ("POST", f"{APPLICATION}/correction-request"): _on_application(
        Env.application, "/correction-request", {"items": [{"text": "矩阵测试：请写明文件名称"}], "days": 10}
    ),
    ("POST", f"{APPLICATION}/correction"): _paper_or_online(
        "correction_requested", "/correction", {"text": "矩阵测试：补正内容"}
    ),
    ("POST", f"{APPLICATION}/correction/attachments"): _upload_correction_file,
    ("GET", f"{APPLICATION}/correction/attachments"): _on_application(
        lambda env: _correction_file(env)[0], "/correction/attachments"
    ),
    ("GET", f"{APPLICATION}/correction/attachments/{{attachment_id}}"): lambda env, role: {
        "url": "{}/{}/correction/attachments/{}".format(APPLICATIONS, *_correction_file(env)),
        "headers": env.auth(role),
    },
    ("POST", f"{APPLICATION}/consultation"): _on_application(
        Env.application,
        "/consultation",
        {"kind": "third_party", "party": "矩阵测试公司", "reason": "矩阵测试：涉及商业秘密"},
    ),
    ("POST", f"{APPLICATION}/consultation/end"): _on_application(
        lambda env: env.application("consultation"), "/consultation/end", {"opinion": "矩阵测试：同意公开"}
    ),
    ("POST", f"{APPLICATION}/extension"): _on_application(
        Env.application, "/extension", {"days": 5, "reason": "矩阵测试：需要汇总", **APPROVER}
    ),
    ("POST", f"{APPLICATION}/decision"): _on_application(
        Env.application,
        "/decision",
        {"outcome": "disclosed", "reason": "矩阵测试：予以公开", "legal_basis": "条例第三十六条"},
    ),
    ("POST", f"{APPLICATION}/referral"): _on_application(
        Env.application,
        "/referral",
        {"kind": "other_agency", "agency_name": "青山市民政局", "reason": "矩阵测试：不属于本机关"},
    ),
    ("POST", f"{APPLICATION}/withdrawal"): _paper_or_online("registered", "/withdrawal", {}),
    ("POST", f"{APPLICATION}/withdrawal/attachments"): _upload_withdrawal_file,
    ("GET", f"{APPLICATION}/withdrawal/attachments"): _on_application(
        Env.shared_application, "/withdrawal/attachments"
    ),
    ("GET", f"{APPLICATION}/withdrawal/attachments/{{attachment_id}}"): lambda env, role: {
        "url": "{}/{}/withdrawal/attachments/{}".format(APPLICATIONS, *_withdrawal_file(env)),
        "headers": env.auth(role),
    },
    ("POST", f"{APPLICATION}/abandonment"): _on_application(
        Env.abandonable, "/abandonment", {"reason": "矩阵测试：逾期未补正"}
    ),
    ("POST", f"{APPLICATION}/review-cases"): _file_review_case,
    ("GET", f"{APPLICATION}/notice"): _on_application(_decided_application, "/notice"),
    ("GET", f"{APPLICATION}/notice.html"): _on_application(_decided_application, "/notice.html"),
    ("GET", f"{APPLICATION}/extension-notices"): _on_application(
        lambda env: _extended_application(env)[0], "/extension-notices"
    ),
    ("GET", f"{APPLICATION}/extension-notices/{{notice_id}}.html"): _extension_notice_html,
    ("GET", f"{APPLICATION}/notice.pdf"): _on_application(_decided_application, "/notice.pdf"),
    ("GET", f"{APPLICATION}/notices"): _on_application(_decided_application, "/notices"),
    ("GET", f"{APPLICATION}/notices/{{notice_id}}.html"): _notice_document("html"),
    ("GET", f"{APPLICATION}/notices/{{notice_id}}.pdf"): _notice_document("pdf"),
    ("POST", f"{APPLICATION}/fee-notice"): _on_application(Env.application, "/fee-notice", FEE_NOTICE),
    ("POST", f"{APPLICATION}/fee-receipt"): lambda env, role: _on_application(
        lambda e: _fee_notified_application(e, "post"),
        "/fee-receipt",
        {"received_on": shanghai_today().isoformat()},
    )(env, role),
    ("POST", f"{APPLICATION}/fee-relief"): _on_application(
        _fee_notified_application,
        "/fee-relief",
        {"kind": "waived", "reason_code": "financial_hardship", "reason": "矩阵测试：经济困难"},
    ),
    ("POST", f"{APPLICATION}/fee-paid"): _on_application(
        _fee_notified_application, "/fee-paid", {"note": "矩阵测试：已缴费"}
    ),
    ("POST", f"{APPLICATION}/assignment"): _assign,
    ("PATCH", f"{APPLICATIONS}/review-cases/{{case_id}}"): _review_result,
    ("GET", f"{APPLICATION}/review-cases"): _on_application(Env.shared_application, "/review-cases"),
    ("GET", f"{APPLICATIONS}/reports/annual"): _annual_report,
    ("PUT", f"{APPLICATIONS}/reports/annual/{{agency_id}}/{{year}}/texts"): _report_texts,
    ("POST", f"{APPLICATIONS}/reports/annual/{{agency_id}}/{{year}}/publication"): _report_publication,
    ("GET", f"{APPLICATIONS}/fees/totals"): _fee_totals,
    ("POST", MESSAGES): _submit_message,
    ("GET", MESSAGES): _plain(MESSAGES),
    ("GET", MESSAGE): _on_case(Env.shared_case),
    ("GET", f"{MESSAGE}/timeline"): _on_case(Env.shared_case, "/timeline"),
    ("GET", f"{MESSAGE}/personal-data"): _on_case(Env.shared_case, "/personal-data"),
    ("POST", f"{MESSAGE}/take"): _on_case(Env.case_id, "/take", {"level": "area_coordination"}),
    ("POST", f"{MESSAGE}/hand-over"): _hand_over,
    ("POST", f"{MESSAGE}/extension"): _on_case(
        Env.letter, "/extension", {"days": 5, "reason": "矩阵测试：需要协调"}
    ),
    ("POST", f"{MESSAGE}/reply"): _on_case(
        lambda env: env.case_id("assigned"), "/reply", {"reply": "矩阵测试：答复内容"}
    ),
    ("POST", f"{MESSAGE}/close"): _on_case(
        lambda env: env.case_id("replied"), "/close", {"note": "矩阵测试"}
    ),
    ("POST", f"{MESSAGE}/return-visit"): _on_case(
        lambda env: env.case_id("closed"),
        "/return-visit",
        {"visited_on": shanghai_today().isoformat(), "note": "矩阵测试：回访满意"},
    ),
    ("POST", f"{MESSAGE}/publication"): _on_case(lambda env: env.case_id("replied"), "/publication", {}),
    ("POST", f"{MESSAGE}/rating"): _on_case(
        lambda env: env.case_id("replied"), "/rating", {"rating": "satisfied", "comment": "矩阵测试"}
    ),
    ("GET", f"{FEEDBACK}/track/{{tracking_no}}"): _track_message,
    ("POST", f"{FEEDBACK}/track/{{tracking_no}}/rating"): _rate_tracked,
    ("POST", f"{MESSAGE}/refusal"): lambda env, role: {
        "url": f"{MESSAGES}/{env.letter_receipt()['id']}/refusal",
        "headers": env.auth(role),
        "json": {"reason": "other", "text": "矩阵测试：不予受理的理由"},
    },
    ("GET", f"{MESSAGE}/notices"): _letter_notice(""),
    ("GET", f"{MESSAGE}/notices/{{notice_id}}.html"): _letter_notice("/{}.html"),
    ("GET", f"{MESSAGE}/notices/{{notice_id}}.pdf"): _letter_notice("/{}.pdf"),
    ("GET", f"{FEEDBACK}/track/{{tracking_no}}/notices/{{notice_id}}.html"): _tracked_notice("html"),
    ("GET", f"{FEEDBACK}/track/{{tracking_no}}/notices/{{notice_id}}.pdf"): _tracked_notice("pdf"),
    ("POST", f"{FEEDBACK}/track/{{tracking_no}}/review"): _request_review,
    ("POST", f"{MESSAGE}/attachments"): lambda env, role: {
        "url": f"{MESSAGES}/{env.case_id('assigned')}/attachments",
        "headers": env.auth(role),
        "files": {"file": ("photo.pdf", PDF, "application/pdf")},
    },
    ("GET", f"{MESSAGE}/attachments/{{attachment_id}}"): lambda env, role: {
        "url": env.shared_case_attachment(),
        "headers": env.auth(role),
    },
    ("POST", f"{FEEDBACK}/track/{{tracking_no}}/attachments"): _attach_tracked,
    ("POST", CONTACTS): lambda env, role: {
        "url": CONTACTS,
        "headers": env.auth(role),
        "json": contact_body(),
    },
    ("GET", CONTACTS): _plain(CONTACTS),
    ("GET", f"{CONTACTS}/{{record_id}}"): lambda env, role: {
        "url": f"{CONTACTS}/{env.shared_contact()}",
        "headers": env.auth(role),
    },
    ("GET", f"{FEEDBACK}/replies"): _plain(f"{FEEDBACK}/replies"),
    ("GET", f"{FEEDBACK}/replies/{{reply_id}}"): lambda env, role: {
        "url": f"{FEEDBACK}/replies/{env.shared_published_reply()}",
        "headers": env.auth(role),
    },
    ("GET", f"{FEEDBACK}/stats"): _plain(f"{FEEDBACK}/stats"),
    ("GET", f"{FEEDBACK}/supervision/overdue"): _plain(f"{FEEDBACK}/supervision/overdue"),
    ("GET", f"{APPLICATIONS}/supervision/overdue"): _plain(f"{APPLICATIONS}/supervision/overdue"),
    ("GET", "/api/v1/supervision/overdue"): _plain("/api/v1/supervision/overdue"),
    # A far year no application reaches, so other tests' deadlines are left alone.
    ("GET", "/api/v1/admin/calendar"): _plain("/api/v1/admin/calendar?year=2090"),
    ("PUT", "/api/v1/admin/calendar/{year}"): lambda env, role: {
        "url": "/api/v1/admin/calendar/2090",
        "headers": env.auth(role),
        "json": {"days": [{"day": "2090-01-02", "working": False, "name": "矩阵测试"}]},
    },
    ("DELETE", "/api/v1/admin/calendar/{year}"): _plain("/api/v1/admin/calendar/2090"),
    ROTATE: _plain("/api/v1/admin/keys/rotate"),
}


def _wait_until_services_accept_new_tokens(env: Env) -> None:
    """After a rotation, services learn the new key from JWKS, re-fetched at most every 10 s.

    Until then a token signed with the new key can be refused with 401 `unknown_key` (reported
    as an app issue); wait here so later tests in the session are not hit by it.
    """
    fresh = login(env.client, "admin")["access_token"]
    target = f"/api/v1/catalog/agencies/{env.throwaway_agency()}"
    deadline = time.monotonic() + 20
    while True:
        response = env.client.patch(target, json={}, headers={"Authorization": f"Bearer {fresh}"})
        if response.status_code == 200:
            return
        assert time.monotonic() < deadline, (
            f"catalog still refuses a token signed after rotation: {response.text}"
        )
        time.sleep(0.5)


@pytest.mark.parametrize(("method", "path"), list(MATRIX), ids=[f"{m} {p}" for m, p in MATRIX])
def test_each_role_gets_the_expected_status(env: Env, method: str, path: str) -> None:
    expected = MATRIX[(method, path)]
    problems: list[str] = []
    for role in ROLES:
        request = REQUESTS[(method, path)](env, role)
        response = env.client.request(method, **request)
        status, want = response.status_code, expected[role]
        kind = response.headers.get("content-type", "")
        if status != want:
            problems.append(f"{role}: expected {want}, got {status} {response.text[:300]}")
        if not 200 <= status < 300:
            if not kind.startswith(PROBLEM):
                problems.append(f"{role}: {status} answered as {kind!r}, not {PROBLEM}")
            elif response.json().get("status") != status:
                problems.append(f"{role}: problem document says status {response.json().get('status')}")
    if (method, path) == ROTATE:
        _wait_until_services_accept_new_tokens(env)
    assert not problems, f"{method} {path}:\n  " + "\n  ".join(problems)


def test_staff_tokens_and_profiles_carry_their_agency_scope(env: Env) -> None:
    agencies = env.state["agencies"]
    county, city = agencies["990121"], agencies["990100"]
    expected = {
        "clerk1": {"role": "clerk", "agency_id": county, "region_id": None},
        "inspector": {"role": "inspector", "agency_id": None, "region_id": city},
        "clerk2": {"role": "clerk", "agency_id": agencies["990122"], "region_id": None},
        "citizen": {"role": "public", "agency_id": None, "region_id": None},
        "admin": {"role": "admin", "agency_id": None, "region_id": None},
    }
    for username, scope in expected.items():
        access = login(env.client, username)["access_token"]
        claims = claims_of(access)
        assert {k: claims.get(k) for k in scope} == scope, f"{username}'s token claims"
        me = env.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {access}"})
        assert me.status_code == 200, me.text
        profile = me.json()
        assert profile["username"] == username
        assert profile["id"] == env.state["users"][username]
        assert {k: profile[k] for k in scope} == scope, f"{username}'s /auth/me"


# --- cross-scope cells: a clerk of another agency, an inspector of another region -------------------

# Each row's request is built as for clerk1 (东湖县, 990121) or the city's inspector (青山市, whose
# region holds 东湖县), then sent by clerk2 (西岭县, 990122) or by an inspector of 西岭县's region:
# the same target, a caller outside its scope. What is public (published documents, agencies,
# guides, published replies; a tracked item to whoever holds its code) answers as to anyone; an
# action on a public object outside the caller's scope is 403 `agency_scope`; anything the public
# cannot see (drafts, documents in review, applications, cases, contact records, review cases) is a
# 404 exactly like a missing one, so that its existence does not leak. A role that may never call the
# route is 403 `role_forbidden` before any object is looked at.
Cell = tuple[int, str | None]
ROLE: Cell = (403, "role_forbidden")
SCOPE: Cell = (403, "agency_scope")
NO_DOCUMENT: Cell = (404, "document_not_found")
NO_APPLICATION: Cell = (404, "application_not_found")
NO_CASE: Cell = (404, "case_not_found")


def ok(status: int = 200) -> Cell:
    return (status, None)


def both(cell: Cell) -> tuple[Cell, Cell]:
    return (cell, cell)


def clerk_step(cell: Cell) -> tuple[Cell, Cell]:
    """A clerk's step: the other agency's clerk gets `cell`, an inspector is refused by role."""
    return (cell, ROLE)


ADMIN_ONLY = both(ROLE)

# (method, path) → (clerk of another agency, inspector of another region)
CROSS_SCOPE: dict[tuple[str, str], tuple[Cell, Cell]] = {
    ("POST", "/api/v1/admin/users/{user_id}/disable"): ADMIN_ONLY,
    ("POST", "/api/v1/admin/users/{user_id}/enable"): ADMIN_ONLY,
    ("POST", "/api/v1/admin/users/{user_id}/password"): ADMIN_ONLY,
    ("PATCH", "/api/v1/admin/sites/{site_id}"): ADMIN_ONLY,
    ("POST", "/api/v1/admin/sites/{site_id}/rotate-key"): ADMIN_ONLY,
    ("PUT", "/api/v1/admin/calendar/{year}"): ADMIN_ONLY,
    ("DELETE", "/api/v1/admin/calendar/{year}"): ADMIN_ONLY,
    ("PATCH", f"{CATALOG}/agencies/{{agency_id}}"): ADMIN_ONLY,
    ("PUT", f"{CATALOG}/agencies/{{agency_id}}/rule-set"): ADMIN_ONLY,
    # Public catalog reads.
    ("GET", f"{CATALOG}/agencies/{{agency_id}}"): both(ok()),
    ("GET", f"{DOCUMENTS}/{{document_id}}"): both(ok()),
    ("GET", f"{CATALOG}/attachments/{{attachment_id}}"): both(ok()),
    ("GET", f"{CATALOG}/agencies/{{agency_id}}/guide"): both(ok()),
    ("GET", f"{CATALOG}/agencies/{{agency_id}}/catalog"): both(ok()),
    # A draft or a document in review: not public.
    ("PATCH", f"{DOCUMENTS}/{{document_id}}"): clerk_step(NO_DOCUMENT),
    ("POST", f"{DOCUMENTS}/{{document_id}}/attachments"): clerk_step(NO_DOCUMENT),
    ("POST", f"{DOCUMENTS}/{{document_id}}/submit"): clerk_step(NO_DOCUMENT),
    ("POST", f"{DOCUMENTS}/{{document_id}}/approve"): clerk_step(NO_DOCUMENT),
    ("POST", f"{DOCUMENTS}/{{document_id}}/return"): clerk_step(NO_DOCUMENT),
    # A published document (public), or the agency itself: another agency may not act on it.
    ("POST", f"{DOCUMENTS}/{{document_id}}/amend"): clerk_step(SCOPE),
    ("POST", f"{DOCUMENTS}/{{document_id}}/amendments/{{amendment_id}}/approve"): clerk_step(SCOPE),
    ("POST", f"{DOCUMENTS}/{{document_id}}/amendments/{{amendment_id}}/return"): clerk_step(SCOPE),
    ("POST", f"{DOCUMENTS}/{{document_id}}/validity"): clerk_step(SCOPE),
    ("POST", f"{DOCUMENTS}/{{document_id}}/revoke"): clerk_step(SCOPE),
    ("PUT", f"{CATALOG}/agencies/{{agency_id}}/guide"): clerk_step(SCOPE),
    ("PUT", f"{APPLICATIONS}/reports/annual/{{agency_id}}/{{year}}/texts"): clerk_step(SCOPE),
    ("POST", f"{APPLICATIONS}/reports/annual/{{agency_id}}/{{year}}/publication"): clerk_step(SCOPE),
    # A published document's internal records: its versions, amendments, personal data, history.
    ("GET", f"{DOCUMENTS}/{{document_id}}/versions"): both(SCOPE),
    ("GET", f"{DOCUMENTS}/{{document_id}}/amendments"): both(SCOPE),
    ("GET", f"{DOCUMENTS}/{{document_id}}/personal-data"): both(SCOPE),
    ("GET", f"{DOCUMENTS}/{{document_id}}/history"): both(SCOPE),
    # Applications: never public; tracked by whoever holds the code.
    ("GET", f"{APPLICATIONS}/track/{{tracking_no}}"): both(ok()),
    ("GET", APPLICATION): both(NO_APPLICATION),
    ("GET", f"{APPLICATION}/timeline"): both(NO_APPLICATION),
    ("GET", f"{APPLICATION}/personal-data"): clerk_step(NO_APPLICATION),
    ("POST", f"{APPLICATION}/correction-request"): clerk_step(NO_APPLICATION),
    ("POST", f"{APPLICATION}/correction"): clerk_step(NO_APPLICATION),
    ("POST", f"{APPLICATION}/correction/attachments"): clerk_step(NO_APPLICATION),
    ("GET", f"{APPLICATION}/correction/attachments"): both(NO_APPLICATION),
    ("GET", f"{APPLICATION}/correction/attachments/{{attachment_id}}"): both(NO_APPLICATION),
    ("POST", f"{APPLICATION}/consultation"): clerk_step(NO_APPLICATION),
    ("POST", f"{APPLICATION}/consultation/end"): clerk_step(NO_APPLICATION),
    ("POST", f"{APPLICATION}/extension"): clerk_step(NO_APPLICATION),
    ("POST", f"{APPLICATION}/decision"): clerk_step(NO_APPLICATION),
    ("POST", f"{APPLICATION}/referral"): clerk_step(NO_APPLICATION),
    ("POST", f"{APPLICATION}/withdrawal"): clerk_step(NO_APPLICATION),
    ("POST", f"{APPLICATION}/withdrawal/attachments"): clerk_step(NO_APPLICATION),
    ("GET", f"{APPLICATION}/withdrawal/attachments"): both(NO_APPLICATION),
    ("GET", f"{APPLICATION}/withdrawal/attachments/{{attachment_id}}"): both(NO_APPLICATION),
    ("POST", f"{APPLICATION}/abandonment"): clerk_step(NO_APPLICATION),
    ("GET", f"{APPLICATION}/notice"): both(NO_APPLICATION),
    ("GET", f"{APPLICATION}/notice.html"): both(NO_APPLICATION),
    ("GET", f"{APPLICATION}/notice.pdf"): both(NO_APPLICATION),
    ("GET", f"{APPLICATION}/extension-notices"): both(NO_APPLICATION),
    ("GET", f"{APPLICATION}/extension-notices/{{notice_id}}.html"): both(NO_APPLICATION),
    ("GET", f"{APPLICATION}/notices"): both(NO_APPLICATION),
    ("GET", f"{APPLICATION}/notices/{{notice_id}}.html"): both(NO_APPLICATION),
    ("GET", f"{APPLICATION}/notices/{{notice_id}}.pdf"): both(NO_APPLICATION),
    ("POST", f"{APPLICATION}/fee-notice"): clerk_step(NO_APPLICATION),
    ("POST", f"{APPLICATION}/fee-receipt"): clerk_step(NO_APPLICATION),
    ("POST", f"{APPLICATION}/fee-relief"): clerk_step(NO_APPLICATION),
    ("POST", f"{APPLICATION}/fee-paid"): clerk_step(NO_APPLICATION),
    ("POST", f"{APPLICATION}/assignment"): clerk_step(NO_APPLICATION),
    ("POST", f"{APPLICATION}/review-cases"): clerk_step(NO_APPLICATION),
    ("GET", f"{APPLICATION}/review-cases"): both(NO_APPLICATION),
    ("PATCH", f"{APPLICATIONS}/review-cases/{{case_id}}"): clerk_step((404, "review_case_not_found")),
    # Feedback cases and contact records: never public; tracked by whoever holds the code.
    ("GET", MESSAGE): both(NO_CASE),
    ("GET", f"{MESSAGE}/timeline"): both(NO_CASE),
    ("GET", f"{MESSAGE}/personal-data"): both(NO_CASE),
    ("POST", f"{MESSAGE}/take"): clerk_step(NO_CASE),
    ("POST", f"{MESSAGE}/hand-over"): both(NO_CASE),  # an inspector hands over within the region
    ("POST", f"{MESSAGE}/extension"): clerk_step(NO_CASE),
    ("POST", f"{MESSAGE}/reply"): clerk_step(NO_CASE),
    ("POST", f"{MESSAGE}/close"): clerk_step(NO_CASE),
    ("POST", f"{MESSAGE}/return-visit"): clerk_step(NO_CASE),
    ("POST", f"{MESSAGE}/publication"): clerk_step(NO_CASE),
    ("POST", f"{MESSAGE}/rating"): ADMIN_ONLY,  # the sender's step: staff are refused by role
    ("POST", f"{MESSAGE}/attachments"): clerk_step(NO_CASE),
    ("GET", f"{MESSAGE}/attachments/{{attachment_id}}"): both(NO_CASE),
    ("POST", f"{MESSAGE}/refusal"): clerk_step(NO_CASE),
    ("GET", f"{MESSAGE}/notices"): both(NO_CASE),
    ("GET", f"{MESSAGE}/notices/{{notice_id}}.html"): both(NO_CASE),
    ("GET", f"{MESSAGE}/notices/{{notice_id}}.pdf"): both(NO_CASE),
    ("GET", f"{CONTACTS}/{{record_id}}"): both((404, "contact_record_not_found")),
    ("POST", f"{FEEDBACK}/track/{{tracking_no}}/attachments"): both(ok(201)),
    ("GET", f"{FEEDBACK}/track/{{tracking_no}}"): both(ok()),
    ("POST", f"{FEEDBACK}/track/{{tracking_no}}/rating"): both(ok()),
    ("GET", f"{FEEDBACK}/track/{{tracking_no}}/notices/{{notice_id}}.html"): both(ok()),
    ("GET", f"{FEEDBACK}/track/{{tracking_no}}/notices/{{notice_id}}.pdf"): both(ok()),
    ("POST", f"{FEEDBACK}/track/{{tracking_no}}/review"): both(ok(201)),
    ("GET", f"{FEEDBACK}/replies/{{reply_id}}"): both(ok()),
}
OUTSIDERS = ("other_clerk", "other_inspector")
REPLAYS = {"other_clerk": "clerk", "other_inspector": "inspector"}  # whose request each sends


def test_every_operation_that_takes_an_id_has_a_cross_scope_row() -> None:
    taking_ids = {key for key in MATRIX if "{" in key[1]}
    assert not taking_ids - CROSS_SCOPE.keys(), (
        "operations taking an id without a cross-scope row: "
        + ", ".join(f"{m} {p}" for m, p in sorted(taking_ids - CROSS_SCOPE.keys()))
    )
    assert not CROSS_SCOPE.keys() - taking_ids, (
        f"stale cross-scope rows: {sorted(CROSS_SCOPE.keys() - taking_ids)}"
    )


def _outsider_tokens(env: Env) -> dict[str, str]:
    """clerk2 (西岭县) and an inspector whose region is 西岭县, made once per cluster."""

    def make() -> dict[str, str]:
        username = unique("mx_west_inspector_")
        staff = {
            "username": username,
            "password": PASSWORD,
            "display_name": "西岭县监察人员",
            "role": "inspector",
            "region_id": env.state["agencies"]["990122"],
        }
        env.ok(env.client.post("/api/v1/admin/users", headers=env.auth("admin"), json=staff), 201)
        return {
            "other_clerk": login(env.client, "clerk2")["access_token"],
            "other_inspector": login(env.client, username)["access_token"],
        }

    return env.once("outsiders", make)


@pytest.mark.parametrize(("method", "path"), list(CROSS_SCOPE), ids=[f"{m} {p}" for m, p in CROSS_SCOPE])
def test_callers_outside_the_scope_get_what_the_design_says(env: Env, method: str, path: str) -> None:
    tokens = _outsider_tokens(env)
    problems: list[str] = []
    for who, (want, code) in zip(OUTSIDERS, CROSS_SCOPE[(method, path)], strict=True):
        request = REQUESTS[(method, path)](env, REPLAYS[who])
        request["headers"] = {**(request.get("headers") or {}), "Authorization": f"Bearer {tokens[who]}"}
        response = env.client.request(method, **request)
        got = (
            response.json().get("code")
            if response.headers.get("content-type", "").startswith(PROBLEM)
            else None
        )
        if (response.status_code, got) != (want, code):
            problems.append(
                f"{who}: expected {want} {code}, got {response.status_code} {response.text[:300]}"
            )
    assert not problems, f"{method} {path}:\n  " + "\n  ".join(problems)


def test_a_draft_and_its_records_are_missing_to_callers_outside_its_scope(env: Env) -> None:
    """The rows above read a published document's records (403); a draft's are not announced at all."""
    tokens = _outsider_tokens(env)
    draft = env.shared_draft()
    problems = []
    for suffix in ("", "/versions", "/amendments", "/personal-data", "/history"):
        url = f"{DOCUMENTS}/{draft}{suffix}"
        inside = env.client.get(url, headers=env.auth("inspector"))
        if inside.status_code != 200:
            problems.append(f"the region's inspector: GET {url} → {inside.status_code} {inside.text[:200]}")
        for who in OUTSIDERS:
            response = env.client.get(url, headers={"Authorization": f"Bearer {tokens[who]}"})
            if (response.status_code, response.json().get("code")) != NO_DOCUMENT:
                problems.append(f"{who}: GET {url} → {response.status_code} {response.text[:200]}")
    assert not problems, "\n  ".join(problems)


def test_a_drafts_attachment_is_missing_to_callers_outside_its_scope(env: Env) -> None:
    """An attachment is public with its published document, not before."""
    tokens = _outsider_tokens(env)
    attachment = env.once("draft_attachment", lambda: env.upload(env.draft()))
    url = f"{CATALOG}/attachments/{attachment}"
    assert env.client.get(url, headers=env.auth("clerk")).status_code == 200
    callers = {"anonymous": {}, **{who: {"Authorization": f"Bearer {tokens[who]}"} for who in OUTSIDERS}}
    never = env.client.get(f"{CATALOG}/attachments/2147483647")
    assert (never.status_code, never.json()["code"]) == (404, "attachment_not_found"), never.text
    for who, headers in callers.items():  # answered exactly as the attachment that never was
        response = env.client.get(url, headers=headers)
        assert (response.status_code, response.json()["code"]) == (404, "attachment_not_found"), (
            f"{who}: {response.status_code} {response.text[:200]}"
        )
