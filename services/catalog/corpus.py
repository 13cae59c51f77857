"""A deterministic generator of realistic (fictional) Chinese government documents.

Used for the demo data, the search-ranking test (`tests/search_judgments.py`) and benchmarks.
Every place, village, company, school and telephone number is invented; the agency codes are the
demo agency tree (990000 江南省人民政府 and below).

Each `Topic` carries title patterns, opening paragraphs and numbered body sections with slots
(`{place}`, `{year}`, `{village}`, `{wan}`, `{phone}` …). Slots are filled lazily per document
from word lists and number ranges, so documents of one topic differ in wording and figures. A
slot name followed by digits (`{village2}`) is a second, independent value of the same kind.
`generate(n, seed)` is a pure function of its arguments.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

LATEST_PUBLICATION = date(2026, 11, 20)

VALID, EXPIRED, REPEALED = "valid", "expired", "repealed"  # models.Validity values


@dataclass(frozen=True, slots=True)
class CorpusDocument:
    key: str
    agency_code: str
    title: str
    doc_number: str | None
    category: str
    doc_type: str
    validity: str
    written_on: date
    published_on: date
    body: str
    topic: str


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    name: str
    category: str
    doc_type: str
    agencies: tuple[str, ...]  # agencies that naturally issue it, most likely first
    titles: tuple[str, ...]
    intros: tuple[str, ...]
    sections: tuple[tuple[str, ...], ...]  # each: alternative wordings of one numbered section
    attachments: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()  # words another topic's document may mention in passing


@dataclass(frozen=True, slots=True)
class _Agency:
    name: str
    place: str
    prefix: str  # 机关代字
    units: tuple[str, ...]  # subordinate places


_QINGSHAN_UNITS = ("东湖县", "西岭县", "青山区", "北湖区", "南屏区", "青山经济技术开发区")
_DONGHU_UNITS = ("城关镇", "柳溪镇", "石桥乡", "桃源镇", "凤鸣乡", "湖滨街道")
_XILING_UNITS = ("岭口镇", "白水镇", "松坪乡", "云台镇", "金沙街道", "梅坞乡")

AGENCIES: dict[str, _Agency] = {
    "990000": _Agency("江南省人民政府", "江南省", "江政", ("青山市", "云江市", "白沙市", "临溪市", "丰源市")),
    "990100": _Agency("青山市人民政府", "青山市", "青政", _QINGSHAN_UNITS),
    "990101": _Agency("青山市人民政府办公室", "青山市", "青政办", _QINGSHAN_UNITS),
    "990102": _Agency("青山市民政局", "青山市", "青民", _QINGSHAN_UNITS),
    "990121": _Agency("东湖县人民政府", "东湖县", "东政", _DONGHU_UNITS),
    "990122": _Agency("西岭县人民政府", "西岭县", "西政", _XILING_UNITS),
    "99012101": _Agency("东湖县教育局", "东湖县", "东教", _DONGHU_UNITS),
    "99012102": _Agency(
        "东湖县城关镇人民政府", "城关镇", "城政", ("柳塘村", "新桥村", "槐树村", "河西村", "南门社区", "北街社区")
    ),
    "99012201": _Agency("西岭县住房和城乡建设局", "西岭县", "西建", _XILING_UNITS),
}
ALL_AGENCY_CODES: tuple[str, ...] = tuple(AGENCIES)
_GOVERNMENTS = ("990100", "990101", "990121", "990122", "990000")
_COUNTY_GOVS = ("990121", "990122")

# --- word lists (all fictional) ---------------------------------------------------------------

_VILLAGES = (
    "柳塘村", "新桥村", "槐树村", "河西村", "杨家坞村", "石门村", "桃花村", "上塘村", "下庄村", "枫林村",
    "竹溪村", "马鞍村", "白鹭村", "青龙村", "梅岭村", "金竹村", "黄泥岗村", "双溪村", "茶园村", "松山村",
    "清水村", "大桥村", "龙潭村", "花园村", "长丰村", "永安村", "团结村", "三合村", "凉亭村", "鹤鸣村",
)
_COMMUNITIES = (
    "南门社区", "北街社区", "湖滨社区", "东升社区", "文昌社区", "锦绣社区", "翠苑社区", "凤凰社区",
    "和平社区", "春晖社区", "望江社区", "新华社区", "桂花社区", "银杏社区",
)
_ESTATES = (
    "纺织厂宿舍", "粮站小区", "建设新村", "红旗小区", "电厂生活区", "百货公司宿舍", "水利局宿舍", "东风新村",
    "机械厂小区", "邮电新村", "化肥厂宿舍", "供销社小区", "农机站小区", "丝绸厂宿舍",
)
_ROADS = (
    "青山大道", "人民路", "解放路", "湖滨路", "文昌路", "建设路", "中山路", "环城北路", "滨江路", "迎宾大道",
    "学院路", "东湖大道", "西岭路", "工业大道", "新华路", "白水路", "柳溪路", "丰收路", "凤鸣路", "云台路",
)
_SCHOOLS = (
    "东湖县实验小学", "东湖县城关第一小学", "东湖县城关第二小学", "东湖县第二中学", "柳溪镇中心小学",
    "石桥乡中心小学", "东湖县湖滨初级中学", "桃源镇中学", "凤鸣乡九年一贯制学校", "东湖县文昌小学",
)
_KINDERGARTENS = (
    "东湖县实验幼儿园", "凤鸣乡中心幼儿园", "柳溪镇中心幼儿园", "城关镇南门幼儿园", "桃源镇中心幼儿园",
    "东湖县第二幼儿园", "石桥乡阳光幼儿园",
)
_COMPANIES = (
    "青山市恒达建设工程有限公司", "江南瑞丰食品有限公司", "东湖县绿源农业开发有限公司", "西岭县宏远建材有限公司",
    "青山市华信科技有限公司", "青山市鑫盛物流有限公司", "江南智造精密机械有限公司", "东湖县明珠商贸有限公司",
    "青山云帆信息技术有限公司", "青山市百味餐饮管理有限公司", "江南新材新材料股份有限公司",
    "西岭县松坪竹木制品有限公司", "青山市博远医疗器械有限公司", "东湖县湖畔酒店管理有限公司",
    "青山市安泰化工有限公司", "西岭县白水茶业有限公司", "青山市启航电子有限公司", "江南远景环保科技有限公司",
)
_RIVERS = ("青溪", "白水河", "柳溪", "云江", "松坪河", "桃源溪", "凤鸣溪", "东湖港", "梅坞溪", "金沙河")
_MOUNTAINS = ("青山", "西岭", "云台山", "梅岭", "松坪山", "鹤鸣山", "龙潭山", "石门尖")
_SURNAMES = "张王李刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许韩冯邓曹彭曾"
_ORGS = ("发展和改革局", "财政局", "自然资源和规划局", "生态环境局", "农业农村局", "市场监督管理局", "应急管理局",
         "卫生健康局", "人力资源和社会保障局", "交通运输局", "水利局", "科学技术局", "商务局", "统计局")


def _fmt_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _wan(rng: random.Random, low: int, high: int) -> str:
    value = rng.randint(low * 10, high * 10)
    return str(value // 10) if value % 3 else f"{value // 10}.{value % 10}"


def _one(items: Sequence[str]) -> Callable[[random.Random, _Slots], str]:
    return lambda rng, slots: rng.choice(items)


def _int(low: int, high: int) -> Callable[[random.Random, _Slots], str]:
    return lambda rng, slots: str(rng.randint(low, high))


def _pct(low: float, high: float) -> Callable[[random.Random, _Slots], str]:
    lo, hi = round(low * 10), round(high * 10)
    return lambda rng, slots: f"{rng.randint(lo, hi) / 10:.1f}"


def _days_after(low: int, high: int) -> Callable[[random.Random, _Slots], str]:
    return lambda rng, slots: _fmt_date(slots.written + timedelta(days=rng.randint(low, high)))


def _month_start(rng: random.Random, slots: _Slots) -> str:
    d = slots.written + timedelta(days=rng.randint(15, 60))
    return f"{d.year}年{d.month}月1日"


def _std_new(rng: random.Random, slots: _Slots) -> str:
    return str(int(slots["std_old"]) + rng.choice((20, 30, 35, 40, 45, 50, 60, 70)))


def _person(rng: random.Random, slots: _Slots) -> str:
    return rng.choice(_SURNAMES) + rng.choice(("先生", "女士"))


def _phone(rng: random.Random, slots: _Slots) -> str:
    return f"0571-8{rng.randint(0, 9999999):07d}"


def _unit(rng: random.Random, slots: _Slots) -> str:
    return rng.choice(slots.agency.units)


def _unit_org(rng: random.Random, slots: _Slots) -> str:
    return slots.agency.place + rng.choice(_ORGS)


_SLOT_MAKERS: dict[str, Callable[[random.Random, _Slots], str]] = {
    "village": _one(_VILLAGES),
    "community": _one(_COMMUNITIES),
    "estate": _one(_ESTATES),
    "road": _one(_ROADS),
    "school": _one(_SCHOOLS),
    "kinder": _one(_KINDERGARTENS),
    "company": _one(_COMPANIES),
    "river": _one(_RIVERS),
    "mountain": _one(_MOUNTAINS),
    "unit": _unit,
    "org": _unit_org,
    "person": _person,
    "phone": _phone,
    "deadline": _days_after(15, 60),
    "later": _days_after(3, 14),
    "date_eff": _month_start,
    "n": _int(3, 30),
    "count": _int(40, 900),
    "big": _int(1200, 48000),
    "yuan": _int(120, 980),
    "yuan_k": _int(1000, 9800),
    "std_old": _int(690, 1020),
    "std_new": _std_new,
    "wan": lambda rng, slots: _wan(rng, 30, 4800),
    "wan_s": lambda rng, slots: _wan(rng, 2, 90),
    "yi": lambda rng, slots: f"{rng.randint(120, 9800) / 100:.2f}",
    "pct": _pct(0.5, 12.0),
    "rate": _pct(85.0, 99.9),
    "mu": _int(800, 36000),
    "km": _pct(0.6, 38.0),
    "hour": _int(7, 22),
    "month": _int(1, 12),
}


class _Slots(dict[str, str]):
    """Slot values of one document, made on first use (so `{x}` twice is the same value)."""

    __slots__ = ("agency", "rng", "written")

    def __init__(self, rng: random.Random, agency: _Agency, written: date, topic: Topic) -> None:
        super().__init__()
        self.rng = rng
        self.agency = agency
        self.written = written
        place = agency.place
        self["agency"] = agency.name
        self["place"] = place
        self["scope"] = "全" + place[-1]
        self["lvl"] = place[-1]
        self["year"] = str(written.year)
        self["prev_year"] = str(written.year - 1)
        self["next_year"] = str(written.year + 1)
        self["date"] = _fmt_date(written)
        self["name"] = topic.name

    def __missing__(self, key: str) -> str:
        maker = _SLOT_MAKERS.get(key) or _SLOT_MAKERS[key.rstrip("0123456789")]
        value = maker(self.rng, self)
        self[key] = value
        return value


# --- shared paragraphs -------------------------------------------------------------------------

_NUMERALS = "一二三四五六七八九十"

_GENERIC_SECTIONS: tuple[str, ...] = (
    "加强组织领导。各有关单位要把{name}工作摆上重要议事日程，明确分管负责人和具体经办人员，细化工作措施，"
    "确保各项任务按时落地见效。",
    "强化督促检查。{agency}将会同有关部门对工作落实情况开展不定期督查，对推进不力、群众反映集中的问题及时通报，"
    "并督促限期整改到位。",
    "做好宣传引导。充分利用政府门户网站、政务新媒体和村（社区）公告栏等渠道，广泛宣传政策内容和办理流程，"
    "及时回应群众关切，营造良好社会氛围。",
    "严格资金管理。相关资金实行专账核算、专款专用，任何单位和个人不得截留、挤占、挪用，"
    "审计部门将适时开展专项审计。",
    "注重信息报送。各{unit_kind}要确定一名联络员，于每月{n}日前报送上月工作进展情况，重大情况随时报告。",
)

_CLOSINGS: dict[str, tuple[str, ...]] = {
    "notice": ("特此通知。", "请认真贯彻执行。", "请结合实际，认真抓好落实。"),
    "announcement": ("特此公告。", "特此公告。", "欢迎社会各界监督。"),
    "normative": ("本规定由{agency}负责解释，自{date_eff}起施行。", "本办法自{date_eff}起施行，有效期五年。"),
    "regulation": ("本办法自{date_eff}起施行。",),
    "plan": ("本预案自印发之日起实施，由{agency}负责解释。", "本方案自印发之日起施行。"),
    "programme": ("本规划实施期间，将根据形势变化适时开展中期评估和调整。",),
    "report": ("以上报告，请予审议。", "特此报告。"),
    "statistics": ("注：本公报部分数据为初步统计数，个别数据因四舍五入，分项合计与总计略有差异。",),
    "service_guide": ("办理结果可通过政务服务网或窗口查询。",),
    "other": ("特此说明。",),
}

_CONTACTS = (
    "联系人：{person}，联系电话：{phone}。",
    "咨询电话：{phone}（工作日上午8:30—12:00，下午14:30—17:30）。",
    "联系电话：{phone}，监督电话：{phone2}。",
)

_MENTIONS = (
    "同时，要统筹做好{other}等相关工作，避免重复填报、多头检查。",
    "涉及{other}的事项，按照有关规定另行办理。",
    "此项工作与{other}一并部署、一并检查。",
)

_UNIT_KIND = {"省": "市", "市": "县（区）", "县": "乡镇（街道）", "镇": "村（社区）"}

TOPICS: dict[str, Topic] = {}


def _topic(
    key: str,
    name: str,
    category: str,
    doc_type: str,
    agencies: Sequence[str],
    titles: Sequence[str],
    intros: Sequence[str],
    sections: Sequence[Sequence[str] | str],
    attachments: Sequence[str] = (),
    mentions: Sequence[str] = (),
) -> None:
    assert key not in TOPICS, key
    TOPICS[key] = Topic(
        key=key,
        name=name,
        category=category,
        doc_type=doc_type,
        agencies=tuple(agencies),
        titles=tuple(titles),
        intros=tuple(intros),
        sections=tuple((s,) if isinstance(s, str) else tuple(s) for s in sections),
        attachments=tuple(attachments),
        mentions=tuple(mentions) or (name,),
    )


# --- generation --------------------------------------------------------------------------------


def _validity(rng: random.Random, year: int) -> str:
    age = max(0, 2026 - year)
    roll = rng.random()
    repealed = 0.01 + 0.02 * age
    expired = repealed + 0.02 + 0.12 * age
    if roll < repealed:
        return REPEALED
    if roll < expired:
        return EXPIRED
    return VALID


def _dates(rng: random.Random, year: int) -> tuple[date, date]:
    delay = rng.randint(31, 80) if rng.random() < 0.04 else rng.randint(1, 25)
    last = min(date(year, 12, 31), LATEST_PUBLICATION - timedelta(days=delay))
    first = min(date(year, 1, 1), last)
    written = first + timedelta(days=rng.randint(0, (last - first).days))
    return written, written + timedelta(days=delay)


def _number_kind(rng: random.Random, doc_type: str) -> str | None:
    """The 文号 kind (发/函/告…), or None for a document without one."""
    roll = rng.random()
    if doc_type in ("statistics", "service_guide"):
        return None
    if doc_type == "announcement":
        return None if roll < 0.55 else "告"
    if doc_type == "report":
        return None if roll < 0.5 else "发"
    if doc_type == "regulation":
        return "令"
    if doc_type == "notice":
        return "函" if roll < 0.2 else "发"
    return "发"


def _body(rng: random.Random, topic: Topic, slots: _Slots, others: Sequence[Topic]) -> str:
    paras = [rng.choice(topic.intros).format_map(slots)]
    groups = list(topic.sections)
    if len(groups) > 4 and rng.random() < 0.6:
        del groups[rng.randrange(1, len(groups))]
    texts = [rng.choice(group) for group in groups]
    if rng.random() < 0.55:
        texts.append(rng.choice(_GENERIC_SECTIONS))
    mention = None
    if others and rng.random() < 0.18:
        other = rng.choice(others)
        mention = rng.choice(_MENTIONS).replace("{other}", rng.choice(other.mentions))
    head = len(paras[0])
    sections = [s.format_map(slots) for s in texts]
    closing = rng.choice(_CLOSINGS.get(topic.doc_type, _CLOSINGS["other"])).format_map(slots)
    contact = rng.choice(_CONTACTS).format_map(slots)
    tail: list[str] = []
    if topic.attachments and rng.random() < 0.7:
        picks = rng.sample(topic.attachments, k=min(len(topic.attachments), rng.randint(1, 2)))
        if len(picks) == 1:
            tail.append("附件：" + picks[0].format_map(slots))
        else:
            tail.append("附件：1. " + picks[0].format_map(slots))
            tail.extend(f"{i}. {p.format_map(slots)}" for i, p in enumerate(picks[1:], start=2))
    tail += [slots.agency.name, slots["date"]]
    fixed = head + len(closing) + len(contact) + sum(len(t) + 1 for t in tail) + 4
    while sections and fixed + sum(len(s) + 3 for s in sections) > 1480:
        sections.pop()
    while fixed + sum(len(s) + 3 for s in sections) < 320:
        extra = rng.choice(_GENERIC_SECTIONS).format_map(slots)
        sections.append(extra)
    numbered = []
    for i, text in enumerate(sections):
        if mention and i == len(sections) - 1:
            text += mention
        numbered.append(f"{_NUMERALS[i % 10]}、{text}")
    body = "\n".join([paras[0], *numbered, closing, contact, *tail])
    if len(body) > 1500:
        body = body[:1500]
    return body


def generate(
    n: int,
    seed: int = 20261124,
    agency_codes: Sequence[str] | None = None,
    years: tuple[int, ...] = (2024, 2025, 2026),
) -> list[CorpusDocument]:
    """`n` documents, a pure function of the arguments."""
    rng = random.Random(seed)
    codes = [c for c in (agency_codes if agency_codes is not None else ALL_AGENCY_CODES)]
    if not codes:
        raise ValueError("no agency codes")
    known = {c: AGENCIES.get(c) or _Agency(f"机关{c}", "本地", "政", ("本地",)) for c in codes}
    code_set = set(codes)
    governments = [c for c in _GOVERNMENTS if c in code_set] or codes
    topics = [TOPICS[k] for k in sorted(TOPICS)]
    fits = {t.key: [c for c in t.agencies if c in code_set] for t in topics}
    others_of = {t.key: [o for o in topics if o is not t] for t in topics}
    years = tuple(years) or (2026,)

    rows: list[tuple[str, str, str, str | None, Topic, str, date, date, str]] = []
    order: list[Topic] = []
    for i in range(n):
        if not order:
            order = topics[:]
            rng.shuffle(order)
        topic = order.pop()
        preferred = fits[topic.key]
        roll = rng.random()
        if preferred and roll < 0.8:
            code = preferred[0] if roll < 0.45 else rng.choice(preferred)
        elif roll < 0.93:
            code = rng.choice(governments)
        else:
            code = rng.choice(codes)
        agency = known[code]
        year = rng.choice(years)
        written, published = _dates(rng, year)
        slots = _Slots(rng, agency, written, topic)
        slots["unit_kind"] = _UNIT_KIND.get(agency.place[-1], "单位")
        title = rng.choice(topic.titles).format_map(slots)
        body = _body(rng, topic, slots, others_of[topic.key])
        kind = _number_kind(rng, topic.doc_type)
        rows.append((f"d{i + 1:05d}", code, title, kind, topic, _validity(rng, year), written, published, body))

    # 文号 are numbered per issuing agency, kind and year in order of writing.
    counters: dict[tuple[str, str, int], int] = {}
    numbers: dict[int, str] = {}
    for idx in sorted(range(len(rows)), key=lambda j: (rows[j][6], j)):
        key, code, _, kind, *_rest = rows[idx]
        if kind is None:
            continue
        prefix, year = known[code].prefix, rows[idx][6].year
        seq = counters.get((prefix, kind, year), rng.randint(0, 4)) + rng.randint(1, 3)
        counters[(prefix, kind, year)] = seq
        numbers[idx] = f"{prefix}{kind}〔{year}〕{seq}号"

    return [
        CorpusDocument(
            key=key,
            agency_code=code,
            title=title,
            doc_number=numbers.get(idx),
            category=topic.category,
            doc_type=topic.doc_type,
            validity=validity,
            written_on=written,
            published_on=published,
            body=body,
            topic=topic.key,
        )
        for idx, (key, code, title, _kind, topic, validity, written, published, body) in enumerate(rows)
    ]


# --- topics ------------------------------------------------------------------------------------
