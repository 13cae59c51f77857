"""Every body-taking route refuses bad input cleanly, through the gateway, on every backend.

The routes and their fields come from the contract computed from the code (`build_from_code()`):
each operation with a `requestBody` gets malformed JSON, invalid UTF-8, a non-object, `{}`, an
unknown field, every field in a wrong type and as `null`, 100k-character strings (or one past a
longer maximum), out-of-range integers, NUL characters and too-big bodies (2 MB, with and without
Content-Length). Booleans also get a string and a number, dates and date-times impossible,
unparsable and extreme values (and a naive date-time), enums a non-member, arrays too many or
malformed items, arrays of objects every case above on their items' fields, nested objects a
wrong type, a missing required field and an unknown field, and every case above on their fields. The form-encoded
login gets the analogous form cases; the multipart attachment upload gets files of a type not
allowed, a misleading extension, an empty file, no file part, odd file names and 21 MB bodies
(its limit is 20 MB). Each case names the one answer it must get (`Expect`): the status (400
`malformed_json` or `malformed_body`, 413 `payload_too_large`, 422 `validation_failed` or the code
of the rule broken, or the route's own 2xx where the input is harmless: a null the route allows, a
file name made safe), the problem's `code`, and the field `errors[]` names — as
`application/problem+json`, never a 5xx. Afterwards the system still answers and the data accepted
before is still there.

Each route is called as the role that may call it (`Valid.caller`), on a target in the state the
route acts on (a draft, a document in review, a published document); a target is rebuilt after
any request that succeeded on it, so every case meets it in that state.
"""

from __future__ import annotations

import copy
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from shared.devrun import Cluster

PASSWORD = "gongkai-demo"
PROBLEM = "application/problem+json"
JSON, FORM, MULTIPART = "application/json", "application/x-www-form-urlencoded", "multipart/form-data"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
TWO_MB = 2 * 1024 * 1024
UPLOAD_TOO_BIG = 21 * 1024 * 1024  # uploads (POST …/attachments) may be 20 MB
LONG = 100_000
OK = frozenset(range(200, 300))
DEMO_CODES = {"990000", "990100", "990101", "990102", "990121", "990122", "99012101", "99012102", "99012201"}
CATALOG = "/api/v1/catalog"
DOCUMENTS = f"{CATALOG}/documents"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
BOUNDARY = "gongkai-bad-input-boundary"


# --- the routes, from the contract ------------------------------------------------------------


@cache
def contract() -> dict[str, Any]:
    from gateway.openapi import build_from_code

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:  # building the apps reconfigures logging; leave pytest's handlers as they were
        return build_from_code()
    finally:
        root.handlers[:], root.level = handlers, level


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return contract()["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else node


FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class FieldSpec:
    """One field of a request body; `path` reaches into arrays of objects (`documents.0.title`)."""

    path: FieldPath
    kind: str  # string, enum, integer, boolean, date, date-time, string-groups, objects, object, file
    nullable: bool
    max_length: int | None = None  # of a string, or of an array (its items)
    min_items: int = 0
    required: tuple[str, ...] = ()  # for `objects`: the required fields of each item; `object`: its own

    @property
    def name(self) -> str:
        return ".".join(str(p) for p in self.path)


def _fields(schema: dict[str, Any], prefix: FieldPath = ()) -> list[FieldSpec]:
    """The fields of an object schema, looking through `anyOf [X, null]` and into arrays of objects."""
    found = []
    for name, prop in schema["properties"].items():
        options = prop.get("anyOf", [prop])
        nullable = any(o.get("type") == "null" for o in options)
        options = [_resolve(o) for o in options if o.get("type") != "null"]
        assert len(options) == 1, f"unexpected union in request schema: {prop}"
        node, path = options[0], (*prefix, name)
        kind, items = node.get("type"), _resolve(node.get("items", {}))
        if kind == "string" and "enum" in node:
            kind = "enum"
        elif kind == "string" and node.get("format") in ("date", "date-time"):
            kind = node["format"]
        elif kind == "string" and (node.get("format") == "binary" or "contentMediaType" in node):
            kind = "file"
        elif (
            kind == "array"
            and items.get("type") == "array"
            and _resolve(items["items"]).get("type") == "string"
        ):
            kind = "string-groups"
        elif kind == "array" and items.get("type") == "object":
            kind = "objects"
            found += _fields(items, (*path, 0))
        elif kind == "object" and "properties" in node:  # a nested object (`sender.name`)
            found += _fields(node, path)
        assert kind in FIELD_CASES, f"request field of a type this test does not cover: {prop}"
        found.append(
            FieldSpec(
                path=path,
                kind=kind,
                nullable=nullable,
                max_length=node.get("maxLength", node.get("maxItems")),
                min_items=node.get("minItems", 0),
                required=tuple(
                    items.get("required", ())
                    if kind == "objects"
                    else node.get("required", ())
                    if kind == "object"
                    else ()
                ),
            )
        )
    return found


@dataclass(frozen=True)
class BodyRoute:
    method: str
    path: str
    media_type: str
    fields: tuple[FieldSpec, ...]
    required: tuple[str, ...]
    success: int  # the 2xx status the contract names for a request that works

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@cache
def body_routes() -> tuple[BodyRoute, ...]:
    found = []
    for path, item in contract()["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS or "requestBody" not in operation:
                continue
            content = operation["requestBody"]["content"]
            assert len(content) == 1, f"{method.upper()} {path}: more than one media type"
            ((media_type, body),) = content.items()
            schema = _resolve(body["schema"])
            found.append(
                BodyRoute(
                    method=method.upper(),
                    path=path,
                    media_type=media_type,
                    fields=tuple(_fields(schema)),
                    required=tuple(schema.get("required", ())),
                    success=min(int(status) for status in operation["responses"] if status.startswith("2")),
                )
            )
    return tuple(found)


# --- how to call each one validly ---------------------------------------------------------------


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def today() -> str:
    return date.today().isoformat()


def draft_body() -> dict[str, Any]:
    return {
        "title": unique("坏输入测试文件-"),
        "doc_number": "东政发〔2026〕99号",
        "written_on": today(),
        "information_date": today(),
        "category": "general",
        "doc_type": "notice",
        "validity": "valid",
        "scope": "public",
        "stage": "result",
        "body_text": "坏输入测试正文",
        "body_html": "<p>坏输入测试正文</p>",
    }


def site_body() -> dict[str, Any]:
    return {
        "origin": f"https://{unique('bad')}.example.gov.cn",
        "name": "坏输入测试网站",
        "rate_limit": "600/minute",
        "with_api_key": True,
    }


def edit_body() -> dict[str, Any]:
    """Every field of an edit or amendment (the validity has its own route)."""
    body = draft_body()
    del body["validity"]
    return body


GUIDE = {
    "how_to_apply": "向本机关政府信息公开工作机构提出申请，可当面、邮寄或在线提交。",
    "office_address": "东湖县人民路 1 号",
    "office_hours": "工作日 9:00-17:00",
    "phone": "0571-88880000",
    "email": "gongkai@donghu.example.gov.cn",
    "postal_code": "311100",
    "fees_note": "不收取费用。",
}


@dataclass
class Env:
    client: httpx.Client
    tokens: dict[str, str]  # admin, clerk (clerk1), reviewer (reviewer1: clerk1's second person), public
    state: dict[str, Any]

    def auth(self, who: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}

    @property
    def admin(self) -> dict[str, str]:
        return self.auth("admin")

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = self.client.request(method, url, **kwargs)
        if method == "POST" and url == "/api/v1/catalog/agencies" and response.status_code == 201:
            self.state["created_agencies"] += 1
        if response.status_code >= 500:
            # A 5xx makes the service close its connection right after answering; give the
            # gateway's pooled connection time to notice, so the next case is not a stray 503.
            time.sleep(0.5)
        return response

    def ok(self, response: httpx.Response, status: int) -> dict[str, Any]:
        assert response.status_code == status, f"setup failed: {response.request.url} {response.text}"
        return response.json()

    def throwaway_user(self) -> int:
        """Whose password the reset route may change (never a demo user's)."""
        if "user" not in self.state:
            self.state["user"] = self.ok(
                self.client.post(
                    "/api/v1/auth/register",
                    json={"username": unique("bad_"), "password": PASSWORD, "display_name": "坏输入测试用户"},
                ),
                201,
            )["id"]
        return self.state["user"]

    def throwaway_agency(self) -> int:
        """A province of its own, outside the demo tree, that PATCH may rename."""
        if "agency" not in self.state:
            self.state["agency"] = self.ok(
                self.send(
                    "POST",
                    "/api/v1/catalog/agencies",
                    headers=self.admin,
                    json={"code": unique("BAD"), "name": "坏输入测试省", "level": "province"},
                ),
                201,
            )["id"]
        return self.state["agency"]

    def throwaway_site(self) -> int:
        """An embedding site of a made-up origin, that PATCH may change."""
        if "site" not in self.state:
            self.state["site"] = self.ok(
                self.client.post("/api/v1/admin/sites", headers=self.admin, json=site_body()), 201
            )["id"]
        return self.state["site"]

    def refresh_token(self) -> str:
        login = self.client.post("/api/v1/auth/token", data={"username": "citizen", "password": PASSWORD})
        return self.ok(login, 200)["refresh_token"]

    # Documents of agency 990121, whose clerks are clerk1 ("clerk") and reviewer1 ("reviewer").

    @property
    def county(self) -> int:
        return self.state["agencies"]["990121"]

    def target(self, key: tuple[str, str], make: Callable[[], int]) -> int:
        """The document a route acts on, made once and reused until a request succeeds on it."""
        targets = self.state["targets"]
        if key not in targets:
            targets[key] = make()
        return targets[key]

    def draft(self, author: str = "clerk") -> int:
        response = self.client.post(DOCUMENTS, headers=self.auth(author), json=draft_body())
        return self.ok(response, 201)["id"]

    def submit(self, document_id: int, by: str) -> None:
        self.ok(self.client.post(f"{DOCUMENTS}/{document_id}/submit", headers=self.auth(by)), 200)

    def in_review(self) -> int:
        """Written and submitted by reviewer1, so clerk1, a second person, may approve or return it."""
        document_id = self.draft("reviewer")
        self.submit(document_id, "reviewer")
        return document_id

    def published(self) -> int:
        """Written and submitted by clerk1, approved by reviewer1."""
        document_id = self.draft("clerk")
        self.submit(document_id, "clerk")
        approval = self.client.post(
            f"{DOCUMENTS}/{document_id}/approve",
            headers=self.auth("reviewer"),
            json={"confidentiality_checked": True},
        )
        assert self.ok(approval, 200)["status"] == "published"
        return document_id

    def pending_amendment(self) -> int:
        """A published document with an amendment proposed by reviewer1, for clerk1 to review; the
        amendment's id is kept in `state["amendments"]`."""
        document_id = self.published()
        response = self.client.post(
            f"{DOCUMENTS}/{document_id}/amend",
            headers=self.auth("reviewer"),
            json={"title": "坏输入测试：待审修订", "reason": "坏输入测试修订"},
        )
        self.state.setdefault("amendments", {})[document_id] = self.ok(response, 201)["id"]
        return document_id

    # Applications (依申请公开) to agency 990121: "public" (citizen) applies, clerk1 handles them.

    def applied(self) -> int:
        response = self.client.post(APPLICATIONS, headers=self.auth("public"), json=application_body(self))
        return self.ok(response, 201)["id"]

    def corrections_asked(self) -> int:
        application_id = self.applied()
        url = f"{APPLICATIONS}/{application_id}/correction-request"
        self.ok(self.client.post(url, headers=self.auth("clerk"), json=correction_notice()), 200)
        return application_id

    def consulting(self) -> int:
        application_id = self.applied()
        body = {"kind": "third_party", "party": "坏输入测试公司", "reason": "坏输入测试：涉及商业秘密"}
        url = f"{APPLICATIONS}/{application_id}/consultation"
        self.ok(self.client.post(url, headers=self.auth("clerk"), json=body), 200)
        return application_id

    def on_paper(self) -> int:
        """A letter registered today by the agency's clerk (no citizen account owns it)."""
        letter = {
            **application_body(self),
            "channel": "letter_registered",
            "signed_for_on": shanghai_today().isoformat(),
        }
        response = self.client.post(f"{APPLICATIONS}/registrations", headers=self.auth("clerk"), json=letter)
        return self.ok(response, 201)["id"]

    def abandonable(self) -> int:
        """A letter signed for a month ago; a correction asked for the next day, 1 working day given."""
        signed = shanghai_today() - timedelta(days=30)
        letter = {
            **application_body(self),
            "channel": "letter_registered",
            "signed_for_on": signed.isoformat(),
        }
        clerk = self.auth("clerk")
        application_id = self.ok(
            self.client.post(f"{APPLICATIONS}/registrations", headers=clerk, json=letter), 201
        )["id"]
        notice = {**correction_notice(), "days": 1, "notified_on": (signed + timedelta(days=1)).isoformat()}
        url = f"{APPLICATIONS}/{application_id}/correction-request"
        self.ok(self.client.post(url, headers=clerk, json=notice), 200)
        return application_id

    # Feedback cases at agency 990121: "public" (citizen) writes, clerk1 takes and handles them.

    def feedback_case(self, state: str = "received") -> int:
        """A fresh complaint brought to `state` (received, assigned, replied, closed) by clerk1; its
        receipt (with the query code, shown once) is kept under `receipts`."""
        receipt = self.ok(
            self.client.post(MESSAGES, headers=self.auth("public"), json=message_body(self)), 201
        )
        self.state.setdefault("receipts", {})[receipt["id"]] = receipt
        clerk, url = self.auth("clerk"), f"{MESSAGES}/{receipt['id']}"
        steps = [
            ("take", {"level": "own_authority"}),
            ("reply", {"reply": "坏输入测试：答复内容"}),
            ("close", {"note": "坏输入测试：办结"}),
        ]
        for action, body in steps[: ("received", "assigned", "replied", "closed").index(state)]:
            self.ok(self.client.post(f"{url}/{action}", headers=clerk, json=body), 200)
        return receipt["id"]

    def letter_case(self, *, taken: bool = True) -> int:
        """A letter clerk1 recorded as a case and took (信访: its time limit may be extended), or
        left to decide on (受理 or 不予受理)."""
        record = {**contact_body(self), "channel": "letter"}
        del record["duration_seconds"]
        receipt = self.ok(self.client.post(CONTACTS, headers=self.auth("clerk"), json=record), 201)
        case_id = receipt["case"]["id"]
        self.state.setdefault("receipts", {})[case_id] = receipt["case"]
        if taken:
            self.ok(self.client.post(f"{MESSAGES}/{case_id}/take", headers=self.auth("clerk"), json={}), 200)
        return case_id

    def answered_letter(self) -> int:
        """A letter clerk1 took and answered (its 办理意见书: 复查 may be asked for by code)."""
        case_id = self.letter_case()
        reply = {"reply": "坏输入测试：办理意见"}
        self.ok(self.client.post(f"{MESSAGES}/{case_id}/reply", headers=self.auth("clerk"), json=reply), 200)
        return case_id


APPLICATIONS = "/api/v1/requests"
FEEDBACK = "/api/v1/feedback"
MESSAGES = f"{FEEDBACK}/messages"
CONTACTS = f"{FEEDBACK}/contact-records"


def shanghai_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def resident_id(first17: str = "11010519491231002") -> str:
    from shared.personal_data import resident_id_check_digit

    return first17 + resident_id_check_digit(first17)


def application_body(env: Env) -> dict[str, Any]:
    """Every field of an application."""
    return {
        "agency_id": env.county,
        "applicant_type": "natural_person",
        "applicant_name": "坏输入测试申请人",
        "id_type": "resident_id",
        "id_number": resident_id(),
        "phone": "13812345678",
        "email": "applicant@example.org",
        "address": "青山市东湖县城关镇人民路12号",
        "description": "坏输入测试：2025年最低生活保障资金发放情况",
        "form": "electronic",
        "delivery": "email",
    }


def correction_notice() -> dict[str, Any]:
    return {
        "items": [{"text": "坏输入测试：请写明文件名称"}],
        "days": 10,
        "notified_on": shanghai_today().isoformat(),
    }


def _app(suffix: str) -> tuple[str, str]:
    return ("POST", f"{APPLICATIONS}/{{application_id}}{suffix}")


def _on_app(suffix: str, make: Callable[[Env], int]) -> Callable[[Env, Any], str]:
    key = _app(suffix)
    return lambda env, aid: (
        f"{APPLICATIONS}/{env.target(key, lambda: make(env)) if aid is None else aid}{suffix}"
    )


def fee_notice_body() -> dict[str, Any]:
    return {"method": "by_pages", "pages": 31, "reason": "坏输入测试：页数较多"}


def fee_notified(env: Env, delivery: str = "online") -> int:
    """An application of agency 990121 with an unpaid fee notice from clerk1."""
    application_id = env.applied()
    url = f"{APPLICATIONS}/{application_id}/fee-notice"
    body = {**fee_notice_body(), "delivery": delivery}
    env.ok(env.client.post(url, headers=env.auth("clerk"), json=body), 201)
    return application_id


def review_case_body() -> dict[str, Any]:
    return {"kind": "reconsideration", "filed_on": shanghai_today().isoformat(), "note": "坏输入测试：复议"}


def review_case(env: Env) -> int:
    """A reconsideration of an application of agency 990121, filed by clerk1 (its result may change)."""
    if "review_case" not in env.state:
        url = f"{APPLICATIONS}/{env.applied()}/review-cases"
        response = env.client.post(url, headers=env.auth("clerk"), json=review_case_body())
        env.state["review_case"] = env.ok(response, 201)["id"]
    return env.state["review_case"]


def message_body(env: Env) -> dict[str, Any]:
    """Every field of a complaint to agency 990121 (new words each time: the same message twice
    within 24 hours is refused)."""
    return {
        "kind": "complaint",
        "agency_id": env.county,
        "subject": "坏输入测试留言",
        "content": unique("坏输入测试：留言内容 "),
        "anonymous": False,
        "sender": {
            "name": "坏输入测试留言人",
            "phone": "13812345678",
            "email": "sender@example.org",
            "address": "青山市东湖县城关镇人民路12号",
        },
        "consent_to_publish": True,
    }


def contact_body(env: Env) -> dict[str, Any]:
    """Every field of a call to clerk1's hotline that opens a case (an hour ago)."""
    return {
        "channel": "hotline",
        "agency_id": env.county,
        "occurred_at": (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(hours=1)).isoformat(),
        "duration_seconds": 300,
        "contact_number": "13812345678",
        "contact_name": "坏输入测试来电人",
        "contact_address": "青山市东湖县城关镇人民路12号",
        "kind": "complaint",
        "summary": unique("坏输入测试：来电投诉 "),
        "disposition": "case_opened",
        "subject": "坏输入测试来电",
        "consent_to_publish": True,
    }


def _case(suffix: str) -> tuple[str, str]:
    return ("POST", f"{MESSAGES}/{{case_id}}{suffix}")


def _on_case(suffix: str, make: Callable[[Env], int]) -> Callable[[Env, Any], str]:
    key = _case(suffix)
    return lambda env, cid: f"{MESSAGES}/{env.target(key, lambda: make(env)) if cid is None else cid}{suffix}"


TRACKED_RATING = ("POST", f"{FEEDBACK}/track/{{tracking_no}}/rating")


TRACKED_UPLOAD = ("POST", f"{FEEDBACK}/track/{{tracking_no}}/attachments")
TRACKED_REVIEW = ("POST", f"{FEEDBACK}/track/{{tracking_no}}/review")


def review_receipt(env: Env) -> dict[str, Any]:
    """The receipt (tracking number, query code) of an answered letter, whose sender asks for 复查."""
    return env.state["receipts"][env.target(TRACKED_REVIEW, env.answered_letter)]


def tracked_upload_url(env: Env, no: Any) -> str:
    """An open case's tracking URL with its code (anonymous senders add files this way)."""
    case_id = env.target(TRACKED_UPLOAD, lambda: env.feedback_case("assigned"))
    receipt = env.state["receipts"][case_id]
    return f"{FEEDBACK}/track/{receipt['tracking_no'] if no is None else no}/attachments?code={receipt['query_code']}"


def tracked(env: Env) -> dict[str, Any]:
    """The receipt (tracking number, query code) of a replied case, rated by whoever holds it."""
    case_id = env.target(TRACKED_RATING, lambda: env.feedback_case("replied"))
    return env.state["receipts"][case_id]


PLACEHOLDER_REFRESH = "0123456789abcdef.not-a-real-refresh-secret"
SEARCH_CLICKS = ("POST", f"{CATALOG}/search/clicks")


@dataclass(frozen=True)
class Valid:
    """A request the route accepts: its URL (path params filled), who calls it, a body."""

    url: Callable[[Env, Any], str]
    body: Callable[[Env], dict[str, Any]]
    caller: str | None = None  # "admin", "clerk" (clerk1), "public" (citizen) or nobody
    control: Callable[[Env], dict[str, Any]] | None = None  # the positive control, when `body` is not
    consumes: bool = False  # a success moves the target out of the state the route acts on
    # Fields the schema leaves optional but the target needs (a mailbox case is taken with a
    # coordination level, a letter without one): `{}` is then a 422 naming them, not a success.
    needed: tuple[str, ...] = ()


def _on(suffix: str, make: Callable[[Env], int], key: tuple[str, str]) -> Callable[[Env, Any], str]:
    """The URL of a document route: its own target, or the id a case asks for."""
    return lambda env, did: (
        f"{DOCUMENTS}/{env.target(key, lambda: make(env)) if did is None else did}{suffix}"
    )


def _on_amendment(suffix: str, key: tuple[str, str]) -> Callable[[Env, Any], str]:
    """The URL of a decision on a pending amendment: its own, or the amendment id a case asks for."""

    def url(env: Env, amendment_id: Any) -> str:
        document_id = env.target(key, env.pending_amendment)
        found = env.state["amendments"][document_id] if amendment_id is None else amendment_id
        return f"{DOCUMENTS}/{document_id}/amendments/{found}{suffix}"

    return url


def _doc(method: str, suffix: str) -> tuple[str, str]:
    return (method, f"{DOCUMENTS}/{{document_id}}{suffix}")


VALID: dict[tuple[str, str], Valid] = {
    ("POST", "/api/v1/auth/register"): Valid(
        url=lambda env, _: "/api/v1/auth/register",
        body=lambda env: {
            "username": unique("bad_"),
            "password": PASSWORD,
            "display_name": "坏输入测试",
            "account_type": "person",
            "email": "bad@example.org",
            "phone": "+86 571 0000",
        },
    ),
    ("POST", "/api/v1/auth/token"): Valid(
        url=lambda env, _: "/api/v1/auth/token",
        body=lambda env: {"username": "citizen", "password": PASSWORD},
    ),
    ("POST", "/api/v1/auth/refresh"): Valid(
        url=lambda env, _: "/api/v1/auth/refresh",
        body=lambda env: {"refresh_token": PLACEHOLDER_REFRESH},
        control=lambda env: {"refresh_token": env.refresh_token()},
    ),
    ("POST", "/api/v1/auth/logout"): Valid(
        url=lambda env, _: "/api/v1/auth/logout",
        body=lambda env: {"refresh_token": PLACEHOLDER_REFRESH},
        control=lambda env: {"refresh_token": env.refresh_token()},
    ),
    ("POST", "/api/v1/admin/users"): Valid(
        url=lambda env, _: "/api/v1/admin/users",
        body=lambda env: {
            "username": unique("bad_"),
            "password": PASSWORD,
            "display_name": "坏输入经办人",
            "role": "clerk",
            "agency_id": env.state["agencies"]["990121"],
            "email": "clerk@example.org",
            "phone": "0571-0000000",
        },
        caller="admin",
    ),
    ("POST", "/api/v1/admin/users/{user_id}/password"): Valid(
        url=lambda env, uid: f"/api/v1/admin/users/{env.throwaway_user() if uid is None else uid}/password",
        body=lambda env: {"new_password": unique("new-passphrase-")},
        caller="admin",
    ),
    ("POST", "/api/v1/admin/sites"): Valid(
        url=lambda env, _: "/api/v1/admin/sites", body=lambda env: site_body(), caller="admin"
    ),
    ("PATCH", "/api/v1/admin/sites/{site_id}"): Valid(
        url=lambda env, sid: f"/api/v1/admin/sites/{env.throwaway_site() if sid is None else sid}",
        body=lambda env: {"name": unique("坏输入测试网站-"), "rate_limit": "600/minute", "is_active": True},
        caller="admin",
    ),
    ("POST", "/api/v1/catalog/agencies"): Valid(
        url=lambda env, _: "/api/v1/catalog/agencies",
        body=lambda env: {
            "code": unique("BAD"),
            "name": "坏输入测试部门",
            "level": "department",
            "parent_id": env.throwaway_agency(),
        },
        caller="admin",
    ),
    ("PATCH", "/api/v1/catalog/agencies/{agency_id}"): Valid(
        url=lambda env, aid: f"/api/v1/catalog/agencies/{env.throwaway_agency() if aid is None else aid}",
        body=lambda env: {"name": unique("坏输入测试省-")},
        caller="admin",
    ),
    ("PUT", "/api/v1/catalog/agencies/{agency_id}/rule-set"): Valid(
        url=lambda env, aid: f"{CATALOG}/agencies/{env.throwaway_agency() if aid is None else aid}/rule-set",
        # The same change each time (a repeat records nothing), a month ahead.
        body=lambda env: {
            "rule_set": "local-legacy",
            "effective_on": (shanghai_today() + timedelta(days=30)).isoformat(),
            "reason": "坏输入测试：期限规则",
        },
        caller="admin",
    ),
    # --- catalog: vocabulary and search settings (admin) ---
    ("POST", "/api/v1/catalog/vocabulary/categories"): Valid(
        url=lambda env, _: f"{CATALOG}/vocabulary/categories",
        body=lambda env: {"code": unique("bad_"), "label": "坏输入测试分类"},
        caller="admin",
    ),
    ("POST", "/api/v1/catalog/vocabulary/doc-types"): Valid(
        url=lambda env, _: f"{CATALOG}/vocabulary/doc-types",
        body=lambda env: {"code": unique("bad_"), "label": "坏输入测试体裁"},
        caller="admin",
    ),
    ("PUT", "/api/v1/catalog/search/synonyms"): Valid(
        url=lambda env, _: f"{CATALOG}/search/synonyms",
        # The groups as they are (a no-op replacement), so other tests' synonyms are left alone.
        body=lambda env: env.ok(env.client.get(f"{CATALOG}/search/synonyms", headers=env.admin), 200),
        caller="admin",
    ),
    # --- catalog: a click on a search result (anyone; a published document of agency 990121) ---
    SEARCH_CLICKS: Valid(
        url=lambda env, _: f"{CATALOG}/search/clicks",
        body=lambda env: {
            "q": "坏输入测试",
            "document_id": env.target(SEARCH_CLICKS, env.published),
            "position": 1,
        },
    ),
    # --- requests: the holiday calendar (a far year no application reaches) ---
    ("PUT", "/api/v1/admin/calendar/{year}"): Valid(
        url=lambda env, year: f"/api/v1/admin/calendar/{2091 if year is None else year}",
        body=lambda env: {
            "days": [
                {"day": "2091-01-01", "working": False, "name": "元旦"},
                {"day": "2091-01-06", "working": True, "name": "坏输入测试调休"},
            ]
        },
        caller="admin",
    ),
    # --- catalog: documents of agency 990121, written by clerk1 ---
    ("POST", DOCUMENTS): Valid(url=lambda env, _: DOCUMENTS, body=lambda env: draft_body(), caller="clerk"),
    ("POST", f"{DOCUMENTS}/import"): Valid(
        url=lambda env, _: f"{DOCUMENTS}/import",
        body=lambda env: {
            "documents": [
                {
                    **draft_body(),
                    "agency_id": env.county,
                    "published_on": "2025-03-03",
                    "index_no": unique("BAD-IMPORT-"),
                }
            ]
        },
        caller="admin",
    ),
    _doc("PATCH", ""): Valid(
        url=_on("", Env.draft, _doc("PATCH", "")),
        body=lambda env: edit_body(),
        caller="clerk",
    ),
    _doc("POST", "/approve"): Valid(
        url=_on("/approve", Env.in_review, _doc("POST", "/approve")),
        body=lambda env: {"confidentiality_checked": True, "note": "坏输入测试：已审查"},
        caller="clerk",
        consumes=True,
    ),
    _doc("POST", "/return"): Valid(
        url=_on("/return", Env.in_review, _doc("POST", "/return")),
        body=lambda env: {"reason": "坏输入测试：请补充依据"},
        caller="clerk",
        consumes=True,
    ),
    _doc("POST", "/amend"): Valid(
        url=_on("/amend", Env.published, _doc("POST", "/amend")),
        body=lambda env: {**edit_body(), "reason": "坏输入测试修订"},
        caller="clerk",
    ),
    _doc("POST", "/amendments/{amendment_id}/approve"): Valid(
        url=_on_amendment("/approve", _doc("POST", "/amendments/{amendment_id}/approve")),
        body=lambda env: {"confidentiality_checked": True, "note": "坏输入测试：已审查"},
        caller="clerk",
        consumes=True,
    ),
    _doc("POST", "/amendments/{amendment_id}/return"): Valid(
        url=_on_amendment("/return", _doc("POST", "/amendments/{amendment_id}/return")),
        body=lambda env: {"reason": "坏输入测试：请删除个人信息"},
        caller="clerk",
        consumes=True,
    ),
    _doc("POST", "/validity"): Valid(
        url=_on("/validity", Env.published, _doc("POST", "/validity")),
        body=lambda env: {"validity": "expired", "reason": "坏输入测试：已失效"},
        caller="clerk",
        consumes=True,
    ),
    _doc("POST", "/revoke"): Valid(
        url=_on("/revoke", Env.published, _doc("POST", "/revoke")),
        body=lambda env: {"reason": "坏输入测试：撤销"},
        caller="clerk",
        consumes=True,
    ),
    _doc("POST", "/attachments"): Valid(
        url=_on("/attachments", Env.draft, _doc("POST", "/attachments")),
        body=lambda env: {"file": ("a.pdf", PDF)},
        caller="clerk",
    ),
    ("PUT", f"{CATALOG}/agencies/{{agency_id}}/guide"): Valid(
        url=lambda env, aid: f"{CATALOG}/agencies/{env.county if aid is None else aid}/guide",
        body=lambda env: dict(GUIDE),
        caller="clerk",
    ),
    # --- requests: applications to agency 990121 (the citizen applies, clerk1 handles) ---
    ("POST", APPLICATIONS): Valid(url=lambda env, _: APPLICATIONS, body=application_body, caller="public"),
    ("POST", f"{APPLICATIONS}/registrations"): Valid(
        url=lambda env, _: f"{APPLICATIONS}/registrations",
        body=lambda env: {
            **application_body(env),
            "channel": "letter_registered",
            "signed_for_on": shanghai_today().isoformat(),
            "confirmed_on": shanghai_today().isoformat(),
        },
        caller="clerk",
    ),
    _app("/correction-request"): Valid(
        url=_on_app("/correction-request", Env.applied),
        body=lambda env: correction_notice(),
        caller="clerk",
        consumes=True,
    ),
    _app("/correction"): Valid(
        url=_on_app("/correction", Env.corrections_asked),
        body=lambda env: {"text": "坏输入测试：补正内容"},
        caller="public",
        consumes=True,
    ),
    _app("/correction/attachments"): Valid(
        url=_on_app("/correction/attachments", Env.corrections_asked),
        body=lambda env: {"file": ("补正材料.pdf", PDF)},
        caller="public",
        consumes=True,  # at most 10 files per application: each success gets a new one
    ),
    _app("/consultation"): Valid(
        url=_on_app("/consultation", Env.applied),
        body=lambda env: {"kind": "third_party", "party": "坏输入测试公司", "reason": "坏输入测试：征求意见"},
        caller="clerk",
        consumes=True,
    ),
    _app("/consultation/end"): Valid(
        url=_on_app("/consultation/end", Env.consulting),
        body=lambda env: {"opinion": "坏输入测试：同意公开"},
        caller="clerk",
        consumes=True,
    ),
    _app("/extension"): Valid(
        url=_on_app("/extension", Env.applied),
        body=lambda env: {
            "days": 5,
            "reason": "坏输入测试：需要汇总",
            "approver_name": "坏输入测试负责人",
            "approver_role": "政府信息公开办公室主任",
        },
        caller="clerk",
        consumes=True,
    ),
    _app("/decision"): Valid(
        url=_on_app("/decision", Env.applied),
        body=lambda env: {
            "outcome": "partially_disclosed",
            "reason": "坏输入测试：部分公开",
            "legal_basis": "条例第三十七条",
            "disclosed": "坏输入测试：公开的部分",
            "withheld": [{"item": "坏输入测试：个人信息", "reason": "坏输入测试：个人隐私"}],
        },
        caller="clerk",
        consumes=True,
    ),
    _app("/referral"): Valid(
        url=_on_app("/referral", Env.applied),
        body=lambda env: {
            "kind": "other_agency",
            "document_id": 1,
            "agency_name": "青山市民政局",
            "reason": "坏输入测试：不属于本机关",
        },
        caller="clerk",
        consumes=True,
    ),
    _app("/withdrawal"): Valid(
        url=_on_app("/withdrawal", Env.applied),
        body=lambda env: {"reason": "坏输入测试：不需要了"},
        caller="public",
        consumes=True,
    ),
    _app("/withdrawal/attachments"): Valid(
        url=_on_app("/withdrawal/attachments", Env.on_paper),
        body=lambda env: {"file": ("撤回信.pdf", PDF)},
        caller="clerk",
        consumes=True,  # at most 10 files per application: each success gets a new one
    ),
    _app("/abandonment"): Valid(
        url=_on_app("/abandonment", Env.abandonable),
        body=lambda env: {"reason": "坏输入测试：逾期未补正"},
        caller="clerk",
        consumes=True,
    ),
    _app("/fee-notice"): Valid(
        url=_on_app("/fee-notice", Env.applied),
        body=lambda env: fee_notice_body(),
        caller="clerk",
        consumes=True,
    ),
    _app("/fee-receipt"): Valid(
        url=_on_app("/fee-receipt", lambda env: fee_notified(env, "post")),
        body=lambda env: {"received_on": shanghai_today().isoformat()},
        caller="clerk",
        consumes=True,
    ),
    _app("/fee-relief"): Valid(
        url=_on_app("/fee-relief", fee_notified),
        body=lambda env: {
            "kind": "reduced",
            "amount": 5,
            "reason_code": "financial_hardship",
            "reason": "坏输入测试：经济困难",
        },
        caller="clerk",
        consumes=True,
    ),
    _app("/fee-paid"): Valid(
        url=_on_app("/fee-paid", fee_notified),
        body=lambda env: {"paid_on": shanghai_today().isoformat(), "note": "坏输入测试：票据 001"},
        caller="clerk",
        consumes=True,
    ),
    _app("/assignment"): Valid(
        url=_on_app("/assignment", Env.applied),
        # reviewer1: a working clerk of clerk1's agency
        body=lambda env: {"clerk_id": str(env.state["users"]["reviewer1"]), "reason": "坏输入测试：分派"},
        caller="clerk",
    ),
    _app("/review-cases"): Valid(
        url=_on_app("/review-cases", Env.applied),
        body=lambda env: review_case_body(),
        caller="clerk",
    ),
    ("PATCH", f"{APPLICATIONS}/review-cases/{{case_id}}"): Valid(
        url=lambda env, cid: f"{APPLICATIONS}/review-cases/{review_case(env) if cid is None else cid}",
        body=lambda env: {
            "result": "upheld",
            "concluded_on": shanghai_today().isoformat(),
            "note": "坏输入测试：维持",
        },
        caller="clerk",
    ),
    # The annual report's written sections (一、五、六) of agency 990121 for this year.
    ("PUT", f"{APPLICATIONS}/reports/annual/{{agency_id}}/{{year}}/texts"): Valid(
        url=lambda env, year: (
            f"{APPLICATIONS}/reports/annual/{env.county}/{shanghai_today().year if year is None else year}/texts"
        ),
        body=lambda env: {"overview": "坏输入测试：总体情况", "problems": "", "other_matters": ""},
        caller="clerk",
    ),
    # --- feedback: messages to agency 990121 (the citizen writes, clerk1 handles) ---
    ("POST", MESSAGES): Valid(url=lambda env, _: MESSAGES, body=message_body, caller="public"),
    _case("/take"): Valid(
        url=_on_case("/take", Env.feedback_case),
        body=lambda env: {"level": "own_authority", "note": "坏输入测试：受理"},
        caller="clerk",
        consumes=True,
        needed=("level",),
    ),
    _case("/hand-over"): Valid(
        url=_on_case("/hand-over", Env.feedback_case),
        # To clerk2's county (to_clerk_id, a colleague, is the other choice: one of the two is given).
        body=lambda env: {"to_agency_id": env.state["agencies"]["990122"], "reason": "坏输入测试：移交"},
        caller="clerk",
        consumes=True,
    ),
    _case("/extension"): Valid(
        url=_on_case("/extension", Env.letter_case),
        body=lambda env: {"days": 5, "reason": "坏输入测试：需要协调"},
        caller="clerk",
        consumes=True,
    ),
    _case("/reply"): Valid(
        url=_on_case("/reply", lambda env: env.feedback_case("assigned")),
        body=lambda env: {"reply": "坏输入测试：答复内容"},
        caller="clerk",
        consumes=True,
    ),
    _case("/close"): Valid(
        url=_on_case("/close", lambda env: env.feedback_case("replied")),
        body=lambda env: {"note": "坏输入测试：办结"},
        caller="clerk",
        consumes=True,
    ),
    _case("/rating"): Valid(
        url=_on_case("/rating", lambda env: env.feedback_case("replied")),
        body=lambda env: {"rating": "unsatisfied", "comment": "坏输入测试：不满意", "reopen": True},
        caller="public",
        consumes=True,
    ),
    _case("/return-visit"): Valid(
        url=_on_case("/return-visit", lambda env: env.feedback_case("closed")),
        body=lambda env: {"visited_on": shanghai_today().isoformat(), "note": "坏输入测试：回访"},
        caller="clerk",
        consumes=True,
    ),
    _case("/publication"): Valid(
        url=_on_case("/publication", lambda env: env.feedback_case("replied")),
        body=lambda env: {
            "subject": "坏输入测试公开标题",
            "question": "坏输入测试：公开的问题",
            "answer": "坏输入测试：公开的答复",
        },
        caller="clerk",
        consumes=True,
    ),
    # Anonymous: whoever holds the tracking number and the query code.
    TRACKED_RATING: Valid(
        url=lambda env, no: f"{FEEDBACK}/track/{tracked(env)['tracking_no'] if no is None else no}/rating",
        body=lambda env: {
            "code": tracked(env)["query_code"],
            "rating": "basically_satisfied",
            "comment": "坏输入测试：基本满意",
            "reopen": False,
        },
        consumes=True,
    ),
    _case("/refusal"): Valid(
        url=_on_case("/refusal", lambda env: env.letter_case(taken=False)),
        body=lambda env: {"reason": "not_competent", "text": "坏输入测试：不属于本机关职权范围"},
        caller="clerk",
        consumes=True,
    ),
    TRACKED_REVIEW: Valid(
        url=lambda env, no: (
            f"{FEEDBACK}/track/{review_receipt(env)['tracking_no'] if no is None else no}/review"
        ),
        body=lambda env: {
            "code": review_receipt(env)["query_code"],
            "level": "review",
            "reason": "坏输入测试：对办理意见不服",
            "received_on": shanghai_today().isoformat(),
        },
        consumes=True,
    ),
    ("POST", CONTACTS): Valid(url=lambda env, _: CONTACTS, body=contact_body, caller="clerk"),
    _case("/attachments"): Valid(
        url=_on_case("/attachments", lambda env: env.feedback_case("assigned")),
        body=lambda env: {"file": ("现场照片.pdf", PDF)},
        caller="public",
        consumes=True,  # at most 5 files per case: each success gets a new one
    ),
    TRACKED_UPLOAD: Valid(
        url=tracked_upload_url, body=lambda env: {"file": ("证据.pdf", PDF)}, consumes=True
    ),
}


# --- the cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    route: BodyRoute
    name: str
    field: FieldSpec | None = None
    value: Any = None

    @property
    def id(self) -> str:
        return f"{self.route.label} | {self.name}" + (f" [{self.field.name}]" if self.field else "")


JSON_CASES = (
    "valid",
    "malformed_json",
    "invalid_utf8",
    "not_an_object",
    "missing_required",
    "unknown_field",
    "too_big_content_length",
    "too_big_chunked",
)
FORM_CASES = (
    "valid",
    "malformed_form",
    "invalid_utf8",
    "invalid_utf8_percent_encoded",
    "missing_required",
    "json_instead_of_form",
    "unknown_field",
    "too_big_content_length",
    "too_big_chunked",
)
MULTIPART_CASES = (
    "valid",
    "malformed_multipart",
    "no_boundary",
    "invalid_utf8",
    "missing_required",
    "json_instead_of_multipart",
    "unknown_field",
    "too_big_content_length",
    "too_big_chunked",
)
OUT_OF_RANGE = {"2^31": 2**31, "2^63": 2**63}  # beyond PostgreSQL integer, beyond SQLite INTEGER
FIELD_CASES = {
    "string": ("null", "wrong_type_number", "wrong_type_list", "string_100k", "nul_character"),
    "enum": ("null", "wrong_type_number", "wrong_type_list", "not_a_member", "nul_character"),
    "integer": (
        "null",
        "wrong_type_string",
        "wrong_type_list",
        "integer_out_of_range_2^31",
        "integer_out_of_range_2^63",
    ),
    "boolean": ("null", "wrong_type_string", "wrong_type_number", "wrong_type_list"),
    "date": ("null", "impossible_date", "not_a_date", "wrong_type_list", "far_past", "far_future"),
    "date-time": (
        "null",
        "impossible_date",
        "not_a_date",
        "wrong_type_list",
        "naive_datetime",
        "far_past",
        "far_future",
    ),
    "string-groups": (
        "null",
        "wrong_type_string",
        "flat_list",
        "wrong_item_type",
        "string_100k",
        "empty_string",
        "nul_character",
        "too_many_items",
    ),
    "objects": (
        "null",
        "wrong_type_string",
        "wrong_type_object",
        "item_not_object",
        "empty_list",
        "too_many_items",
        "item_missing_required",
        "item_unknown_field",
    ),
    "object": (
        "null",
        "wrong_type_string",
        "wrong_type_list",
        "object_missing_required",
        "object_unknown_field",
    ),
    "file": (
        "not_allowed_type",
        "wrong_extension",
        "empty_file",
        "text_instead_of_file",
        "nul_in_filename",
        "long_filename",
        "path_in_filename",
    ),
}
# Values that stay out of the valid range of any real date (and that parse).
FAR = {
    "far_past": ("0001-01-01", "0001-01-01T00:00:00+00:00"),
    "far_future": ("9999-12-31", "9999-12-31T23:59:59+00:00"),
}


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for route in body_routes():
        fields = {f.name: f for f in route.fields}
        if route.media_type == FORM:
            cases += [Case(route, name) for name in FORM_CASES]
            cases += [Case(route, "string_100k", f) for f in route.fields if f.kind == "string"]
            cases += [Case(route, "nul_character", fields[name]) for name in ("username", "password")]
            cases.append(Case(route, "wrong_value", fields["grant_type"], "client_credentials"))
            continue
        cases += [
            Case(route, name) for name in (MULTIPART_CASES if route.media_type == MULTIPART else JSON_CASES)
        ]
        for spec in route.fields:
            for name in FIELD_CASES[spec.kind]:
                if name == "too_many_items" and spec.max_length is None:
                    continue
                label = name.rsplit("_", 1)[-1]
                cases.append(Case(route, name, spec, OUT_OF_RANGE.get(label)))
        if "{" in route.path:
            cases += [
                Case(route, f"path_id_out_of_range_{label}", None, value)
                for label, value in OUT_OF_RANGE.items()
            ]
    return cases


CASES = all_cases()


def test_every_body_taking_route_is_covered() -> None:
    routes = body_routes()
    assert routes, "the contract has no operation with a requestBody: the derivation is broken"
    keys = {r.key for r in routes}
    missing = sorted(keys - VALID.keys())
    assert not missing, "body-taking routes without a valid request here: " + ", ".join(
        f"{m} {p}" for m, p in missing
    )
    assert not VALID.keys() - keys, (
        f"rows for routes that no longer take a body: {sorted(VALID.keys() - keys)}"
    )
    covered = {c.route.key for c in CASES}
    assert covered == keys
    assert {r.media_type for r in routes} <= {JSON, FORM, MULTIPART}, (
        "a media type this test does not know how to break"
    )
    assert any(r.media_type == FORM for r in routes), "the form-encoded login is expected among them"
    assert any(r.media_type == MULTIPART for r in routes), "the attachment upload is expected among them"


# --- the cluster ------------------------------------------------------------------------------------

_STATE: dict[str, dict[str, Any]] = {}  # cluster url → tokens, ids, counts (kept for the whole session)
LOGINS = {"admin": "admin", "clerk": "clerk1", "reviewer": "reviewer1", "public": "citizen"}


@pytest.fixture(scope="module")
def gateway_client(cluster: Cluster) -> Iterator[httpx.Client]:
    """One client for the module's cases: building an httpx client (its TLS context) costs ~50 ms,
    which once per case was most of this file's time."""
    # No keep-alive: a 5xx from the gateway closes the connection, which must not fail the next case.
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=cluster.url("gateway"), timeout=60.0, limits=limits) as client:
        yield client


@pytest.fixture
def env(cluster: Cluster, gateway_client: httpx.Client) -> Iterator[Env]:
    base = cluster.url("gateway")
    client = gateway_client
    state = _STATE.get(base)
    if state is None:
        tokens = {}
        for who, username in LOGINS.items():
            login = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
            assert login.status_code == 200, login.text
            tokens[who] = login.json()["access_token"]
        listed = client.get("/api/v1/catalog/agencies", params={"page_size": 100})
        assert listed.status_code == 200, listed.text
        users = client.get(
            "/api/v1/admin/users",
            params={"page_size": 100},
            headers={"Authorization": f"Bearer {tokens['admin']}"},
        )
        assert users.status_code == 200, users.text
        state = _STATE[base] = {
            "users": {u["username"]: u["id"] for u in users.json()["items"]},
            "tokens": tokens,
            "agencies_before": listed.json()["total"],
            "agencies": {a["code"]: a["id"] for a in listed.json()["items"]},
            "created_agencies": 0,
            "targets": {},
        }
    yield Env(client=client, tokens=state["tokens"], state=state)


# --- sending and judging ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """The one answer a case must get: its status, the problem's `code`, and the fields `errors[]`
    names (`x` is `body.x`, whether the schema or a rule beyond it refused it; with `in_message`, a
    `body` error whose message names them: the NUL check reads the whole body)."""

    status: int
    code: str | None = None
    fields: tuple[str, ...] = ()
    in_message: bool = False


def refused(*fields: str, code: str = "validation_failed", in_message: bool = False) -> Expect:
    return Expect(422, code, fields, in_message)


def success(case: Case) -> Expect:
    return Expect(case.route.success)


MALFORMED_BODY = Expect(400, "malformed_body")
TOO_BIG = Expect(413, "payload_too_large")


@dataclass
class Verdict:
    case: Case
    problems: list[str] = field(default_factory=list)

    def judge(self, response: httpx.Response, expect: Expect) -> None:
        status, kind = response.status_code, response.headers.get("content-type", "")
        what = f"{response.request.method} {response.request.url.path} → {status}"
        if status >= 500:
            self.problems.append(f"{what}: a server error for bad input: {response.text[:400]}")
        elif status != expect.status:
            self.problems.append(f"{what}: expected {expect.status}: {response.text[:400]}")
        if status in OK:
            return
        if not kind.startswith(PROBLEM):
            self.problems.append(f"{what}: content-type {kind!r}, not {PROBLEM}")
            return
        body = response.json()
        if body.get("status") != status or not body.get("code"):
            self.problems.append(f"{what}: incomplete problem document {body}")
        if status != expect.status:
            return
        if expect.code and body.get("code") != expect.code:
            self.problems.append(f"{what}: code {body.get('code')!r}, expected {expect.code!r}")
        errors = body.get("errors", [])
        for name in expect.fields:
            if expect.in_message:
                named = any(e.get("field") == "body" and name in e.get("message", "") for e in errors)
            else:
                where = name if name.split(".", 1)[0] in ("body", "query", "path") else f"body.{name}"
                named = any(e.get("field") == where for e in errors)
            if not named:
                found = [(e.get("field", ""), e.get("message", "")[:40]) for e in errors]
                self.problems.append(f"{what}: errors[] does not name {name!r}: {found}")


def _chunks(total: int, prefix: bytes, suffix: bytes) -> Iterator[bytes]:
    """A body streamed without Content-Length (chunked transfer encoding)."""
    yield prefix
    sent = 0
    while sent < total:
        piece = min(64 * 1024, total - sent)
        yield b"x" * piece
        sent += piece
    yield suffix


def _send(env: Env, case: Case, *, url: str | None = None, **kwargs: Any) -> httpx.Response:
    valid = VALID[case.route.key]
    headers = {**env.auth(valid.caller), **kwargs.pop("headers", {})}
    response = env.send(case.route.method, url or valid.url(env, None), headers=headers, **kwargs)
    if response.status_code in OK and valid.consumes:  # the next case gets a new target
        env.state["targets"].pop(case.route.key, None)
    return response


def _json_bytes(env: Env, case: Case, raw: bytes) -> httpx.Response:
    return _send(env, case, content=raw, headers={"Content-Type": JSON})


def _part(name: str, content: bytes, filename: bytes | None = None) -> bytes:
    """One part of a multipart/form-data body (a file part when it has a file name)."""
    disposition = b'Content-Disposition: form-data; name="' + name.encode() + b'"'
    if filename is None:
        return disposition + b"\r\n\r\n" + content
    return (
        disposition
        + b'; filename="'
        + filename
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + content
    )


def _multipart(*parts: bytes) -> bytes:
    dash = b"--" + BOUNDARY.encode()
    return b"".join(dash + b"\r\n" + part + b"\r\n" for part in parts) + dash + b"--\r\n"


MULTIPART_TYPE = {"Content-Type": f"{MULTIPART}; boundary={BOUNDARY}"}


def _envelope(media_type: str) -> tuple[bytes, bytes, int]:
    """(prefix, suffix, filler size) of a body just over the route's limit."""
    if media_type == JSON:
        return b'{"name": "', b'"}', TWO_MB
    if media_type == FORM:
        return b"username=", b"", TWO_MB
    dash = b"--" + BOUNDARY.encode()
    prefix = dash + b"\r\n" + _part("file", PDF, b"a.pdf")
    return prefix, b"\r\n" + dash + b"--\r\n", UPLOAD_TOO_BIG


def _run_common(env: Env, case: Case, v: Verdict, media_type: str) -> bool:
    """The cases every encoding shares; False when `case` is not one of them."""
    name = case.name
    content_type = MULTIPART_TYPE if media_type == MULTIPART else {"Content-Type": media_type}
    if name == "too_big_content_length":
        prefix, suffix, size = _envelope(media_type)
        v.judge(_send(env, case, content=prefix + b"x" * size + suffix, headers=content_type), TOO_BIG)
    elif name == "too_big_chunked":
        prefix, suffix, size = _envelope(media_type)
        response = _send(env, case, content=_chunks(size, prefix, suffix), headers=content_type)
        assert "content-length" not in response.request.headers
        v.judge(response, TOO_BIG)
    elif name == "invalid_utf8" and media_type != MULTIPART:
        if media_type == JSON:  # not text, so not JSON (which is UTF-8): unparsable, not mis-written
            v.judge(_send(env, case, content=b'{"name": "\xff\xfe"}', headers=content_type), MALFORMED_BODY)
        else:  # the form parser reads the bytes as U+FFFD: a user name nobody has
            raw = b"username=\xff\xfe&password=\xff"
            v.judge(_send(env, case, content=raw, headers=content_type), WRONG_CREDENTIALS)
    elif name.startswith("path_id_out_of_range"):
        valid = VALID[case.route.key]
        if media_type == MULTIPART:
            request: dict[str, Any] = {
                "content": _multipart(_part("file", PDF, b"a.pdf")),
                "headers": MULTIPART_TYPE,
            }
        else:
            request = {"json": valid.body(env)}
        parameter = case.route.path.rsplit("{", 1)[1].split("}")[0]
        # An id no table can hold is refused as out of range (ids are 32-bit); a tracking number is
        # a string, and this one names nothing.
        expect = (
            Expect(404, "tracking_not_found") if parameter == "tracking_no" else refused(f"path.{parameter}")
        )
        v.judge(_send(env, case, url=valid.url(env, case.value), **request), expect)
    else:
        return False
    return True


MALFORMED_JSON = Expect(400, "malformed_json")
WRONG_CREDENTIALS = Expect(401, "invalid_credentials")


def _at(body: Any, path: FieldPath) -> Any:
    for part in path:
        if isinstance(part, int):
            body = body[part] if isinstance(body, list) and len(body) > part else None
        else:
            body = body.get(part) if isinstance(body, dict) else None
    return body


def _with(body: dict[str, Any], path: FieldPath, value: Any) -> dict[str, Any]:
    """A copy of `body` with the field at `path` set to `value`."""
    out = copy.deepcopy(body)
    node: Any = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


_EDITS = (_doc("PATCH", ""), _doc("POST", "/amend"))
# A field the schema lets be null (or an empty list), but that the route or the target's state needs:
# the rule beyond the schema names it (and the field it may be traded for), with its own code if any.
NEEDED: dict[tuple[tuple[str, str], str], Expect] = {
    (("POST", "/api/v1/admin/users"), "agency_id"): refused("agency_id", code="scope_required"),
    (("POST", "/api/v1/catalog/agencies"), "parent_id"): refused("parent_id", code="parent_required"),
    # An edit leaves out what it does not change; null would erase a field every document has.
    **{
        (edit, name): refused(name)
        for edit in _EDITS
        for name in ("title", "information_date", "category", "doc_type", "scope", "body_text")
    },
    (("POST", MESSAGES), "agency_id"): refused("agency_id", "region_id"),
    (("POST", MESSAGES), "sender"): refused("sender"),  # a complaint is not anonymous
    (_case("/hand-over"), "to_agency_id"): refused("to_agency_id", "to_clerk_id"),
    (_case("/take"), "level"): refused("level"),
    (("POST", f"{APPLICATIONS}/registrations"), "signed_for_on"): refused("signed_for_on"),
    (_app("/decision"), "disclosed"): refused("disclosed"),  # a partial disclosure
    (_app("/decision"), "withheld"): refused("withheld"),  # null or []
    (_app("/extension"), "days"): refused("days"),
    (_app("/fee-notice"), "pages"): refused("pages"),  # charged by pages
    (_app("/fee-relief"), "amount"): refused("amount"),  # a reduction
    (_app("/referral"), "agency_name"): refused("agency_name"),  # to another agency
}


def _bad_value(case: Case, body: dict[str, Any]) -> tuple[Any, Expect]:
    """The value a field case sends, and the answer it must get."""
    spec, name = case.field, case.name
    assert spec is not None, case
    current = _at(body, spec.path)
    if name == "null":
        if not spec.nullable:
            return None, refused(spec.name)
        return None, NEEDED.get((case.route.key, spec.name), success(case))
    if name.startswith("integer_out_of_range"):
        return case.value, refused(spec.name)
    if name == "nul_character":  # no database stores it: one check of the whole body names the field
        expect = refused(spec.name, in_message=True)
        if spec.kind == "string-groups":
            return [["低\x00保", "最低生活保障"]], expect
        return (f"{current[:4]}\x00{current[4:]}" if isinstance(current, str) else "x\x00y"), expect
    if name in ("naive_datetime", "far_past", "far_future"):  # the time zone, 1949-10-01 to 2099-12-31
        value = "2030-01-01T09:00:00" if name == "naive_datetime" else FAR[name][spec.kind == "date-time"]
        return value, refused(spec.name)
    if (
        name == "empty_list"
    ):  # `days: []` clears a year's calendar; a partial disclosure lists what it withholds
        if spec.min_items > 0:
            return [], refused(spec.name)
        return [], NEEDED.get((case.route.key, spec.name), success(case))
    too_long = "x" * max(LONG, (spec.max_length or 0) + 1)
    item = current[0] if isinstance(current, list) and current else None
    values: dict[str, Any] = {
        "wrong_type_number": 12345,
        "wrong_type_string": "not-a-number" if spec.kind == "integer" else f"not-a-{spec.kind}",
        "wrong_type_list": [current if current is not None else "x"],
        "wrong_type_object": item if isinstance(item, dict) else {"x": 1},
        "not_a_member": "not-a-member",
        "impossible_date": "2026-13-45" if spec.kind == "date" else "2026-13-45T09:00:00+08:00",
        "not_a_date": "not a date",
        "string_100k": [["x" * LONG, "最低生活保障"]] if spec.kind == "string-groups" else too_long,
        "flat_list": ["低保", "最低生活保障"],
        "wrong_item_type": [[12345, 67890]],
        "empty_string": [["", "最低生活保障"]],
        "item_not_object": ["x"],
        "too_many_items": [item if item is not None else ["甲", "乙"]] * ((spec.max_length or 0) + 1),
        "item_missing_required": [{}],
        "item_unknown_field": [{**(item or {}), "zzz": 1}],
        "object_missing_required": {},
        "object_unknown_field": {**(current if isinstance(current, dict) else {}), "zzz": 1},
    }
    named = {
        "item_missing_required": tuple(f"{spec.name}.0.{r}" for r in spec.required),
        "item_unknown_field": (f"{spec.name}.0.zzz",),
        "object_missing_required": tuple(f"{spec.name}.{r}" for r in spec.required),
        "object_unknown_field": (f"{spec.name}.zzz",),
        "item_not_object": (f"{spec.name}.0",),
        "flat_list": (f"{spec.name}.0",),
        "wrong_item_type": (f"{spec.name}.0.0",),
        "empty_string": (f"{spec.name}.0.0",),
        "string_100k": (f"{spec.name}.0.0",) if spec.kind == "string-groups" else (spec.name,),
    }.get(name, (spec.name,))
    return values[name], refused(*named)


def _restore_dates(env: Env, response: httpx.Response) -> None:
    """A document accepted with an ancient date stalls GET …/documents/late (see the test below):
    give it today's date again, or revoke what an import brought in."""
    answer = response.json()
    fix = {"written_on": today(), "information_date": today()}
    clerk = env.auth("clerk")
    for document_id in answer.get("ids", []):
        env.ok(
            env.client.post(
                f"{DOCUMENTS}/{document_id}/revoke", headers=clerk, json={"reason": "坏输入测试：清理"}
            ),
            200,
        )
    if answer.get("status") in ("draft", "returned"):
        env.ok(env.client.patch(f"{DOCUMENTS}/{answer['id']}", headers=clerk, json=fix), 200)
    elif answer.get("status") == "published":
        amendment = {**fix, "reason": "坏输入测试：恢复日期"}
        env.ok(env.client.post(f"{DOCUMENTS}/{answer['id']}/amend", headers=clerk, json=amendment), 201)


def _run_json(env: Env, case: Case, v: Verdict) -> None:
    route, valid, name = case.route, VALID[case.route.key], case.name
    if name == "valid":
        v.judge(_send(env, case, json=(valid.control or valid.body)(env)), success(case))
    elif name == "malformed_json":
        v.judge(_json_bytes(env, case, b'{"a":'), MALFORMED_JSON)
    elif name == "not_an_object":
        for raw in (b"[]", b'"text"', b"42", b"null"):
            v.judge(_json_bytes(env, case, raw), refused("body"))
    elif name == "missing_required":
        # A route without required fields (a partial update) must accept `{}`.
        required = route.required + valid.needed
        v.judge(_send(env, case, json={}), refused(*required) if required else success(case))
    elif name == "unknown_field":
        v.judge(_send(env, case, json={**valid.body(env), "zzz": 1}), refused("zzz"))
    else:
        spec = case.field
        assert spec is not None, case
        body = valid.body(env)
        bad, expect = _bad_value(case, body)
        response = _send(env, case, json=_with(body, spec.path, bad))
        v.judge(response, expect)
        if name == "far_past" and spec.kind == "date" and response.status_code in OK:
            _restore_dates(env, response)


# The OAuth2 extras the login form declares and ignores (RFC 6749 leaves them to the server).
IGNORED_FORM_FIELDS = ("scope", "client_id", "client_secret")


def _run_form(env: Env, case: Case, v: Verdict) -> None:
    valid, name = VALID[case.route.key], case.name
    field_name = case.field.name if case.field else ""
    required = case.route.required
    if name == "valid":
        v.judge(_send(env, case, data=valid.body(env)), success(case))
    elif name == "malformed_form":
        raw = b"%%%&&&==;;%zz"
        v.judge(_send(env, case, content=raw, headers={"Content-Type": FORM}), refused(*required))
    elif name == "invalid_utf8_percent_encoded":  # decoded as U+FFFD: a user name nobody has
        raw = b"username=%FF%FE&password=%FF"
        v.judge(_send(env, case, content=raw, headers={"Content-Type": FORM}), WRONG_CREDENTIALS)
    elif name == "missing_required":
        v.judge(_send(env, case, content=b"", headers={"Content-Type": FORM}), refused(*required))
    elif name == "json_instead_of_form":  # the form route's "wrong type": a JSON body
        v.judge(_send(env, case, json=valid.body(env)), refused(*required))
    elif name == "unknown_field":
        # RFC 6749 §3.2: the token endpoint MUST ignore unrecognized request parameters.
        v.judge(_send(env, case, data={**valid.body(env), "zzz": "1"}), success(case))
    elif name == "wrong_value":
        v.judge(_send(env, case, data={**valid.body(env), field_name: case.value}), refused(field_name))
    elif name == "string_100k":
        response = _send(env, case, data={**valid.body(env), field_name: "x" * LONG})
        v.judge(response, success(case) if field_name in IGNORED_FORM_FIELDS else refused(field_name))
    elif name == "nul_character":
        body = valid.body(env)
        v.judge(_send(env, case, data={**body, field_name: body[field_name] + "\x00"}), refused(field_name))
    else:
        raise AssertionError(f"unknown case {name}")


def _upload(env: Env, case: Case, *parts: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return _send(env, case, content=_multipart(*parts), headers=headers or MULTIPART_TYPE)


def _run_multipart(env: Env, case: Case, v: Verdict) -> None:
    route, name = case.route, case.name
    pdf = _part("file", PDF, b"a.pdf")
    if name == "valid":
        v.judge(_upload(env, case, pdf), success(case))
    elif name == "malformed_multipart":
        v.judge(_send(env, case, content=b"this is not multipart", headers=MULTIPART_TYPE), MALFORMED_BODY)
    elif name == "no_boundary":
        response = _send(env, case, content=_multipart(pdf), headers={"Content-Type": MULTIPART})
        v.judge(response, MALFORMED_BODY)
    elif name == "invalid_utf8":  # in the file name: decoded (U+FFFD), the file kept
        v.judge(_upload(env, case, _part("file", PDF, b"\xff\xfe.pdf")), success(case))
    elif name == "missing_required":
        v.judge(_upload(env, case, _part("note", b"no file here")), refused(*route.required))
    elif name == "json_instead_of_multipart":
        v.judge(_send(env, case, json={"file": "a.pdf"}), refused(*route.required))
    elif name == "unknown_field":  # an extra form part is ignored, as a browser's form may send one
        v.judge(_upload(env, case, pdf, _part("zzz", b"1")), success(case))
    else:
        spec = case.field
        assert spec is not None and spec.kind == "file", case
        file_name = spec.name
        if name == "text_instead_of_file":
            v.judge(_upload(env, case, _part(file_name, b"a.pdf")), refused(file_name))
            return
        content, filename = {
            "not_allowed_type": (b"MZ\x90\x00" + b"\x00" * 60, b"a.pdf"),  # a Windows executable
            "wrong_extension": (PDF, b"a.exe"),
            "empty_file": (b"", b"a.pdf"),
            "nul_in_filename": (PDF, b"a\x00.pdf"),
            "long_filename": (PDF, b"x" * LONG + b".pdf"),
            "path_in_filename": (PDF, b"../../etc/passwd.pdf"),
        }[name]
        response = _upload(env, case, _part(file_name, content, filename))
        if name in ("not_allowed_type", "wrong_extension"):
            v.judge(response, refused(file_name, code="file_type_not_allowed"))
        elif name == "empty_file":
            v.judge(response, refused(file_name, code="empty_file"))
        elif name == "long_filename":  # a part header the parser will not read that far
            v.judge(response, MALFORMED_BODY)
        else:  # kept under a safe name
            v.judge(response, success(case))
            stored = response.json().get("filename", "") if response.status_code in OK else ""
            if any(bad in stored for bad in ("/", "\\", "\x00", "..")) or len(stored) > 255:
                v.problems.append(f"an upload named {filename[:40]!r} was stored as {stored[:80]!r}")


RUNNERS = {JSON: _run_json, FORM: _run_form, MULTIPART: _run_multipart}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_a_clean_client_error(env: Env, case: Case) -> None:
    verdict = Verdict(case)
    if not _run_common(env, case, verdict, case.route.media_type):
        RUNNERS[case.route.media_type](env, case, verdict)
    assert not verdict.problems, f"{case.id}:\n  " + "\n  ".join(verdict.problems)


def test_an_ancient_information_date_does_not_stall_the_late_report(env: Env) -> None:
    """A date far in the past is either refused or harmless: the 20-working-day report still answers.

    (Counting working days one by one from year 1 would take the catalog many seconds, during
    which it answers nothing else.)
    """
    clerk = env.auth("clerk")
    created = env.client.post(
        DOCUMENTS, headers=clerk, json={**draft_body(), "information_date": "0001-01-01"}
    )
    if created.status_code == 422:
        return
    assert created.status_code == 201, created.text
    try:
        started = time.monotonic()
        late = env.client.get(f"{DOCUMENTS}/late", headers=clerk)
        took = time.monotonic() - started
        assert late.status_code == 200 and took < 2.0, (
            f"GET …/documents/late with one draft dated 0001-01-01: {late.status_code} after {took:.1f} s"
        )
    finally:  # once the catalog answers again, put the date right for the rest of the session
        deadline = time.monotonic() + 90
        while True:
            fixed = env.client.patch(
                f"{DOCUMENTS}/{created.json()['id']}", headers=clerk, json={"information_date": today()}
            )
            if fixed.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(1.0)
        assert fixed.status_code == 200, fixed.text


def test_an_imported_index_number_does_not_block_later_publication(env: Env) -> None:
    """An index number given at import that the agency's own sequence reaches later must not make
    every later approval of that agency fail (the import is an admin's input like any other).

    Played in an agency of its own (a new province with two new clerks), so that a failure here
    leaves the demo agencies publishing.
    """
    province = env.ok(
        env.send(
            "POST",
            "/api/v1/catalog/agencies",
            headers=env.admin,
            json={"code": unique("BADIX"), "name": "坏输入索引号测试省", "level": "province"},
        ),
        201,
    )
    clerks = []
    for n in (1, 2):
        username = unique(f"bad_ix{n}_")
        staff = {
            "username": username,
            "password": PASSWORD,
            "display_name": f"索引号测试经办人{n}",
            "role": "clerk",
            "agency_id": province["id"],
        }
        env.ok(env.client.post("/api/v1/admin/users", headers=env.admin, json=staff), 201)
        login = env.client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
        clerks.append({"Authorization": f"Bearer {env.ok(login, 200)['access_token']}"})
    author, reviewer = clerks
    year = datetime.now(ZoneInfo("Asia/Shanghai")).year
    taken = f"{province['code']}/{year}-00001"  # what the agency's first publication would be given
    imported = {**draft_body(), "agency_id": province["id"], "published_on": "2025-03-03", "index_no": taken}
    env.ok(env.client.post(f"{DOCUMENTS}/import", headers=env.admin, json={"documents": [imported]}), 201)
    for attempt in (1, 2):
        document = env.ok(env.client.post(DOCUMENTS, headers=author, json=draft_body()), 201)
        env.ok(env.client.post(f"{DOCUMENTS}/{document['id']}/submit", headers=author), 200)
        approval = env.send(
            "POST",
            f"{DOCUMENTS}/{document['id']}/approve",
            headers=reviewer,
            json={"confidentiality_checked": True},
        )
        assert approval.status_code == 200, (
            f"approval {attempt} after importing index number {taken}: {approval.status_code} {approval.text[:300]}"
        )
        assert approval.json()["index_no"] != taken


def test_the_system_still_works_and_kept_its_data(env: Env) -> None:
    listed = env.client.get("/api/v1/catalog/agencies", params={"page_size": 100})
    assert listed.status_code == 200, listed.text
    page = listed.json()
    expected = env.state["agencies_before"] + env.state["created_agencies"]
    assert page["total"] == expected, (
        f"{env.state['agencies_before']} agencies before, {env.state['created_agencies']} created by this "
        f"module, {page['total']} now"
    )
    codes = {a["code"] for a in page["items"]}
    assert codes >= DEMO_CODES
    for code, agency_id in env.state["agencies"].items():
        one = env.client.get(f"/api/v1/catalog/agencies/{agency_id}")
        assert one.status_code == 200 and one.json()["code"] == code, one.text
    for username in ("admin", "clerk1", "inspector", "citizen"):
        login = env.client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
        assert login.status_code == 200, f"{username} can no longer log in: {login.text}"
        me = env.client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
        )
        assert me.status_code == 200 and me.json()["username"] == username, me.text
    users = env.client.get("/api/v1/admin/users", params={"page_size": 100}, headers=env.admin)
    assert users.status_code == 200, users.text
    assert {"admin", "clerk1", "clerk2", "inspector", "citizen"} <= {
        u["username"] for u in users.json()["items"]
    }
    for path in ("/api/v1/requests/outcomes", "/api/v1/feedback/vocabulary", "/.well-known/jwks.json"):
        assert env.client.get(path).status_code == 200, path
