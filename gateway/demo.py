"""Demo data for the embedded default, written through the public API as `admin` would.

Idempotent: what exists already is left alone, so `make run` can call it every time.
"""

from __future__ import annotations

import json
import sys

import httpx

from gateway.demo_guides import guide

DEMO_PASSWORD = "gongkai-demo"

# (code, name, level, parent code)
DEMO_AGENCIES = [
    ("990000", "江南省人民政府", "province", None),
    ("990100", "青山市人民政府", "city", "990000"),
    ("990101", "青山市人民政府办公室", "department", "990100"),
    ("990102", "青山市民政局", "department", "990100"),
    ("990121", "东湖县人民政府", "county", "990100"),
    ("990122", "西岭县人民政府", "county", "990100"),
    ("99012101", "东湖县教育局", "department", "990121"),
    ("99012102", "东湖县城关镇人民政府", "township", "990121"),
    ("99012201", "西岭县住房和城乡建设局", "department", "990122"),
]

# (username, description); staff scope by agency code.
DEMO_USERS = [
    ("admin", "系统管理员"),
    ("clerk1", "东湖县人民政府 经办人员"),
    ("reviewer1", "东湖县人民政府 经办人员（审核 clerk1 起草的文件）"),
    ("clerk2", "西岭县人民政府 经办人员"),
    ("inspector", "青山市 监察人员"),
    ("citizen", "公众用户"),
    ("gongkai990000", "江南省人民政府 经办人员（其他机关的经办人员同样以 gongkai+机关代码 登录）"),
]
DEMO_STAFF = [
    ("clerk1", "王晓明", "clerk", "990121"),
    ("reviewer1", "孙丽", "clerk", "990121"),
    ("clerk2", "李芳", "clerk", "990122"),
    ("inspector", "赵建国", "inspector", "990100"),
    # One clerk for each other agency: a guide is written by a clerk of its own agency.
    ("gongkai990000", "周文静", "clerk", "990000"),
    ("gongkai990100", "吴海涛", "clerk", "990100"),
    ("gongkai990101", "郑雅琴", "clerk", "990101"),
    ("gongkai990102", "冯志强", "clerk", "990102"),
    ("gongkai99012101", "陈思远", "clerk", "99012101"),
    ("gongkai99012102", "褚晓燕", "clerk", "99012102"),
    ("gongkai99012201", "卫国栋", "clerk", "99012201"),
]


def admin_token(base_url: str, password: str = DEMO_PASSWORD) -> str:
    login = httpx.post(
        f"{base_url}/api/v1/auth/token", data={"username": "admin", "password": password}, timeout=30
    )
    login.raise_for_status()
    token: str = login.json()["access_token"]
    return token


def seed_guides(base_url: str, ids: dict[str, int], password: str = DEMO_PASSWORD) -> bool:
    """Writes the 政府信息公开指南 of every demo agency that has none, as a clerk of that agency."""
    writers = {code: username for username, _, role, code in reversed(DEMO_STAFF) if role == "clerk"}
    added = False
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        for code, name, _, _ in DEMO_AGENCIES:
            url = f"/api/v1/catalog/agencies/{ids[code]}/guide"
            if client.get(url).status_code != 404:
                continue
            login = client.post("/api/v1/auth/token", data={"username": writers[code], "password": password})
            login.raise_for_status()
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            client.put(url, json=guide(code, name), headers=headers).raise_for_status()
            added = True
    return added


def seed(base_url: str, password: str = DEMO_PASSWORD) -> bool:
    """Creates the demo agencies and accounts that are missing; True when anything was added."""
    added = False
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        client.headers["Authorization"] = f"Bearer {admin_token(base_url, password)}"
        existing = client.get("/api/v1/catalog/agencies", params={"page_size": 100}).json()["items"]
        ids = {a["code"]: a["id"] for a in existing}
        for code, name, level, parent in DEMO_AGENCIES:
            if code in ids:
                continue
            created = client.post(
                "/api/v1/catalog/agencies",
                json={
                    "code": code,
                    "name": name,
                    "level": level,
                    "parent_id": ids[parent] if parent else None,
                },
            )
            created.raise_for_status()
            ids[code] = created.json()["id"]
            added = True
        users = {
            u["username"]
            for u in client.get("/api/v1/admin/users", params={"page_size": 100}).json()["items"]
        }
        for username, display, role, code in DEMO_STAFF:
            if username in users:
                continue
            scope = {"agency_id": ids[code]} if role == "clerk" else {"region_id": ids[code]}
            client.post(
                "/api/v1/admin/users",
                json={
                    "username": username,
                    "password": password,
                    "display_name": display,
                    "role": role,
                    **scope,
                },
            ).raise_for_status()
            added = True
        if "citizen" not in users:
            httpx.post(
                f"{base_url}/api/v1/auth/register",
                timeout=30.0,
                json={
                    "username": "citizen",
                    "password": password,
                    "display_name": "陈小红",
                    "account_type": "person",
                },
            ).raise_for_status()
            added = True
    return seed_guides(base_url, ids, password) or added


def main(argv: list[str]) -> None:
    """`python -m gateway.demo users` prints the demo accounts; `… seed <gateway url>` also seeds
    what is missing. One JSON line, for the `make run` launcher (which never imports a process)."""
    answer: dict[str, object] = {"password": DEMO_PASSWORD, "users": DEMO_USERS}
    if argv[:1] == ["seed"]:
        answer |= {"added": seed(argv[1]), "token": admin_token(argv[1])}
    print(json.dumps(answer, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
