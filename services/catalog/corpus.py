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
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

LATEST_PUBLICATION = date(2026, 11, 20)
BODY_MIN, BODY_MAX = 300, 1500

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
    months: tuple[int, ...] = ()  # months in which it is usually written; () = any
    intro_choices: tuple[tuple[int, ...], ...] = ()  # per title: the intros that suit it


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
        "东湖县城关镇人民政府",
        "城关镇",
        "城政",
        ("柳塘村", "新桥村", "槐树村", "河西村", "南门社区", "北街社区"),
    ),
    "99012201": _Agency("西岭县住房和城乡建设局", "西岭县", "西建", _XILING_UNITS),
}
ALL_AGENCY_CODES: tuple[str, ...] = tuple(AGENCIES)
_GOVERNMENTS = ("990100", "990101", "990121", "990122", "990000")

# --- word lists (all fictional) ---------------------------------------------------------------

_VILLAGES = tuple(
    "柳塘村 新桥村 槐树村 河西村 杨家坞村 石门村 桃花村 上塘村 下庄村 枫林村 竹溪村 "
    "马鞍村 白鹭村 青龙村 梅岭村 金竹村 黄泥岗村 双溪村 茶园村 松山村 清水村 大桥村 "
    "龙潭村 花园村 长丰村 永安村 团结村 三合村 凉亭村 鹤鸣村".split()
)
_COMMUNITIES = tuple(
    "南门社区 北街社区 湖滨社区 东升社区 文昌社区 锦绣社区 翠苑社区 凤凰社区 和平社区 "
    "春晖社区 望江社区 新华社区 桂花社区 银杏社区".split()
)
_ESTATES = tuple(
    "纺织厂宿舍 粮站小区 建设新村 红旗小区 电厂生活区 百货公司宿舍 水利局宿舍 东风新村 "
    "机械厂小区 邮电新村 化肥厂宿舍 供销社小区 农机站小区 丝绸厂宿舍".split()
)
_ROADS = tuple(
    "青山大道 人民路 解放路 湖滨路 文昌路 建设路 中山路 环城北路 滨江路 迎宾大道 "
    "学院路 东湖大道 西岭路 工业大道 新华路 白水路 柳溪路 丰收路 凤鸣路 云台路".split()
)
_SCHOOLS = tuple(
    "东湖县实验小学 东湖县城关第一小学 东湖县城关第二小学 东湖县第二中学 柳溪镇中心小学 "
    "石桥乡中心小学 东湖县湖滨初级中学 桃源镇中学 凤鸣乡九年一贯制学校 东湖县文昌小学".split()
)
_KINDERGARTENS = tuple(
    "东湖县实验幼儿园 凤鸣乡中心幼儿园 柳溪镇中心幼儿园 城关镇南门幼儿园 桃源镇中心幼儿园 "
    "东湖县第二幼儿园 石桥乡阳光幼儿园".split()
)
_COMPANIES = tuple(
    "青山市恒达建设工程有限公司 江南瑞丰食品有限公司 东湖县绿源农业开发有限公司 "
    "西岭县宏远建材有限公司 青山市华信科技有限公司 青山市鑫盛物流有限公司 "
    "江南智造精密机械有限公司 东湖县明珠商贸有限公司 青山云帆信息技术有限公司 "
    "青山市百味餐饮管理有限公司 江南新材新材料股份有限公司 西岭县松坪竹木制品有限公司 "
    "青山市博远医疗器械有限公司 东湖县湖畔酒店管理有限公司 青山市安泰化工有限公司 "
    "西岭县白水茶业有限公司 青山市启航电子有限公司 江南远景环保科技有限公司".split()
)
_RIVERS = ("青溪", "白水河", "柳溪", "云江", "松坪河", "桃源溪", "凤鸣溪", "东湖港", "梅坞溪", "金沙河")
_MOUNTAINS = ("青山", "西岭", "云台山", "梅岭", "松坪山", "鹤鸣山", "龙潭山", "石门尖")
_SURNAMES = "张王李刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许韩冯邓曹彭曾"
_ORGS = tuple(
    "发展和改革局 财政局 自然资源和规划局 生态环境局 农业农村局 市场监督管理局 "
    "应急管理局 卫生健康局 人力资源和社会保障局 交通运输局 水利局 科学技术局 商务局 "
    "统计局".split()
)


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
    d = slots.written + timedelta(days=rng.randint(10, 40))
    return f"{d.year}年{d.month}月1日"


def _previous_month(rng: random.Random, slots: _Slots) -> str:
    d = slots.written.replace(day=1) - timedelta(days=1)
    return f"{d.year}年{d.month}月"


def _year_to_date(rng: random.Random, slots: _Slots) -> str:
    d = slots.written.replace(day=1) - timedelta(days=1)
    return f"{d.year}年1至{d.month}月" if d.month > 1 else f"{d.year}年1月"


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
    "deadline": _days_after(45, 100),
    "later": _days_after(3, 14),
    "date_eff": _month_start,
    "before": _days_after(-25, -5),
    "wmonth": lambda rng, slots: str(slots.written.month),
    "period": _previous_month,
    "ytd": _year_to_date,
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
    rng: random.Random
    agency: _Agency
    written: date

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

_GENERIC_OTHER: tuple[str, ...] = (
    "其他事项。未尽事宜由{agency}负责解释，相关政策如有调整，以最新规定为准。",
    "信息查询。有关信息可登录{place}人民政府门户网站“政府信息公开”专栏查询，也可到{unit}便民服务中心咨询。",
    "监督举报。对工作中存在的违规违纪问题，可向{place}纪检监察机关或有关主管部门反映，我们将依法依规处理。",
    "数据说明。文中数据来源于相关部门的统计和业务系统，部分为快报数，最终数据以正式统计为准。",
    "权利告知。公民、法人或者其他组织认为行政机关在相关工作中侵犯其合法权益的，可依法申请行政复议或者提起行政诉讼。",
)

_ELABORATIONS: tuple[str, ...] = (
    "{year}年以来，已累计投入资金{wan9}万元，惠及群众{count9}人。",
    "截至{date}，相关工作已完成年度目标任务的{rate9}%。",
    "各地要结合实际细化落实举措，确保政策不走样、不变形。",
    "对群众反映的问题，要做到件件有回音、事事有着落。",
    "{unit9}要发挥示范带动作用，及时总结推广好的经验做法。",
    "工作中遇到的重大问题，请及时向上级主管部门请示报告。",
    "相关情况将在{place}人民政府门户网站同步公开，接受社会监督。",
    "与上年相比，办理时限平均压缩{pct9}%，群众获得感进一步增强。",
    "对弄虚作假、优亲厚友的，一经查实，严肃追究相关人员责任。",
    "{village9}、{community9}等地已先行试点，取得了较好效果。",
    "涉及资金拨付的，须在{later9}前完成审核并报财政部门备案。",
    "必要时可邀请人大代表、政协委员和群众代表参与监督。",
    "工作推进情况纳入年度目标责任制考核，考核结果作为评先评优的重要依据。",
    "要坚持问题导向，聚焦群众急难愁盼，推动工作取得实效。",
    "各有关部门要加强信息共享，打通数据壁垒，减少群众重复提交材料。",
    "{org9}负责做好技术指导和业务培训，全年组织培训不少于{n9}场次。",
    "{prev_year}年同期相比，相关指标增长{pct8}%，总体保持平稳向好态势。",
    "对行动不便的老年人、残疾人，可提供上门服务或由村（社区）工作人员代办。",
)

_GENERIC_TYPES = frozenset({"notice", "plan", "normative", "programme", "regulation"})

_CLOSINGS: dict[str, tuple[str, ...]] = {
    "notice": ("特此通知。", "请认真贯彻执行。", "请结合实际，认真抓好落实。"),
    "announcement": ("特此公告。", "特此公告。", "欢迎社会各界监督。"),
    "normative": ("本规定由{agency}负责解释，自{date_eff}起施行。", "本办法自{date_eff}起施行，有效期五年。"),
    "regulation": ("本办法自{date_eff}起施行。",),
    "plan": ("本计划由{agency}负责解释，自印发之日起实施。", "本方案自印发之日起施行。"),
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


# How a title ends → what an opening paragraph that suits it says.
_TITLE_ENDINGS = (
    (("通知",), "通知"),
    (("公告", "通告"), "公告"),
    (("公示",), "公示"),
    (("方案", "计划", "预案", "规划", "要点"), "制定本"),
    (("意见", "措施"), "意见"),
    (("办法", "规定", "细则"), "制定本"),
    (("通报",), "通报"),
    (("报告",), "报告"),
)
_TRAILING_NOTE = re.compile(r"（[^（）]*）$")


def _suiting_intros(title: str, intros: Sequence[str]) -> tuple[int, ...]:
    title = _TRAILING_NOTE.sub("", title)
    for endings, word in _TITLE_ENDINGS:
        if title.endswith(endings):
            suiting = tuple(i for i, intro in enumerate(intros) if word in intro)
            return suiting or tuple(range(len(intros)))
    return tuple(range(len(intros)))


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
    months: Sequence[int] = (),
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
        intro_choices=tuple(_suiting_intros(title, intros) for title in titles),
        sections=tuple((s,) if isinstance(s, str) else tuple(s) for s in sections),
        attachments=tuple(attachments),
        mentions=tuple(mentions) or (name,),
        months=tuple(months),
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


def _dates(rng: random.Random, year: int, months: tuple[int, ...]) -> tuple[date, date]:
    delay = rng.randint(31, 80) if rng.random() < 0.04 else rng.randint(1, 25)
    last = min(date(year, 12, 31), LATEST_PUBLICATION - timedelta(days=delay))
    first = min(date(year, 1, 1), last)
    if months:
        month = rng.choice(months)
        start = date(year, month, 1)
        end = date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)
        if start <= last:
            first, last = start, min(end, last)
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


def _body(rng: random.Random, topic: Topic, intro: str, slots: _Slots, others: Sequence[Topic]) -> str:
    groups = list(topic.sections)
    if len(groups) > 4 and rng.random() < 0.6:
        del groups[rng.randrange(1, len(groups))]
    sections = [rng.choice(group).format_map(slots) for group in groups]
    generic = _GENERIC_SECTIONS if topic.doc_type in _GENERIC_TYPES else _GENERIC_OTHER
    spare = rng.sample(generic, k=len(generic))
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        sections.append(spare.pop().format_map(slots))
    for text in rng.sample(_ELABORATIONS, k=rng.choice((0, 0, 1, 2, 3, 4, 6))):
        i = rng.randrange(len(sections))
        sections[i] += text.format_map(slots)
    if others and rng.random() < 0.18:
        other = rng.choice(others)
        mention = rng.choice(_MENTIONS).replace("{other}", rng.choice(other.mentions))
        sections[-1] += mention
    closing = rng.choice(_CLOSINGS.get(topic.doc_type, _CLOSINGS["other"])).format_map(slots)
    contact = rng.choice(_CONTACTS).format_map(slots)
    tail = [closing, contact]
    if topic.attachments and rng.random() < 0.7:
        picks = rng.sample(topic.attachments, k=min(len(topic.attachments), rng.randint(1, 2)))
        if len(picks) == 1:
            tail.append("附件：" + picks[0].format_map(slots))
        else:
            tail.append("附件：1. " + picks[0].format_map(slots))
            tail.extend(f"{i}. {p.format_map(slots)}" for i, p in enumerate(picks[1:], start=2))
    tail += [slots.agency.name, slots["date"]]

    def assemble() -> str:
        numbered = [f"{_NUMERALS[i % 10]}、{text}" for i, text in enumerate(sections)]
        return "\n".join([intro, *numbered, *tail])

    body = assemble()
    while len(body) > BODY_MAX and len(sections) > 1:
        sections.pop()
        body = assemble()
    while len(body) < BODY_MIN:
        sections.append((spare.pop() if spare else rng.choice(_ELABORATIONS)).format_map(slots))
        body = assemble()
    return body[:BODY_MAX]


def generate(
    n: int,
    seed: int = 20261124,
    agency_codes: Sequence[str] | None = None,
    years: tuple[int, ...] = (2024, 2025, 2026),
) -> list[CorpusDocument]:
    """`n` documents, a pure function of the arguments."""
    rng = random.Random(seed)
    codes = sorted(set(agency_codes if agency_codes is not None else ALL_AGENCY_CODES))
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
            code = preferred[0] if roll < 0.25 else rng.choice(preferred)
        elif roll < 0.93:
            code = rng.choice(governments)
        else:
            code = rng.choice(codes)
        agency = known[code]
        year = rng.choice(years)
        written, published = _dates(rng, year, topic.months)
        slots = _Slots(rng, agency, written, topic)
        slots["unit_kind"] = _UNIT_KIND.get(agency.place[-1], "单位")
        t = rng.randrange(len(topic.titles))
        title = topic.titles[t].format_map(slots)
        intro = topic.intros[rng.choice(topic.intro_choices[t])].format_map(slots)
        body = _body(rng, topic, intro, slots, others_of[topic.key])
        kind = _number_kind(rng, topic.doc_type)
        rows.append(
            (f"d{i + 1:05d}", code, title, kind, topic, _validity(rng, year), written, published, body)
        )

    # 文号 are numbered per issuing agency, kind and year in order of writing.
    counters: dict[tuple[str, str, int], int] = {}
    numbers: dict[int, str] = {}
    for idx in sorted(range(len(rows)), key=lambda j: (rows[j][6], j)):
        _key, code, _title, kind, *_rest = rows[idx]
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

_topic(
    "dibao_standard",
    "最低生活保障标准调整",
    "civil_affairs",
    "notice",
    ("990102", "990100", "990121", "990122"),
    (
        "{agency}关于调整{year}年城乡最低生活保障标准的通知",
        "{agency}关于提高{place}城乡居民最低生活保障标准的通知",
        "关于{year}年度{place}最低生活保障标准调整有关事项的通知",
    ),
    (
        "为进一步织密扎牢民生保障网，切实保障困难群众基本生活，根据《社会救助暂行办法》及上级民政部门有关要求，"
        "经{place}人民政府同意，现就调整{year}年城乡最低生活保障标准有关事项通知如下：",
        "{prev_year}年以来，{place}城乡居民人均消费支出稳步增长。为使最低生活保障标准与经济社会发展水平相适应，"
        "经研究，决定自{date_eff}起调整城乡最低生活保障标准。现将有关事项通知如下：",
    ),
    (
        (
            "调整标准。城乡最低生活保障标准统一由每人每月{std_old}元提高到{std_new}元，"
            "特困人员基本生活标准按不低于低保标准的1.3倍同步调整。",
            "保障标准。自{date_eff}起，{place}城乡低保标准统一为每人每月{std_new}元，"
            "较上年提高{pct}%，城乡标准继续保持一体化。",
        ),
        (
            "补差发放。低保金按照家庭人均收入与保障标准的差额计算，实行社会化发放，"
            "由各{unit_kind}于每月{n}日前足额打卡到户，调整后的差额部分一并补发。",
            "资金保障。所需资金由各级财政按现行比例分担，{place}本级预计新增支出约{wan}万元，"
            "各地要及时将资金拨付到位，不得拖欠。",
        ),
        (
            "动态管理。各地要结合标准调整，对在册低保对象开展一次全面复核，"
            "对收入超过新标准的按程序办理退出，对符合条件的新申请对象做到应保尽保。",
            "规范审核。严格落实申请、审核、确认、公示程序，{unit}等地要重点核查家庭经济状况，"
            "全年计划完成入户核查{count}户。",
        ),
        (
            "公开公示。调整后的保障标准和享受低保家庭名单要在村（社区）公示栏公示，"
            "公示期不少于7天，接受群众监督。",
            "做好政策解读。各地民政部门要通过走访、电话回访等方式向保障对象讲清标准调整情况，"
            "{community}等社区要设立咨询台。",
        ),
    ),
    attachments=("{year}年{place}城乡最低生活保障标准调整情况表", "低保金补发汇总表"),
    mentions=("最低生活保障", "低保"),
    months=(5, 6, 7, 12),
)

_topic(
    "medical_insurance",
    "城乡居民医疗保险缴费",
    "health_sports",
    "notice",
    ("990100", "990101", "990121", "990122", "99012102"),
    (
        "关于做好{next_year}年度城乡居民基本医疗保险参保缴费工作的通知",
        "{agency}关于{next_year}年度城乡居民医疗保险集中缴费的公告",
        "{place}{next_year}年度城乡居民基本医疗保险参保缴费工作方案",
    ),
    (
        "为巩固全民参保成果，确保城乡居民应保尽保，根据上级医疗保障部门统一部署，"
        "现就做好{next_year}年度城乡居民基本医疗保险参保缴费工作通知如下：",
        "{next_year}年度城乡居民基本医疗保险集中缴费工作即将开始。为方便群众及时参保，"
        "保障参保人员按时享受医保待遇，现将有关事项通知如下：",
    ),
    (
        (
            "参保范围。具有{place}户籍、未参加职工基本医疗保险的城乡居民，以及持有本地居住证的常住人员，"
            "均可参加城乡居民基本医疗保险。",
            "参保对象。除职工医保参保人员以外的城乡居民，包括在校学生、未成年人和灵活就业人员，"
            "均应以家庭为单位参加城乡居民医疗保险。",
        ),
        (
            "缴费标准。{next_year}年度个人缴费标准为每人每年{yuan}元，各级财政补助标准不低于每人每年{yuan2}元。"
            "特困人员、低保对象的个人缴费部分由医疗救助资金全额或定额资助。",
            "缴费时间。集中缴费期为{date_eff}至{deadline}，集中缴费期结束后参保的，设置3个月待遇等待期。",
        ),
        (
            "缴费渠道。参保人员可通过“江南医保”APP、微信小程序、银行网点或{unit}便民服务中心缴费，"
            "也可委托村（社区）代收代缴。",
            "缴费方式。推行线上缴费为主、线下代收为辅的方式，{village}等村由村级代办员上门服务，"
            "确保老年人和行动不便人员顺利参保。",
        ),
        (
            "工作要求。各{unit_kind}要将参保任务分解到村（社区），力争参保率稳定在{rate}%以上，"
            "严禁重复参保和强制收费。",
            "待遇保障。参保人员在定点医疗机构住院，政策范围内费用按规定比例报销，年度最高支付限额为{big}元。",
        ),
    ),
    attachments=("{next_year}年度城乡居民医保参保缴费标准表", "各{unit_kind}参保任务分解表"),
    mentions=("城乡居民医疗保险", "医保缴费"),
    months=(8, 9, 10, 11),
)

_topic(
    "compulsory_enrollment",
    "义务教育招生入学",
    "science_education",
    "announcement",
    ("99012101", "990121"),
    (
        "{agency}关于{year}年义务教育阶段学校招生入学工作的公告",
        "{place}{year}年义务教育招生入学工作实施方案",
        "{year}年{place}城区小学一年级和初中一年级招生入学公告",
    ),
    (
        "根据《中华人民共和国义务教育法》和上级教育行政部门关于义务教育招生入学工作的要求，"
        "为保障适龄儿童少年依法接受义务教育，现将{year}年{place}义务教育招生入学有关事项公告如下：",
        "为进一步规范义务教育招生入学秩序，坚持免试就近入学原则，促进教育公平，"
        "结合{place}学位供给实际，现就{year}年义务教育阶段学校招生入学工作公告如下：",
    ),
    (
        (
            "招生对象。凡{prev_year}年8月31日前（含）出生、年满6周岁的适龄儿童，应当入学接受义务教育；"
            "{year}年小学毕业生全部升入初中。",
            "入学年龄。小学一年级招收{year}年8月31日前年满6周岁的适龄儿童，"
            "初中一年级招收本学年度小学毕业生。",
        ),
        (
            "划片招生。城区公办学校按照学区划片招生，{school}、{school2}等学校学区范围详见附件，"
            "学区划分一经公布不得随意变更。",
            "入学方式。公办学校实行免试就近入学，民办学校纳入审批地统一管理、与公办学校同步招生，"
            "报名人数超过招生计划的实行电脑随机录取。",
        ),
        (
            "报名时间。网上报名时间为{date_eff}至{deadline}，家长可登录“东湖教育”APP或招生平台填报信息，"
            "现场审核地点设在各学校招生办公室。",
            "材料审核。报名需提供户口簿、不动产权证或居住证等材料，学校于{later}前完成审核，"
            "对材料存疑的将会同公安、住建部门核实。",
        ),
        (
            "随迁子女入学。进城务工人员随迁子女以居住证为主要依据，由教育局统筹安排到学位相对充裕的学校就读，"
            "今年计划安排学位{count}个。",
            "特殊群体保障。对烈士子女、现役军人子女、残疾儿童少年等群体，按照有关政策优先保障入学，"
            "残疾儿童少年由专家委员会评估后安置。",
        ),
        (
            "招生纪律。严禁以各类竞赛证书、考级证明作为招生依据，严禁举办或变相举办选拔性考试，"
            "举报电话：{phone}。",
        ),
    ),
    attachments=("{year}年城区公办小学学区划分表", "{year}年初中学校招生计划表"),
    mentions=("义务教育", "招生入学"),
    months=(4, 5, 6),
)

_topic(
    "preschool_aid",
    "学前教育资助",
    "science_education",
    "notice",
    ("99012101", "990121", "990122"),
    (
        "{agency}关于做好{year}年秋季学期学前教育资助工作的通知",
        "关于下达{year}年学前教育幼儿资助资金的通知",
        "{place}家庭经济困难幼儿入园资助实施办法",
    ),
    (
        "为保障家庭经济困难儿童接受普惠性学前教育，根据上级财政、教育部门关于学前教育资助的有关规定，"
        "现就做好{year}年学前教育资助工作通知如下：",
        "根据学前教育发展资金管理有关规定，经研究，现下达{year}年学前教育幼儿资助资金，"
        "并就资助对象认定和资金发放有关事项通知如下：",
    ),
    (
        (
            "资助对象。在经审批设立的公办幼儿园和普惠性民办幼儿园就读的家庭经济困难儿童、"
            "孤儿和残疾儿童，优先资助低保家庭和特困供养儿童。",
            "资助范围。{kinder}、{kinder2}等在园幼儿中，建档立卡脱贫家庭、低保家庭及残疾儿童均属资助范围。",
        ),
        (
            "资助标准。资助标准为每生每年{yuan_k}元，按学期发放；本次下达资金{wan_s}万元，"
            "资助幼儿{count}人次。",
            "资助方式。资助资金可用于减免保育教育费，也可直接发放给幼儿家长，每学期资助金额不低于{yuan}元。",
        ),
        (
            "认定程序。幼儿家长提出申请，幼儿园组织评议并在园内公示5个工作日，"
            "无异议后报教育局学生资助管理中心审核。",
            "信息管理。各幼儿园要在学生资助管理信息系统中如实录入受助幼儿信息，于{deadline}前完成数据上报。",
        ),
        (
            "监督管理。严禁虚报冒领、截留挪用资助资金，{agency}将对资金使用情况进行抽查，"
            "发现问题的依规追究责任。",
        ),
    ),
    attachments=("{year}年学前教育资助资金分配表", "家庭经济困难幼儿资助申请表"),
    mentions=("学前教育资助",),
    months=(3, 4, 9, 10),
)

_topic(
    "old_community",
    "老旧小区改造",
    "construction_environment",
    "plan",
    ("99012201", "990100", "990101", "990122"),
    (
        "{agency}关于印发{year}年城镇老旧小区改造计划的通知",
        "{place}{year}年老旧小区改造项目实施方案",
        "{year}年{place}老旧小区改造工作计划",
    ),
    (
        "为改善居民居住条件，推动城市更新，按照上级关于全面推进城镇老旧小区改造工作的部署，"
        "结合{place}实际，制定本计划。",
        "城镇老旧小区改造是重大民生工程。为有序推进{year}年改造任务，补齐基础设施短板，"
        "现就{place}老旧小区改造工作制定方案如下：",
    ),
    (
        (
            "改造任务。{year}年计划改造{prev_year}年底前建成的老旧小区{n}个，涉及居民{count}户，"
            "建筑面积约{big}平方米，总投资{wan}万元。",
            "项目清单。首批改造项目包括{estate}、{estate2}等小区，重点实施管网更新、屋面防水、"
            "外墙保温和加装电梯等内容。",
        ),
        (
            "改造内容。基础类改造重点解决水电气路和消防设施老化问题；完善类改造增设停车位、"
            "电动自行车充电设施和无障碍设施；提升类改造配建养老托育等社区服务设施。",
            "资金筹措。采取中央补助、地方配套、居民出资和社会资本参与相结合的方式筹集资金，"
            "引导管线单位承担相关改造费用。",
        ),
        (
            "居民参与。坚持“先民意、后改造”，改造方案须经小区三分之二以上居民同意，"
            "{community}等社区要组织召开居民议事会征求意见。",
            "施工管理。项目实行挂牌施工，公示工期、内容和监督电话，施工单位要落实文明施工要求，"
            "最大限度减少对居民生活的影响。",
        ),
        (
            "时间安排。{date_eff}前完成项目立项和设计，{deadline}前全面开工，年底前完成主体工程。",
            "长效管理。改造完成后同步建立物业管理机制，暂不具备条件的由社区托管，防止“一年新、两年旧”。",
        ),
    ),
    attachments=("{year}年老旧小区改造项目清单", "老旧小区改造居民意见征询表"),
    mentions=("老旧小区改造",),
)

_topic(
    "rural_dilapidated",
    "农村危房改造",
    "construction_environment",
    "notice",
    ("99012201", "990122", "990121", "99012102"),
    (
        "{agency}关于做好{year}年农村危房改造工作的通知",
        "关于下达{year}年农村低收入群体等重点对象危房改造任务的通知",
        "{place}{year}年农村危房改造补助对象公示",
    ),
    (
        "为保障农村低收入群体住房安全，根据上级住房城乡建设部门关于农村危房改造的工作部署，"
        "现就做好{year}年{place}农村危房改造工作通知如下：",
        "经各乡镇申报、县级审核，现将{year}年农村危房改造任务下达给你们，并就有关事项通知如下：",
    ),
    (
        (
            "改造对象。重点支持农村低保户、特困供养人员、低保边缘家庭和因病因灾致贫家庭中住房鉴定为C级、D级危房的对象。",
            "任务安排。{year}年全县共安排农村危房改造任务{count}户，其中{unit}{n}户、{unit2}{n2}户。",
        ),
        (
            "补助标准。拆除重建的每户补助{yuan_k}元至{big}元，维修加固的每户补助不超过{yuan_k2}元，"
            "补助资金直接拨付至农户“一卡通”账户。",
            "资金安排。本年度下达补助资金{wan}万元，按照竣工验收进度拨付，严禁以资金未到位为由拖延开工。",
        ),
        (
            "质量安全。改造房屋须满足抗震设防要求，乡镇要组织技术人员开展现场指导，"
            "对{village}、{village2}等集中改造点实行巡查。",
            "鉴定程序。危房等级由具备资质的技术人员现场鉴定并出具鉴定意见，农户签字确认后录入信息系统。",
        ),
        (
            "竣工验收。项目完工后由乡镇会同县住建局在{deadline}前组织验收，验收合格后方可拨付补助尾款。",
            "档案管理。实行“一户一档”，档案应包括申请书、鉴定意见、改造前中后照片和验收表。",
        ),
    ),
    attachments=("{year}年农村危房改造任务分配表", "农村危房改造补助对象名单"),
    mentions=("农村危房改造",),
)

_topic(
    "flood_plan",
    "防汛抗旱应急预案",
    "agriculture",
    "plan",
    ("990122", "990121", "990100", "990101", "99012102"),
    (
        "{agency}关于印发{place}防汛抗旱应急预案的通知",
        "{place}防汛抗旱应急预案（{year}年修订）",
        "{agency}办公室关于做好{year}年防汛抗旱工作的通知",
    ),
    (
        "为做好水旱灾害突发事件防范与处置工作，保证抗洪抢险、抗旱救灾工作高效有序进行，"
        "最大程度减少人员伤亡和财产损失，结合{place}实际，制定本预案。",
        "{year}年汛期即将到来。据气象部门预测，今年{place}降水总体偏多，局地强降雨和阶段性干旱并存。"
        "为切实做好防汛抗旱各项工作，现将有关要求通知如下：",
    ),
    (
        (
            "组织体系。{place}防汛抗旱指挥部负责组织、协调、指导全{lvl}防汛抗旱工作，指挥部办公室设在水利局，"
            "值班电话：{phone}。",
            "责任落实。全面落实以行政首长负责制为核心的防汛责任制，{river}沿线各乡镇要明确堤防、水库和山塘的责任人。",
        ),
        (
            "预警分级。按照洪涝灾害的严重程度和影响范围，应急响应分为Ⅳ级、Ⅲ级、Ⅱ级和Ⅰ级四个等级，"
            "{river}水位超过警戒水位时启动Ⅳ级应急响应。",
            "风险排查。汛前对全{lvl}{n}座小型水库、{count}处山洪灾害危险区开展隐患排查，"
            "发现问题于{deadline}前整改完毕。",
        ),
        (
            "应急处置。发生险情后，属地政府应立即组织抢险，转移受威胁群众，"
            "{village}等低洼地带要提前确定转移路线和安置点。",
            "抗旱保供。出现旱情时优先保障城乡居民生活用水，合理调度水库蓄水，"
            "必要时采取应急送水、临时打井等措施。",
        ),
        (
            "物资保障。各级防汛物资仓库要储备编织袋、救生衣、冲锋舟等物资，今年新增防汛物资采购资金{wan_s}万元。",
            "队伍建设。组建由民兵、消防救援人员和专业抢险队组成的抢险队伍{n2}支，共{count2}人，"
            "汛期实行24小时值班。",
        ),
        (
            "值班值守。汛期（4月15日至10月15日）各级防汛机构实行24小时值班和领导带班制度，"
            "严格执行重大险情报告制度。",
        ),
    ),
    attachments=("{place}防汛抗旱指挥部成员名单", "{place}山洪灾害危险区人员转移表"),
    mentions=("防汛抗旱", "防汛"),
    months=(3, 4, 5, 6),
)

_topic(
    "forest_fire",
    "森林防火",
    "agriculture",
    "notice",
    ("990122", "990121", "99012102", "990100"),
    (
        "{agency}关于加强{year}年冬春季森林防火工作的通知",
        "{agency}关于发布森林防火禁火令的通告",
        "关于进一步做好清明期间森林防火工作的紧急通知",
    ),
    (
        "当前已进入森林防火紧要期，{place}林区气温偏高、降水偏少，森林火险等级持续偏高。"
        "为切实做好森林防火工作，保护森林资源和人民群众生命财产安全，现就有关事项通知如下：",
        "根据《森林防火条例》，结合{place}实际，{agency}决定自{date_eff}起至{next_year}年4月30日为森林防火期，"
        "现将有关要求通知如下：",
    ),
    (
        (
            "严格野外用火管理。森林防火期内，在林区及林缘500米范围内禁止烧荒、烧田埂、燃放孔明灯等一切野外用火，"
            "违者依法处罚。",
            "落实禁火措施。{mountain}、{mountain2}等重点林区设立检查站{n}处，对进山人员和车辆实行火源检查登记。",
        ),
        (
            "加强巡山护林。各乡镇要配足配强护林员，全{lvl}共落实生态护林员{count}名，"
            "对{village}等重点村实行网格化巡护。",
            "强化祭祀用火管控。清明期间在主要墓区设立文明祭扫服务点，倡导鲜花祭扫、网络祭扫，"
            "严禁在林区焚香烧纸。",
        ),
        (
            "做好扑救准备。专业森林消防队伍实行靠前驻防，储备风力灭火机、二号工具等扑火物资，"
            "一旦发生火情，确保打早、打小、打了。",
            "火情报告。任何单位和个人发现森林火情，应立即拨打森林防火报警电话12119或{phone}。",
        ),
        ("严肃责任追究。对因工作不力导致发生重大森林火灾的，依法依规追究相关人员责任。",),
    ),
    mentions=("森林防火",),
    months=(1, 2, 3, 10, 11, 12),
)

_topic(
    "safety_inspection",
    "安全生产大检查",
    "market_safety",
    "notice",
    ("990101", "990121", "990122", "990100", "99012102"),
    (
        "{agency}关于开展{year}年安全生产大检查的通知",
        "{place}安全生产大排查大整治专项行动方案",
        "关于开展岁末年初安全生产隐患排查整治工作的通知",
    ),
    (
        "为深刻吸取近期省内外生产安全事故教训，有效防范遏制重特大事故，经{place}人民政府同意，"
        "决定在全{lvl}范围内开展安全生产大检查。现将有关事项通知如下：",
        "当前正值生产经营旺季，各类安全风险交织叠加。为切实维护人民群众生命财产安全，"
        "{agency}决定于{date_eff}至{deadline}开展安全生产大检查和隐患排查整治，具体事项通知如下：",
    ),
    (
        (
            "检查范围。重点检查危险化学品、非煤矿山、建筑施工、道路交通、消防、燃气、特种设备等行业领域，"
            "覆盖全{lvl}{count}家生产经营单位。",
            "重点内容。聚焦企业主要负责人履职、隐患排查治理台账、应急预案演练和从业人员培训情况，"
            "对{company}等重点企业实行“一企一策”。",
        ),
        (
            "方法步骤。检查分企业自查、部门检查、督导复查三个阶段进行，企业自查须于{later}前完成，"
            "部门检查覆盖率达到100%。",
            "执法检查。应急管理、住建、交通等部门组成{n}个检查组，采取“四不两直”方式明查暗访，"
            "对重大隐患挂牌督办。",
        ),
        (
            "隐患整改。对排查出的一般隐患立即整改，重大隐患实行整改责任、资金、措施、时限和预案“五落实”，"
            "整改不到位的依法责令停产停业。",
            "燃气安全。对餐饮场所、老旧管网和瓶装液化气经营网点开展全覆盖检查，{road}沿线餐饮企业全部安装可燃气体报警装置。",
        ),
        ("信息报送。各{unit_kind}和有关部门于每周五前将检查进展报{place}安委会办公室，联系电话：{phone}。",),
    ),
    attachments=("安全生产大检查重点任务分工表", "重大事故隐患排查整治情况统计表"),
    mentions=("安全生产", "隐患排查"),
)

_topic(
    "food_sampling",
    "食品安全抽检结果",
    "market_safety",
    "announcement",
    ("990100", "990101", "990121", "990122"),
    (
        "{place}市场监督管理局关于{year}年第{n}期食品安全监督抽检信息的公告",
        "{year}年{place}食品安全监督抽检结果公告（第{n}期）",
        "关于{n}批次食品不合格情况的通告",
    ),
    (
        "近期，{place}市场监督管理局组织抽检了粮食加工品、食用油、肉制品、乳制品、饮料、糕点等食品，"
        "共{count}批次，现将抽检结果公告如下：",
        "根据食品安全监督抽检计划，{place}对辖区内生产、销售和餐饮环节的食品开展了监督抽检。"
        "依据《中华人民共和国食品安全法》及其实施条例，现将有关情况公告如下：",
    ),
    (
        (
            "抽检总体情况。本期共抽检样品{count}批次，检验合格{count2}批次，合格率{rate}%。"
            "抽检项目包括农药残留、兽药残留、微生物污染和食品添加剂等。",
            "合格情况。抽检的糕点、饮料、调味品等类别样品全部合格，蔬菜类样品合格率为{rate}%。",
        ),
        (
            "不合格产品情况。{company}经营的散装鲜鸡蛋检出恩诺沙星超标，某农贸市场摊位销售的芹菜检出毒死蜱超标，"
            "不合格产品已全部下架。",
            "不合格项目说明。大肠菌群是评价食品卫生状况的指示性微生物，超标可能与原料受污染或生产过程卫生控制不严有关。",
        ),
        (
            "核查处置。对抽检发现的不合格食品，属地市场监管部门已责令经营者立即采取下架、召回等措施，"
            "依法立案调查，处置情况将及时向社会公布。",
            "消费提示。消费者购买食品时应选择证照齐全的正规商户，索要购物凭证，发现问题可拨打12315投诉举报。",
        ),
    ),
    attachments=("食品安全监督抽检合格产品信息", "食品安全监督抽检不合格产品信息"),
    mentions=("食品安全抽检", "食品安全"),
)

_topic(
    "procurement_intent",
    "政府采购意向公开",
    "finance",
    "announcement",
    ("990101", "990102", "99012101", "99012201", "990121"),
    (
        "{agency}{year}年{wmonth}月政府采购意向公开",
        "{agency}关于{year}年第{n}批政府采购意向的公告",
        "{agency}政府采购意向公告（{year}年）",
    ),
    (
        "为便于供应商及时了解政府采购信息，根据财政部关于开展政府采购意向公开工作的有关要求，"
        "现将{agency}{year}年采购意向公开如下：",
        "根据《中华人民共和国政府采购法》及预算绩效管理相关规定，{agency}对本年度拟实施的采购项目意向公告如下：",
    ),
    (
        (
            "采购项目。{place}公共服务信息化平台运维服务项目，预算金额{wan_s}万元，"
            "预计于{deadline}前开展采购，采购需求概况为系统运行维护和数据安全保障。",
            "采购项目。办公楼物业管理服务项目，预算金额{wan_s}万元，采购内容包括保洁、保安、绿化养护等，"
            "服务期一年。",
        ),
        (
            "采购项目。{year}年度公务用车定点维修服务，预算金额{wan_s2}万元，采用竞争性磋商方式，"
            "预计于{deadline}前完成采购。",
            "采购项目。{road}道路照明设施更新改造工程，预算金额{wan}万元，预计采购时间为第三季度。",
        ),
        (
            "说明。本次公开的采购意向是本单位政府采购工作的初步安排，具体采购项目情况以相关采购公告和采购文件为准。",
            "说明。采购意向公开后如有调整，将另行公告；供应商如有意见建议可在15日内反馈。",
        ),
    ),
    mentions=("政府采购",),
)

_topic(
    "budget_disclosure",
    "财政预算决算公开",
    "finance",
    "report",
    ("990100", "990121", "990122", "990102", "99012101", "99012201"),
    (
        "{agency}{year}年部门预算公开说明",
        "{agency}{prev_year}年度部门决算公开",
        "关于{place}{prev_year}年财政预算执行情况和{year}年财政预算草案的报告",
    ),
    (
        "根据《中华人民共和国预算法》和财政部门关于预决算公开的统一要求，现将{agency}{year}年预算情况说明如下"
        "（上年度决算情况另行公开）：",
        "{prev_year}年，在{place}党委、政府的领导下，全{lvl}财政部门认真落实积极的财政政策，"
        "预算执行情况总体良好（决算数据待批复后另行报告）。现将有关情况报告如下：",
    ),
    (
        (
            "收支总体情况。{year}年收入预算{wan}万元，其中一般公共预算财政拨款收入{wan2}万元；"
            "支出预算与收入预算相等，基本支出占{pct}%。",
            "一般公共预算收入。全{lvl}一般公共预算收入完成{yi}亿元，同比增长{pct}%，其中税收收入占比{rate}%。",
        ),
        (
            "“三公”经费情况。{year}年“三公”经费预算{wan_s}万元，其中公务接待费{yuan_k}元，"
            "公务用车运行维护费{wan_s2}万元，因公出国（境）费用为零。",
            "支出结构。民生支出占一般公共预算支出的比重达到{rate}%，教育、社会保障和就业、卫生健康支出分别增长{pct}%、{pct2}%、{pct3}%。",
        ),
        (
            "政府采购情况。本年度政府采购预算总额{wan_s}万元，其中授予中小企业合同金额占比{rate}%。",
            "国有资产占用情况。截至上年末，共有车辆{n}辆，单价50万元以上通用设备{n2}台（套）。",
        ),
        (
            "绩效管理情况。全面实施预算绩效管理，纳入绩效目标管理的项目{n}个，涉及资金{wan_s3}万元。",
            "名词解释。机关运行经费，是指为保障行政单位运行用于购买货物和服务的各项资金。",
        ),
    ),
    attachments=("{year}年部门收支预算总表", "{year}年一般公共预算“三公”经费支出表"),
    mentions=("预算", "决算公开"),
    months=(1, 2, 3, 8, 9),
)

_topic(
    "civil_servant_exam",
    "公务员招录公告",
    "labour_personnel",
    "announcement",
    ("990000", "990100", "990121", "990122"),
    (
        "{place}{year}年度考试录用公务员公告",
        "{year}年{place}各级机关考试录用公务员面试公告",
        "{place}{year}年考试录用公务员拟录用人员公示",
    ),
    (
        "根据《中华人民共和国公务员法》和《公务员录用规定》等法律法规，经研究，{place}{year}年度考试录用公务员工作即将开始，"
        "现将有关事项公告如下：",
        "{place}{year}年度考试录用公务员笔试已经结束，根据招录工作安排，现将后续环节有关事项公告如下：",
    ),
    (
        (
            "招录计划。本次计划招录公务员{count}名，其中{org}等单位{n}名，详见招录职位表。",
            "报考条件。具有中华人民共和国国籍，年龄在18周岁以上、35周岁以下，具有大学本科及以上学历，"
            "应届硕士、博士研究生年龄可放宽到40周岁。",
        ),
        (
            "报名方式。报名采取网络报名方式，报名时间为{date_eff}至{later}，考生登录江南人事考试网填报信息。",
            "笔试安排。公共科目笔试包括行政职业能力测验和申论两科，笔试时间为{deadline}，考点设在{place}。",
        ),
        (
            "资格复审与面试。根据笔试成绩从高分到低分按照1:3的比例确定面试人选，面试采取结构化面试方式。",
            "体检和考察。体检参照《公务员录用体检通用标准（试行）》执行，考察重点了解报考者的政治素质和道德品行。",
        ),
        (
            "咨询方式。政策咨询电话：{phone}；技术咨询电话：{phone2}。考试不指定辅导用书，不举办也不委托任何机构举办考试辅导培训班。",
        ),
    ),
    attachments=("{year}年度考试录用公务员职位表", "报考人员诚信承诺书"),
    mentions=("公务员招录", "公务员"),
    months=(1, 2, 3, 4, 10, 11),
)

_topic(
    "institution_recruit",
    "事业单位招聘",
    "labour_personnel",
    "announcement",
    ("990121", "990122", "99012101", "990102", "990100"),
    (
        "{place}{year}年公开招聘事业单位工作人员公告",
        "{agency}所属事业单位{year}年公开招聘工作人员公告",
        "{year}年{place}中小学教师公开招聘公告",
    ),
    (
        "为满足事业发展需要，根据《事业单位人事管理条例》和事业单位公开招聘有关规定，"
        "经研究，{place}决定面向社会公开招聘事业单位工作人员。现将有关事项公告如下：",
        "根据{place}教育事业发展需要，经批准，{year}年面向社会公开招聘中小学教师，现将招聘有关事项公告如下：",
    ),
    (
        (
            "招聘计划。本次共招聘事业单位工作人员{count}名，其中专业技术岗位{n}名、管理岗位{n2}名，"
            "具体岗位见附件。",
            "招聘计划。计划招聘中小学教师{n}名，其中语文、数学、英语岗位各{n2}名，招聘学校包括{school}等。",
        ),
        (
            "应聘条件。遵守宪法和法律，具有良好的品行，年龄35周岁以下，具备岗位所需的学历、专业和资格条件；"
            "教师岗位须具有相应层次教师资格证。",
            "不得报考情形。曾因犯罪受过刑事处罚的、现役军人、试用期内的公务员以及法律规定不得聘用的其他情形不得报考。",
        ),
        (
            "报名时间和方式。报名时间为{date_eff}至{later}，采取网上报名方式，报名费每人每科{yuan}元，"
            "低保家庭考生可申请减免。",
            "考试方式。考试分笔试和面试，笔试成绩和面试成绩分别按40%、60%的比例合成总成绩。",
        ),
        (
            "聘用。拟聘用人员名单公示7个工作日，公示无异议后签订聘用合同，试用期为{n3}个月。咨询电话：{phone}。",
        ),
    ),
    attachments=("{year}年事业单位公开招聘岗位表", "应聘人员报名登记表"),
    mentions=("事业单位招聘", "公开招聘"),
    months=(3, 4, 5, 6, 7),
)

_topic(
    "permit_list",
    "行政许可事项清单",
    "general",
    "normative",
    ("990100", "990101", "990121", "990122", "990000"),
    (
        "{agency}关于公布{place}行政许可事项清单（{year}年版）的通知",
        "{agency}关于印发{place}行政许可事项清单管理办法的通知",
        "关于调整{place}{year}年行政许可事项清单的决定",
    ),
    (
        "为全面实行行政许可事项清单管理，推进行政许可标准化、规范化、便利化，根据上级关于行政许可事项清单管理的部署，"
        "现将{place}行政许可事项清单予以公布，请认真贯彻执行。",
        "为深化“放管服”改革，依法规范行政许可行为，经{place}人民政府同意，决定对{place}行政许可事项清单进行动态调整。"
        "现将有关事项通知如下：",
    ),
    (
        (
            "清单内容。{place}行政许可事项清单共{count}项，明确了每项事项的主管部门、实施机关、设定和实施依据，"
            "清单之外一律不得违法实施行政许可。",
            "调整情况。本次调整共取消行政许可事项{n}项，下放{n2}项，新增{n3}项，调整后清单共{count}项。",
        ),
        (
            "实施规范。各部门要依照清单编制行政许可实施规范和办事指南，明确许可条件、申请材料和审查程序，"
            "于{deadline}前完成。",
            "动态管理。法律、法规、规章设定的行政许可发生变化的，主管部门应当在{n}个工作日内提出调整申请。",
        ),
        (
            "监督管理。{org}要加强对清单执行情况的监督检查，严禁以备案、登记、年检、认定等形式变相设定许可。",
            "规范中介服务。行政许可中介服务事项实行清单管理，未纳入清单的中介服务一律不得作为许可受理条件。",
        ),
    ),
    attachments=("{place}行政许可事项清单（{year}年版）",),
    mentions=("行政许可事项清单", "行政许可"),
)

_topic(
    "penalty_disclosure",
    "行政处罚结果公示",
    "market_safety",
    "announcement",
    ("990121", "990122", "99012201", "990100"),
    (
        "{place}{year}年第{n}批行政处罚结果公示",
        "{agency}行政处罚决定信息公开（{period}）",
        "关于{company}违法行为的行政处罚信息公示",
    ),
    (
        "根据《中华人民共和国行政处罚法》和行政执法公示制度有关规定，现将{period}作出的行政处罚决定信息公示如下：",
        "为推进行政执法信息公开，接受社会监督，现将近期办结的行政处罚案件信息予以公示：",
    ),
    (
        (
            "案件一。当事人{company}，统一社会信用代码9133{big}MA2{n}X，因未按规定办理施工许可擅自开工，"
            "依法处以罚款{yuan_k}元。",
            "案件一。当事人{company}在{road}经营场所未按规定落实消防安全管理制度，被责令改正并处罚款{yuan_k}元。",
        ),
        (
            "案件二。当事人某个体工商户销售过期食品，违反了食品安全法有关规定，没收违法所得{yuan}元，并处罚款{yuan_k2}元。",
            "案件二。当事人未取得建设工程规划许可证擅自建设，责令限期拆除违法建筑，面积约{count}平方米。",
        ),
        (
            "救济途径。当事人对处罚决定不服的，可在收到决定书之日起六十日内申请行政复议，或者六个月内向人民法院提起行政诉讼。",
            "公示期限。行政处罚信息自作出决定之日起7个工作日内公示，公示期限为三年，期满后撤下。",
        ),
    ),
    mentions=("行政处罚",),
)

_topic(
    "planning_permit",
    "建设工程规划许可",
    "construction_environment",
    "announcement",
    ("99012201", "990122", "990121", "990100"),
    (
        "{company}{road}地块项目建设工程规划许可批前公示",
        "{place}{year}年第{n}批建设工程规划许可证核发情况公告",
        "关于{unit}{estate}周边地块建设工程设计方案的公示",
    ),
    (
        "根据《中华人民共和国城乡规划法》的规定，为保障利害关系人的知情权和参与权，现将下列建设项目的建设工程规划许可有关内容予以公示：",
        "依据城乡规划管理有关规定，{place}自然资源和规划部门于近期核发了一批建设工程规划许可证，现将核发情况公告如下：",
    ),
    (
        (
            "项目概况。建设单位为{company}，项目位于{road}与{road2}交叉口东北侧，总用地面积{big}平方米，"
            "总建筑面积约{big2}平方米，容积率{pct}。",
            "许可内容。本批共核发建设工程规划许可证{n}件，涉及住宅、学校、养老设施等项目，总建筑面积约{big}平方米。",
        ),
        (
            "公示期限。公示时间为{later}至{deadline}，公示期内利害关系人可通过书面形式提出意见，"
            "并注明真实姓名和联系方式。",
            "公示地点。本公示在项目现场、{community}公告栏和政府门户网站同步发布。",
        ),
        (
            "意见反馈。联系电话：{phone}，邮寄地址：{place}{road3}{n2}号自然资源和规划局规划许可科。",
            "后续监管。建设单位应严格按照许可内容施工，擅自变更的将依法查处；竣工后须申请规划条件核实。",
        ),
    ),
    attachments=("建设工程设计方案总平面图", "建设项目主要经济技术指标表"),
    mentions=("建设工程规划许可", "规划许可"),
)

_topic(
    "land_transfer",
    "国有土地使用权出让",
    "land_energy",
    "announcement",
    ("990122", "990121", "990100", "990101"),
    (
        "{place}国有建设用地使用权挂牌出让公告（{year}第{n}号）",
        "{place}国有建设用地使用权出让结果公示",
        "关于{unit}{road}地块国有土地使用权公开出让的公告",
    ),
    (
        "经{place}人民政府批准，{place}自然资源和规划局决定以挂牌方式出让{n}宗国有土地使用权（国有建设用地使用权）。"
        "现将有关事项公告如下：",
        "根据国有土地使用权出让和招标拍卖挂牌出让国有建设用地使用权有关规定，现将近期成交的出让结果公示如下：",
    ),
    (
        (
            "地块基本情况。地块编号XL{year}-{n2}，位于{road}以南、{river}以东，出让面积{big}平方米，"
            "土地用途为城镇住宅用地，出让年限70年，起始价{wan}万元。",
            "成交情况。地块编号DH{year}-{n2}，工业用地，出让面积{big}平方米，成交价{wan}万元，竞得人为{company}。",
        ),
        (
            "竞买要求。中华人民共和国境内外的法人和其他组织均可申请参加竞买，竞买保证金为起始价的20%。",
            "规划指标。容积率不大于{pct}，建筑密度不大于30%，绿地率不小于{n3}%，须配建社区服务用房。",
        ),
        (
            "挂牌时间。挂牌时间为{later}至{deadline}，竞买人可在江南省土地使用权网上交易系统报价。",
            "出让价款。竞得人应在签订出让合同后一个月内缴纳出让价款的50%，余款在一年内付清。",
        ),
        ("联系方式。联系人：{person}，联系电话：{phone}。",),
    ),
    mentions=("土地出让", "国有建设用地使用权"),
)

_topic(
    "eia_approval",
    "环境影响评价审批",
    "construction_environment",
    "announcement",
    ("990100", "990121", "990122"),
    (
        "{place}生态环境局关于{period}建设项目环境影响评价文件审批决定的公告",
        "{company}年产{count}吨项目环境影响报告书受理公示",
        "关于拟对{company}建设项目环境影响评价文件作出审批意见的公示",
    ),
    (
        "根据建设项目环境影响评价审批程序的有关规定，经审查，我局拟对下列建设项目环境影响评价文件作出审批意见，"
        "现将有关情况予以公示。",
        "依据《中华人民共和国环境影响评价法》，现将近期作出审批决定的建设项目环境影响评价文件情况公告如下：",
    ),
    (
        (
            "项目概况。{company}拟在{unit}工业园区建设生产线技术改造项目，总投资{wan}万元，其中环保投资{wan_s}万元。",
            "审批意见。项目在落实报告书提出的各项污染防治措施后，废气、废水和噪声可达标排放，从环境保护角度分析，项目建设可行。",
        ),
        (
            "主要环境影响及防治措施。生产废水经厂区预处理后纳入城镇污水处理厂处理，有机废气经收集后采用活性炭吸附处理，"
            "排气筒高度不低于15米。",
            "总量控制。项目新增化学需氧量排放量{pct}吨/年、氮氧化物{pct2}吨/年，通过区域削减替代解决。",
        ),
        (
            "公众参与。公示期间，公众可通过信函、电话等方式反映与项目环境影响评价有关的意见，联系电话：{phone}。",
            "救济途径。申请人、利害关系人对审批决定不服的，可依法申请行政复议或提起行政诉讼。",
        ),
    ),
    mentions=("环境影响评价", "环评"),
)

_topic(
    "air_pollution",
    "大气污染防治",
    "construction_environment",
    "plan",
    ("990100", "990101", "990121", "990122"),
    (
        "{place}{year}年大气污染防治工作计划",
        "{agency}关于印发{place}空气质量持续改善行动方案的通知",
        "{place}秋冬季PM2.5污染防治攻坚方案",
    ),
    (
        "为持续改善环境空气质量，降低细颗粒物（PM2.5）浓度，切实保障人民群众身体健康，根据上级大气污染防治工作要求，"
        "结合{place}实际，制定本计划。",
        "{prev_year}年，{place}PM2.5平均浓度为{n}微克/立方米，空气质量优良天数比例为{rate}%。为巩固提升空气质量，"
        "深入打好大气污染防治攻坚战，现制定{year}年工作方案如下：",
    ),
    (
        (
            "工作目标。到{year}年底，PM2.5年均浓度控制在{n2}微克/立方米以下，空气质量优良天数比例达到{rate}%以上，"
            "基本消除重污染天气，空气质量监测数据按月公开。",
            "监测监控。新建PM2.5自动监测站{n3}个，在{road}、{road2}等主干道布设颗粒物监测点位，实现乡镇空气质量监测全覆盖。",
        ),
        (
            "工业污染治理。推进{count}家涉气企业深度治理，完成挥发性有机物综合治理项目{n}个，"
            "对治理不达标企业实施停产整治。",
            "扬尘污染管控。建筑工地严格落实“六个百分之百”，渣土车辆全部密闭运输，主城区道路机械化清扫率达到{rate2}%以上。",
        ),
        (
            "移动源污染防治。加快淘汰国三及以下排放标准柴油货车，新增及更新公交车全部使用新能源车辆。",
            "面源污染防治。全面禁止露天焚烧秸秆和垃圾，餐饮单位全部安装油烟净化设施并定期清洗。",
        ),
        ("重污染天气应对。修订重污染天气应急预案，启动预警时对涉气企业实施差异化减排，减排比例不低于{n}%。",),
    ),
    mentions=("大气污染防治", "PM2.5"),
    months=(1, 2, 3, 9, 10),
)

_topic(
    "river_chief",
    "河长制",
    "agriculture",
    "notice",
    ("990122", "990121", "99012102", "990100"),
    (
        "{agency}关于公布{place}{year}年度河长名单的通知",
        "关于全面深化河长制湖长制工作的实施意见",
        "{place}{year}年河长制工作要点",
    ),
    (
        "为全面落实河长制，加强河湖管理保护，根据工作需要和人员变动情况，现将{place}{year}年度各级河长名单予以公布。",
        "为深入推进河长制湖长制从“有名有责”到“有能有效”转变，持续改善河湖水环境，结合{place}实际，现就有关工作通知如下：",
    ),
    (
        (
            "河长设置。{river}由{place}主要负责同志担任总河长，{river2}、{river3}分别由分管负责同志担任河长，"
            "全{lvl}共设立各级河长{count}名。",
            "河长职责。各级河长负责组织领导相应河湖的管理和保护工作，每月巡河不少于{n}次，"
            "对发现的问题及时交办、督办。",
        ),
        (
            "河湖“清四乱”。持续开展乱占、乱采、乱堆、乱建问题排查整治，本年度计划清理河道垃圾{big}立方米。",
            "水质目标。{river}出境断面水质稳定达到Ⅲ类以上，县级以上集中式饮用水水源地水质达标率保持100%。",
        ),
        (
            "公示牌管理。在河湖显著位置设立河长公示牌，标明河长姓名、职责、管护目标和监督电话{phone}。",
            "考核问责。将河长制工作纳入年度综合考核，对河湖管理保护不力的依规问责。",
        ),
    ),
    attachments=("{place}{year}年度河长名单", "{year}年河长制重点工作任务清单"),
    mentions=("河长制", "河长"),
)

_topic(
    "farmland",
    "高标准农田建设",
    "agriculture",
    "plan",
    ("990122", "990121", "990100"),
    (
        "{place}{year}年高标准农田建设项目实施方案",
        "关于{year}年度高标准农田建设项目初步设计的批复",
        "{place}{year}年高标准农田建设项目竣工验收公告",
    ),
    (
        "为切实提高耕地质量和粮食综合生产能力，落实藏粮于地、藏粮于技战略，根据农田建设项目管理办法，"
        "结合{place}实际，制定本方案。",
        "根据上级下达的{year}年高标准农田建设任务，经实地踏勘和论证，现将{place}项目建设安排明确如下：",
    ),
    (
        (
            "建设任务。{year}年新建高标准农田{mu}亩，改造提升{mu2}亩，项目区涉及{unit}、{unit2}等乡镇的{n}个行政村。",
            "建设地点。项目区位于{unit}{village}、{village2}一带，地势平坦，灌排条件较好，建设规模{mu}亩。",
        ),
        (
            "建设内容。主要建设土地平整、灌溉与排水、田间道路、农田防护与生态环境保护等工程，新建灌溉渠道{km}公里、"
            "机耕路{km2}公里。",
            "投资估算。项目总投资{wan}万元，亩均投资约{yuan_k}元，资金来源为中央、省级补助资金和县级配套资金。",
        ),
        (
            "建后管护。项目竣工后移交村集体管护，落实管护主体和经费，确保工程长期发挥效益。",
            "质量监管。项目实行工程监理制和质量终身责任制，竣工验收合格后及时上图入库。",
        ),
    ),
    attachments=("高标准农田建设项目区位图", "项目投资估算表"),
    mentions=("高标准农田",),
)

_topic(
    "land_subsidy",
    "耕地地力保护补贴",
    "agriculture",
    "notice",
    ("990121", "990122", "99012102"),
    (
        "关于发放{year}年耕地地力保护补贴的通知",
        "{place}{year}年耕地地力保护补贴实施方案",
        "{agency}关于{year}年耕地地力保护补贴面积和资金的公示",
    ),
    (
        "为支持耕地地力保护，调动农民种粮积极性，根据上级农业农村、财政部门的部署，现就{year}年耕地地力保护补贴工作通知如下：",
        "根据{year}年耕地地力保护补贴资金分配方案，经各村申报、乡镇审核，现将补贴面积和资金情况公示如下：",
    ),
    (
        (
            "补贴对象。补贴对象原则上为拥有耕地承包权的种地农民，已改变用途的耕地、长期抛荒地不再给予补贴。",
            "补贴面积。全{lvl}核定补贴面积{mu}亩，其中{village}{mu2}亩、{village2}{mu3}亩。",
        ),
        (
            "补贴标准。补贴标准为每亩{yuan}元，补贴资金通过“一卡通”直接发放到户，全{lvl}共发放补贴资金{wan}万元。",
            "发放时间。补贴资金于{deadline}前发放到位，农户可持社保卡到银行网点查询。",
        ),
        (
            "公示监督。补贴面积和金额在村务公开栏公示7天，群众对公示内容有异议的，可向乡镇农业综合服务中心反映，"
            "电话：{phone}。",
            "严禁违规。严禁虚报面积、冒领补贴，对弄虚作假的依法追回资金并追究相关人员责任。",
        ),
    ),
    mentions=("耕地地力保护补贴",),
    months=(3, 4, 5, 6),
)

_topic(
    "revitalization_fund",
    "乡村振兴衔接资金",
    "agriculture",
    "notice",
    ("990121", "990122", "990100", "99012102"),
    (
        "关于下达{year}年衔接推进乡村振兴补助资金的通知",
        "{place}{year}年衔接推进乡村振兴补助资金项目计划公告",
        "{place}{year}年巩固拓展脱贫攻坚成果和乡村振兴项目库公示",
    ),
    (
        "为巩固拓展脱贫攻坚成果同乡村振兴有效衔接，根据衔接推进乡村振兴补助资金管理办法，现下达{year}年补助资金，"
        "并就有关事项通知如下：",
        "按照项目资金公告公示制度要求，现将{place}{year}年衔接推进乡村振兴补助资金安排的项目计划予以公告：",
    ),
    (
        (
            "资金安排。本次下达衔接推进乡村振兴补助资金{wan}万元，重点支持联农带农富农产业发展、小型公益性基础设施建设和就业帮扶。",
            "项目安排。共安排项目{n}个，其中产业发展项目{n2}个，{village}茶叶加工厂房、{village2}冷链仓储设施等项目已纳入计划。",
        ),
        (
            "使用要求。用于产业发展的资金比重原则上不低于60%，项目须从项目库中选取，严禁用于偿还债务和楼堂馆所建设。",
            "联农带农。项目实施主体要通过就业务工、订单收购、股份合作等方式带动脱贫户增收，带动脱贫人口{count}人。",
        ),
        (
            "绩效管理。各乡镇要设定项目绩效目标，于{deadline}前完成资金支出，支出进度纳入年度考核。",
            "公告公示。项目资金安排情况在县、乡、村三级公告公示，监督电话：{phone}。",
        ),
    ),
    attachments=("{year}年衔接推进乡村振兴补助资金分配表", "项目计划明细表"),
    mentions=("乡村振兴", "衔接资金"),
)

_topic(
    "disability_allowance",
    "困难残疾人生活补贴",
    "civil_affairs",
    "notice",
    ("990102", "990121", "990122", "99012102"),
    (
        "{agency}关于提高困难残疾人生活补贴和重度残疾人护理补贴标准的通知",
        "{place}{year}年困难残疾人生活补贴发放情况公示",
        "关于做好{year}年残疾人两项补贴资格复核工作的通知",
    ),
    (
        "为进一步保障残疾人基本生活，根据残疾人两项补贴制度有关规定，经{place}人民政府同意，现就调整困难残疾人生活补贴和"
        "重度残疾人护理补贴标准通知如下：",
        "为确保残疾人两项补贴精准发放，现就{year}年困难残疾人生活补贴和重度残疾人护理补贴资格复核工作通知如下：",
    ),
    (
        (
            "补贴对象。困难残疾人生活补贴对象为低保家庭中的残疾人及低保边缘家庭中的重度残疾人；"
            "重度残疾人护理补贴对象为残疾等级为一级、二级的残疾人。",
            "补贴标准。自{date_eff}起，困难残疾人生活补贴标准提高到每人每月{yuan}元，重度残疾人护理补贴标准提高到每人每月{yuan2}元。",
        ),
        (
            "发放方式。补贴资金按月发放，通过社会保障卡直接打入补贴对象账户，本年度全{lvl}共有{count}名残疾人享受补贴。",
            "资格复核。各乡镇（街道）要对享受补贴人员逐一核实，对死亡、迁出或不再符合条件的于{deadline}前停发。",
        ),
        (
            "申请办理。残疾人可通过“江南办事”APP或{unit}便民服务中心申请，实现“跨省通办”。",
            "资金保障。所需资金由各级财政共同承担，全{lvl}年度预算安排{wan}万元。",
        ),
    ),
    mentions=("残疾人两项补贴", "困难残疾人生活补贴"),
)

_topic(
    "temporary_relief",
    "临时救助",
    "civil_affairs",
    "normative",
    ("990102", "990100", "990121", "990122"),
    (
        "{agency}关于进一步加强和改进临时救助工作的实施意见",
        "{place}临时救助实施办法",
        "{agency}关于{year}年第{n}季度临时救助情况的公示",
    ),
    (
        "为充分发挥临时救助兜底线、救急难作用，及时解决群众遭遇的突发性、紧迫性、临时性基本生活困难，"
        "根据《社会救助暂行办法》，结合{place}实际，制定本办法。",
        "为规范临时救助管理，提高救助时效，经研究，现就进一步加强{place}临时救助工作提出如下意见：",
    ),
    (
        (
            "救助对象。因火灾、交通事故、突发重大疾病等意外事件导致基本生活暂时出现严重困难的家庭或个人，可申请临时救助。",
            "救助范围。临时救助分为急难型和支出型两类，对急难型对象实行“先行救助”，事后补齐相关手续。",
        ),
        (
            "救助标准。临时救助金额一般按照当地月最低生活保障标准的{n}倍以内确定，单次救助金额最高不超过{yuan_k}元。",
            "审批权限。乡镇（街道）可审批{yuan_k}元以下的临时救助，超出部分报县级民政部门审批。",
        ),
        (
            "申请程序。申请人可向户籍所在地或经常居住地乡镇人民政府（街道办事处）提出申请，也可由村（社区）代为申请。",
            "救助方式。以发放救助金为主，根据需要提供衣被、食品等实物，并做好与医疗救助、慈善帮扶的衔接。",
        ),
        ("监督管理。临时救助情况按季度公示，本季度全{lvl}共实施临时救助{count}人次，支出资金{wan_s}万元。",),
    ),
    mentions=("临时救助",),
)

_topic(
    "extreme_poverty",
    "特困人员供养",
    "civil_affairs",
    "notice",
    ("990102", "990121", "990122", "99012102"),
    (
        "{agency}关于调整{year}年特困人员救助供养标准的通知",
        "关于加强特困人员救助供养服务机构管理的通知",
        "{place}特困人员认定办法",
    ),
    (
        "为切实保障特困人员基本生活，根据特困人员救助供养制度有关规定，经研究，现就调整{year}年特困人员救助供养标准通知如下：",
        "为提升特困人员救助供养服务质量，保障供养对象合法权益，现就加强{place}供养服务机构管理有关事项通知如下：",
    ),
    (
        (
            "基本生活标准。特困人员基本生活标准调整为每人每月{yuan_k}元，按照不低于当地低保标准1.3倍的原则确定。",
            "照料护理标准。对全自理、半护理、全护理特困人员分别按每人每月{yuan}元、{yuan2}元、{yuan3}元的标准给予照料护理补贴。",
        ),
        (
            "供养方式。特困人员可以自主选择在家分散供养或者在{unit}敬老院集中供养，生活不能自理的优先集中供养。",
            "机构建设。推进乡镇敬老院转型为区域养老服务中心，全{lvl}现有供养服务机构{n}家，床位{count}张。",
        ),
        (
            "安全管理。供养服务机构要落实消防、食品、用电等安全管理制度，每季度开展一次应急演练。",
            "资金发放。救助供养资金实行社会化发放，确保每月{n2}日前足额到位。",
        ),
    ),
    mentions=("特困人员", "救助供养"),
)

_topic(
    "veterans",
    "退役军人优待",
    "civil_affairs",
    "normative",
    ("990100", "990121", "990122", "990101"),
    (
        "{agency}关于印发{place}退役军人优待办法的通知",
        "关于做好{year}年退役士兵安置工作的通知",
        "{place}关于调整部分优抚对象抚恤和生活补助标准的通知",
    ),
    (
        "为让退役军人成为全社会尊重的人，根据《中华人民共和国退役军人保障法》等法律法规，结合{place}实际，制定本办法。",
        "为进一步做好{year}年退役军人服务保障工作，落实优待抚恤政策，现将有关事项通知如下：",
    ),
    (
        (
            "优待证使用。持有退役军人优待证的人员，在{place}乘坐城市公交、游览政府投资主办的公园和景区享受免费或优惠待遇。",
            "抚恤标准。自{date_eff}起，在乡老复员军人生活补助标准提高到每人每年{big}元，带病回乡退伍军人提高到每人每年{yuan_k}元。",
        ),
        (
            "就业创业。机关、事业单位招录招聘时，同等条件下优先招录聘用退役军人，对退役军人创办的小微企业给予创业补贴{yuan_k}元。",
            "安置工作。{year}年全{lvl}接收退役士兵{count}名，对符合安排工作条件的退役士兵，按照“阳光安置”办法安排工作岗位。",
        ),
        (
            "医疗优待。退役军人在{place}公立医疗机构就医享受挂号、收费、取药优先服务。",
            "服务保障。各级退役军人服务站要建立联系帮扶机制，服务热线{phone}。",
        ),
    ),
    mentions=("退役军人",),
)

_topic(
    "housing_fund",
    "住房公积金",
    "construction_environment",
    "normative",
    ("990100", "990101"),
    (
        "青山市住房公积金管理委员会关于调整{year}年度住房公积金缴存基数的通知",
        "{agency}关于调整住房公积金个人住房贷款政策的通知",
        "青山市住房公积金{prev_year}年年度报告",
    ),
    (
        "根据《住房公积金管理条例》等规定，经青山市住房公积金管理委员会审议通过，现就{year}年度住房公积金缴存有关事项通知如下：",
        "为更好支持缴存职工刚性和改善性住房需求，经研究，决定对{place}住房公积金个人住房贷款政策作适当调整，具体如下：",
    ),
    (
        (
            "缴存基数。{year}年度住房公积金月缴存基数上限为{big}元，下限按{place}最低工资标准{yuan_k}元执行。",
            "缴存比例。单位和职工住房公积金缴存比例各为5%至12%，由单位根据实际自主确定。",
        ),
        (
            "贷款额度。缴存职工家庭使用住房公积金贷款购买首套自住住房的，最高贷款额度调整为{n}0万元。",
            "提取政策。职工租赁住房的，每年可提取住房公积金{yuan_k}元，可按月或按年提取。",
        ),
        (
            "办理渠道。缴存职工可通过“青山公积金”APP、网上服务大厅或服务网点办理，咨询热线{phone}。",
            "年度数据。{prev_year}年全市住房公积金实缴单位{count}家，实缴职工{big2}人，发放个人住房贷款{yi}亿元。",
        ),
    ),
    mentions=("住房公积金", "公积金"),
    months=(5, 6, 7),
)

_topic(
    "rental_housing",
    "保障性租赁住房",
    "construction_environment",
    "announcement",
    ("99012201", "990100", "990101", "990122"),
    (
        "{place}{year}年保障性租赁住房项目认定结果公示",
        "关于{place}保障性租赁住房配租工作的公告",
        "{agency}关于加快发展保障性租赁住房的实施意见",
    ),
    (
        "为缓解新市民、青年人住房困难，根据加快发展保障性租赁住房的有关政策，现将有关事项公告如下：",
        "为加快构建以公租房、保障性租赁住房和共有产权住房为主体的住房保障体系，结合{place}实际，现提出如下意见：",
    ),
    (
        (
            "项目情况。{company}投资建设的{road}人才公寓项目，共{count}套，面积以70平方米以下小户型为主，"
            "经联合审查，认定为保障性租赁住房。",
            "发展目标。{year}年计划筹集保障性租赁住房{count}套（间），其中新建{n}个项目，改建闲置厂房和商业办公用房{n2}个项目。",
        ),
        (
            "租金标准。租金按照不高于同地段同品质市场租赁住房租金的90%确定，年涨幅不超过5%。",
            "配租对象。在{place}无自有住房的新就业大学生、青年人和从事基本公共服务的新市民可申请承租。",
        ),
        (
            "申请方式。申请人于{later}至{deadline}期间通过线上平台提交申请，咨询电话：{phone}。",
            "支持政策。保障性租赁住房项目执行民用水电气价格，并按规定享受税收优惠。",
        ),
    ),
    mentions=("保障性租赁住房",),
)

_topic(
    "traffic_control",
    "道路交通管制",
    "industry_transport",
    "announcement",
    ("990100", "990121", "990122", "990101"),
    (
        "关于{road}道路施工期间实施交通管制的通告",
        "{place}公安局交通警察支队关于{year}年{place}马拉松比赛期间交通管制的通告",
        "关于{road}与{road2}交叉口临时封闭施工的通告",
    ),
    (
        "因{road}道路改造工程施工需要，为确保施工安全和道路交通有序，根据《中华人民共和国道路交通安全法》第三十九条规定，"
        "决定对部分路段实施交通管制。现通告如下：",
        "为保障{year}年{place}马拉松比赛顺利举行，根据道路交通安全有关法律法规，决定在比赛期间对部分道路实施临时交通管制。现通告如下：",
    ),
    (
        (
            "管制时间。{later}至{deadline}，每日0时至24时。",
            "管制时间。比赛当日6时30分至{hour}时，各路段按比赛进程分段解除管制。",
        ),
        (
            "管制范围。{road}（{road2}至{road3}段）禁止机动车通行，行人和非机动车在施工围挡外侧通行。",
            "管制措施。管制期间，{road}、{road2}沿线禁止车辆停放，公交线路临时绕行。",
        ),
        (
            "绕行建议。过往车辆可经{road3}、{road4}绕行，大型货车须提前规划路线。",
            "特殊车辆。执行任务的警车、消防车、救护车、工程救险车不受本通告限制。",
        ),
        ("请广大交通参与者提前安排出行，服从现场交通警察指挥，咨询电话：{phone}。",),
    ),
    mentions=("交通管制",),
)

_topic(
    "bus_route",
    "公交线路调整",
    "industry_transport",
    "announcement",
    ("990101", "990100", "990121"),
    (
        "关于调整{place}{n}路公交线路走向的公告",
        "{place}关于新开通{n}路公交线路的公告",
        "关于优化调整{place}城乡公交线路的征求意见公告",
    ),
    (
        "为方便市民出行，优化公交线网布局，经研究，决定对部分公交线路进行调整。现将有关事项公告如下：",
        "为满足{community}、{estate}片区群众出行需求，决定于{date_eff}起新开通公交线路。现将有关事项公告如下：",
    ),
    (
        (
            "调整线路。{n}路公交车调整后走向为：公交总站—{road}—{road2}—{community}—火车站，全程{km}公里，设站{n2}个。",
            "新开线路。{n}路线路起讫点为{unit}客运站至{school}，途经{road}、{road2}。",
        ),
        (
            "运营时间。首班6:00，末班{hour}:30，高峰期发车间隔10分钟，平峰期发车间隔15分钟。",
            "票价。线路实行一票制，票价{n3}元，支持刷卡、扫码乘车，老年人、退役军人等按规定享受优惠。",
        ),
        (
            "意见反馈。市民对线路调整有意见建议的，可在{deadline}前拨打公交服务热线{phone}反映。",
            "取消站点。原{road3}站点因道路施工暂停停靠，乘客可在相邻站点候车。",
        ),
    ),
    mentions=("公交线路",),
)

_topic(
    "hotline_12345",
    "12345热线办理情况",
    "general",
    "report",
    ("990101", "990100", "990121", "990122"),
    (
        "{place}12345政务服务便民热线{period}运行情况通报",
        "关于{prev_year}年度12345热线诉求办理情况的通报",
        "{place}12345热线{year}年第{n}季度群众诉求分析报告",
    ),
    (
        "现将{period}{place}12345政务服务便民热线受理及办理情况通报如下：",
        "{prev_year}年，{place}12345热线坚持“接诉即办”，推动群众诉求高效解决。现将全年运行情况通报如下：",
    ),
    (
        (
            "总体情况。本期12345热线共受理群众诉求{big}件，其中咨询类{count}件、投诉类{count2}件、求助类{count3}件，"
            "按时办结率{rate}%，群众满意率{rate2}%。",
            "受理渠道。电话渠道受理占{pct}%，网站、微信、“青山通”APP等网络渠道受理量同比增长{pct2}%。",
        ),
        (
            "热点问题。群众反映集中的问题主要是物业管理、噪声扰民、道路积水和拖欠工资，其中{community}噪声扰民问题反映{n}次。",
            "诉求分布。从区域看，{unit}、{unit2}诉求量位居前列；从内容看，城乡建设和市场监管类诉求占比较高。",
        ),
        (
            "办理质效。{org}等{n2}个单位按时办结率达100%，{unit3}部分工单存在答复不规范、重复转办等问题，已督促整改。",
            "典型案例。{road}路灯长期不亮问题经热线转办后3日内修复，群众回访表示满意。",
        ),
        ("下步工作。进一步完善热线知识库，推动高频诉求源头治理，对超期工单实行“红黄牌”督办。",),
    ),
    mentions=("12345热线",),
)

_topic(
    "civilized_city",
    "文明城市创建",
    "culture_media",
    "plan",
    ("990100", "990101", "990121"),
    (
        "{place}{year}年全国文明城市创建工作实施方案",
        "{agency}关于深入开展文明城市创建“十大行动”的通知",
        "关于开展{place}文明城市创建问题集中整治的通知",
    ),
    (
        "为巩固提升全国文明城市创建成果，提高城市文明程度和市民文明素质，结合{place}实际，制定本方案。",
        "为深入推进文明城市创建常态长效，补齐城市管理短板，经研究，决定在全{lvl}开展文明城市创建集中攻坚行动，现通知如下：",
    ),
    (
        (
            "市容环境整治。集中整治占道经营、乱贴乱画、车辆乱停等问题，{road}、{road2}等主干道实行精细化管理。",
            "文明交通行动。在主要路口设置文明交通劝导岗{n}个，倡导“车让人、人守规”，电动自行车驾乘人员佩戴安全头盔。",
        ),
        (
            "志愿服务。组建文明实践志愿服务队{count}支，开展关爱老人、环境保护等志愿服务活动，注册志愿者占常住人口比例达到{pct}%。",
            "社区创建。{community}、{community2}等社区开展“文明楼道”“美丽庭院”评选，推动文明创建进社区、进家庭。",
        ),
        (
            "测评迎检。对照测评体系逐项自查，{deadline}前完成问题整改，实地测评点位实行“点长制”。",
            "宣传氛围。在公共场所设置公益广告，利用“青山发布”等新媒体平台宣传文明城市创建工作。",
        ),
    ),
    mentions=("文明城市创建", "文明城市"),
)

_topic(
    "fitness",
    "全民健身",
    "health_sports",
    "programme",
    ("990100", "990121", "990122", "99012102"),
    (
        "{place}全民健身实施计划（{year}—{next_year}年）",
        "关于举办{place}{year}年全民健身运动会的通知",
        "{place}{year}年全民健身设施补短板工程实施方案",
    ),
    (
        "为深入实施全民健身国家战略，推动全民健身和全民健康深度融合，构建更高水平的全民健身公共服务体系，结合{place}实际，制定本计划。",
        "为丰富群众体育文化生活，营造全民健身良好氛围，经研究，决定举办{place}{year}年全民健身运动会。现将有关事项通知如下：",
    ),
    (
        (
            "发展目标。到{next_year}年，全{lvl}经常参加体育锻炼人数比例达到{n}%以上，人均体育场地面积达到{pct}平方米。",
            "比赛项目。运动会设篮球、乒乓球、羽毛球、广场舞、象棋等{n}个项目，预计参赛人数{count}人。",
        ),
        (
            "设施建设。新建改建体育公园{n2}个、健身步道{km}公里，在{village}、{village2}等村配建篮球场和健身路径。",
            "场馆开放。公共体育场馆在节假日和课余时间向社会免费或低收费开放，学校体育场地开放率达到{rate}%。",
        ),
        (
            "赛事活动。常态化开展“村BA”、徒步、骑行等群众性赛事，{mountain}登山节和{river}龙舟赛打造成品牌活动。",
            "组织保障。运动会由{place}体育部门承办，报名截止时间为{later}，咨询电话：{phone}。",
        ),
    ),
    mentions=("全民健身",),
)

_topic(
    "immunization",
    "疫苗接种",
    "health_sports",
    "notice",
    ("990121", "990122", "990100", "99012102"),
    (
        "关于做好{year}年适龄儿童免疫规划疫苗接种工作的通知",
        "{place}{year}—{next_year}年度流感疫苗接种工作方案",
        "关于开展适龄女生HPV疫苗免费接种工作的通知",
    ),
    (
        "为提高适龄人群免疫规划疫苗接种率，有效预防和控制相关传染病，根据国家免疫规划要求，现就有关工作通知如下：",
        "为降低流感等呼吸道传染病对重点人群的健康危害，结合{place}实际，现就{year}年度疫苗接种工作安排如下：",
    ),
    (
        (
            "接种对象。重点做好0至6岁儿童免疫规划疫苗接种和查漏补种，入托入学儿童须查验预防接种证。",
            "接种对象。60岁及以上老年人、中小学生、慢性病患者和医务人员为重点接种人群，{place}为60岁以上老人免费接种流感疫苗。",
        ),
        (
            "接种安排。全{lvl}设立预防接种门诊{n}个，{unit}卫生院等门诊周末开放，群众可通过“健康青山”APP预约。",
            "接种费用。免疫规划疫苗免费接种；非免疫规划疫苗按规定收取疫苗费用和接种服务费，服务费每剂次{n2}元。",
        ),
        (
            "安全接种。严格落实“三查七对一验证”制度，接种后留观30分钟，做好疑似预防接种异常反应监测。",
            "目标任务。以乡镇为单位适龄儿童免疫规划疫苗接种率保持在{rate}%以上。",
        ),
    ),
    mentions=("疫苗接种", "预防接种"),
)

_topic(
    "covid",
    "新冠病毒疫苗接种（COVID-19）",
    "health_sports",
    "notice",
    ("990121", "990122", "990100", "990101"),
    (
        "关于做好重点人群新冠病毒疫苗（COVID-19）加强免疫接种的通知",
        "{place}新型冠状病毒感染（COVID-19）防控工作情况通报",
        "关于调整{place}COVID-19相关疫苗接种服务安排的通知",
    ),
    (
        "根据疾病预防控制部门对新型冠状病毒感染（COVID-19）的最新监测情况，为保护老年人等重点人群健康，"
        "做好疫苗接种和防控工作，现就有关事项通知如下：",
        "当前COVID-19仍在人群中持续流行，为科学精准做好防控和新冠病毒疫苗接种工作，结合{place}实际，现将有关事项通知如下：",
    ),
    (
        (
            "接种人群。对60岁及以上老年人、患有基础疾病的人群和免疫力低下人群，推荐接种新冠病毒疫苗加强剂次。",
            "监测预警。依托哨点医院开展COVID-19和流感等呼吸道传染病多病原监测，全{lvl}设立监测哨点{n}个。",
        ),
        (
            "接种点设置。{unit}卫生院、{unit2}社区卫生服务中心设立固定接种点，接种服务免费，电话：{phone}。",
            "医疗救治。二级以上医院保持发热门诊开放，储备抗病毒药物，基层医疗机构储备解热镇痛药品。",
        ),
        (
            "健康提示。出现发热、咳嗽等症状时，建议做好个人防护、佩戴口罩，老年人和慢性病患者及时就医。",
            "工作要求。各地要按照乙类传染病管理要求，优化COVID-19相关服务，做好信息报送。",
        ),
    ),
    mentions=("新冠病毒疫苗", "COVID-19"),
)

_topic(
    "disclosure_report",
    "政府信息公开工作年度报告",
    "general",
    "report",
    ("990100", "990101", "990102", "990121", "990122", "99012101", "99012102", "99012201", "990000"),
    (
        "{agency}{prev_year}年政府信息公开工作年度报告",
        "{agency}{prev_year}年度政府信息公开工作报告",
    ),
    (
        "本报告根据《中华人民共和国政府信息公开条例》和政府信息公开工作年度报告格式要求编制，全文包括总体情况、主动公开政府信息情况、"
        "收到和处理政府信息公开申请情况等部分。本报告所列数据统计期限自{prev_year}年1月1日起至{prev_year}年12月31日止。",
        "根据《中华人民共和国政府信息公开条例》第五十条规定，现公布{agency}{prev_year}年政府信息公开工作年度报告。",
    ),
    (
        (
            "总体情况。{prev_year}年，{agency}坚持以公开为常态、不公开为例外，全年主动公开政府信息{count}条，"
            "其中规范性文件{n}件。",
            "主动公开情况。全年通过政府门户网站发布信息{big}条，通过政务新媒体发布{count}条，召开新闻发布会{n}场。",
        ),
        (
            "依申请公开情况。全年共收到政府信息公开申请{n2}件（含当面、信函和网络申请），均在法定期限内答复，"
            "其中予以公开或部分公开的占{rate}%。",
            "行政复议和诉讼情况。因政府信息公开被申请行政复议{n3}件，均已审结；被提起行政诉讼{n4}件，未出现败诉情形。",
        ),
        (
            "平台建设。优化政府信息公开专栏，完善政策文件库，累计收录现行有效文件{count2}件，实现按主题分类检索。",
            "存在问题及改进。部分栏目更新不够及时，政策解读形式较为单一。下一步将加强培训，提高信息发布质量。",
        ),
        ("其他需要报告的事项。本年度未收取信息处理费。",),
    ),
    mentions=("政府信息公开",),
    months=(1, 2, 3),
)

_topic(
    "stat_bulletin",
    "国民经济和社会发展统计公报",
    "economy",
    "statistics",
    ("990100", "990121", "990122", "990000"),
    (
        "{place}{prev_year}年国民经济和社会发展统计公报",
        "{prev_year}年{place}国民经济和社会发展统计公报",
    ),
    (
        "{prev_year}年，面对复杂多变的外部环境，全{lvl}上下坚持稳中求进工作总基调，经济运行总体平稳、稳中向好，"
        "社会事业全面进步。",
        "{prev_year}年，{place}经济持续回升向好，高质量发展扎实推进，民生保障有力有效，现将主要统计数据公布如下。",
    ),
    (
        (
            "综合。初步核算，全年地区生产总值（GDP）{yi}亿元，按不变价格计算，比上年增长{pct}%。"
            "其中，第一产业增加值增长{pct2}%，第二产业增加值增长{pct3}%。",
            "综合。全年实现地区生产总值（GDP）{yi}亿元，增长{pct}%；人均GDP达到{big}元。",
        ),
        (
            "农业。全年粮食播种面积{mu}亩，粮食总产量{big2}吨，比上年增长{pct4}%。",
            "工业和建筑业。全年规模以上工业增加值增长{pct4}%，新增规模以上工业企业{n}家。",
        ),
        (
            "固定资产投资。全年固定资产投资比上年增长{pct5}%，其中工业投资增长{pct6}%，民间投资占比{rate}%。",
            "国内贸易。全年社会消费品零售总额{yi2}亿元，增长{pct5}%。",
        ),
        (
            "人民生活。全体居民人均可支配收入{big3}元，增长{pct7}%；城镇常住居民人均可支配收入增长{pct8}%。",
            "人口。年末户籍人口{count}万人，常住人口城镇化率{rate2}%。",
        ),
    ),
    mentions=("统计公报", "GDP"),
    months=(2, 3, 4),
)

_topic(
    "business_environment",
    "优化营商环境",
    "economy",
    "normative",
    ("990100", "990101", "990121", "990122", "990000"),
    (
        "{agency}关于进一步优化营商环境的若干措施",
        "{place}{year}年优化营商环境重点任务清单",
        "{agency}关于印发{place}营商环境提升行动方案的通知",
    ),
    (
        "为持续打造市场化、法治化、国际化一流营商环境，激发各类经营主体活力，结合{place}实际，制定以下措施。",
        "为深入贯彻《优化营商环境条例》，推动营商环境持续优化，经{place}人民政府同意，现将有关行动方案印发给你们，请认真贯彻落实。",
    ),
    (
        (
            "提升政务服务效率。企业开办全流程压缩至1个工作日内，工业项目审批时限压缩至{n}个工作日以内。",
            "推进“一件事”集成办。推出企业信息变更、开办餐饮店等“一件事”{n2}项，实现一次告知、一表申请、一次办结。",
        ),
        (
            "降低要素成本。规范涉企收费，清理转供电环节不合理加价，年内为企业减负{wan}万元。",
            "加强融资支持。设立规模{wan}万元的转贷应急资金，为中小微企业提供短期周转服务。",
        ),
        (
            "规范涉企执法。推行“综合查一次”，同一部门对同一企业的检查原则上每年不超过一次，对轻微违法行为依法不予处罚。",
            "畅通政企沟通。建立营商环境投诉快速响应机制，企业诉求通过{phone}专线受理，{n3}个工作日内答复。",
        ),
    ),
    mentions=("营商环境",),
)

_topic(
    "tax_relief",
    "减税降费",
    "finance",
    "notice",
    ("990100", "990101", "990121", "990122"),
    (
        "关于落实{year}年结构性减税降费政策的通知",
        "{place}{year}年上半年减税降费政策落实情况报告",
        "{agency}关于进一步减轻企业负担的若干政策措施",
    ),
    (
        "为确保国家和省出台的减税降费政策落地见效，切实减轻经营主体负担，现就有关工作通知如下：",
        "{year}年以来，{place}认真落实各项减税降费政策，政策红利持续释放。现将有关情况报告如下：",
    ),
    (
        (
            "政策成效。{ytd}，全{lvl}新增减税降费及退税缓费{yi}亿元，惠及经营主体{big}户次。",
            "小微企业优惠。对小型微利企业年应纳税所得额不超过300万元的部分，减按25%计入应纳税所得额，按20%的税率缴纳企业所得税。",
        ),
        (
            "研发费用加计扣除。企业开展研发活动中实际发生的研发费用，按规定在税前加计扣除，全{lvl}{count}家企业享受优惠。",
            "社保费率。继续阶段性降低失业保险、工伤保险费率，预计为企业减负{wan}万元。",
        ),
        (
            "精准推送。税务部门通过电子税务局向符合条件的纳税人精准推送优惠政策，实现“政策找人”。",
            "清理收费。全面清理规范涉企行政事业性收费，取消{n}项地方性收费项目，严禁各类乱收费、乱罚款、乱摊派。",
        ),
    ),
    mentions=("减税降费",),
)

_topic(
    "specialized_sme",
    "专精特新企业认定",
    "industry_transport",
    "announcement",
    ("990100", "990101", "990000", "990121"),
    (
        "关于{year}年度{place}专精特新中小企业拟认定名单的公示",
        "关于组织开展{year}年专精特新中小企业申报工作的通知",
        "{place}{year}年度第{n}批专精特新“小巨人”企业培育名单",
    ),
    (
        "根据优质中小企业梯度培育管理有关规定，经企业自愿申报、各地推荐、专家评审，现将{year}年度专精特新中小企业拟认定名单予以公示。",
        "为推动中小企业走专业化、精细化、特色化、新颖化发展之路，现就组织开展{year}年专精特新中小企业申报工作通知如下：",
    ),
    (
        (
            "拟认定名单。共{n}家企业拟认定为专精特新中小企业，包括{company}、{company2}等，名单详见附件。",
            "申报条件。企业从事特定细分市场时间达到2年以上，上年度研发费用总额不低于100万元，且占营业收入比重不低于3%。",
        ),
        (
            "支持政策。对首次认定的专精特新中小企业给予一次性奖励{wan_s}万元，对国家级专精特新“小巨人”企业奖励{wan_s2}万元。",
            "申报方式。企业登录优质中小企业梯度培育平台在线填报，申报截止时间为{deadline}。",
        ),
        (
            "公示时间。公示期为{later}起5个工作日，对公示名单有异议的，请以书面形式向{place}经济和信息化局反映，电话：{phone}。",
            "动态管理。认定有效期为三年，期满后须复核；发生重大安全、质量事故的取消认定。",
        ),
    ),
    attachments=("{year}年度专精特新中小企业拟认定名单",),
    mentions=("专精特新",),
)

_topic(
    "sci_projects",
    "科技项目申报",
    "science_education",
    "notice",
    ("990100", "990101", "990000", "990121"),
    (
        "关于组织申报{year}年度{place}科技计划项目的通知",
        "{place}{year}年度重点研发计划项目立项公示",
        "关于{year}年度{place}科技型中小企业创新基金项目申报的通知",
    ),
    (
        "为深入实施创新驱动发展战略，提升企业自主创新能力，现启动{year}年度{place}科技计划项目申报工作，有关事项通知如下：",
        "根据{year}年度科技计划项目申报指南，经形式审查、专家评审和综合评议，现将拟立项项目予以公示。",
    ),
    (
        (
            "申报领域。重点支持新一代信息技术、生物医药、高端装备制造、新材料及现代农业等领域的关键核心技术攻关。",
            "拟立项情况。共{n}个项目拟立项，拟资助经费{wan}万元，其中{company}承担的智能检测装备研发项目拟资助{wan_s}万元。",
        ),
        (
            "申报条件。申报单位应为在{place}注册的具有独立法人资格的企业、高校和科研院所，项目负责人年龄不超过57周岁。",
            "资助方式。重点项目采取事前资助方式，单个项目资助额度不超过{wan_s}万元；一般项目采取后补助方式。",
        ),
        (
            "申报时间。网上申报时间为{date_eff}至{deadline}，逾期系统将自动关闭。咨询电话：{phone}。",
            "科研诚信。申报单位和项目负责人须签署科研诚信承诺书，对弄虚作假的，取消申报资格并记入科研诚信档案。",
        ),
    ),
    attachments=("{year}年度科技计划项目申报指南", "科研诚信承诺书"),
    mentions=("科技项目",),
    months=(2, 3, 4, 9, 10),
)

_topic(
    "talent",
    "人才引进",
    "labour_personnel",
    "normative",
    ("990100", "990101", "990121", "990122"),
    (
        "{agency}关于实施“青山英才”人才引进计划的若干意见",
        "{place}{year}年高层次人才引进公告",
        "关于印发{place}人才安居保障实施细则的通知",
    ),
    (
        "为深入实施人才强市战略，加快集聚各类优秀人才，为高质量发展提供人才支撑，结合{place}实际，提出如下意见。",
        "为引进经济社会发展急需紧缺的高层次人才，经研究，{place}决定{year}年面向海内外引进高层次人才。现将有关事项公告如下：",
    ),
    (
        (
            "引进对象。重点引进两院院士、国家级人才计划入选者等顶尖人才，以及博士研究生和紧缺专业硕士研究生。",
            "引进计划。{year}年计划引进高层次人才{count}名，岗位分布在{org}、{school}等单位。",
        ),
        (
            "安居保障。对新引进的博士研究生给予购房补贴{wan_s}万元，硕士研究生给予每月{yuan_k}元租房补贴，最长享受3年。",
            "生活补贴。对全日制本科及以上学历毕业生来{place}就业的，按学历层次给予每月{yuan}元至{yuan_k}元的生活补贴。",
        ),
        (
            "创新创业支持。入选的人才创业项目最高给予{wan_s2}万元资助，并提供3年免租办公场地。",
            "服务保障。设立人才服务专窗，为引进人才提供子女入学、配偶就业、医疗保健等“一站式”服务，咨询电话：{phone}。",
        ),
    ),
    mentions=("人才引进",),
)

_topic(
    "entrepreneurship_subsidy",
    "就业创业补贴",
    "labour_personnel",
    "notice",
    ("990100", "990101", "990121", "990122"),
    (
        "关于做好{year}年就业创业补贴申领工作的通知",
        "{place}{year}年第{n}批一次性创业补贴拟发放名单公示",
        "{agency}关于进一步稳就业促创业的若干措施",
    ),
    (
        "为落实就业优先政策，支持重点群体就业创业，根据就业补助资金管理有关规定，现就{year}年就业创业补贴申领工作通知如下：",
        "根据一次性创业补贴政策，经个人申请、人力社保部门审核，现将第{n}批拟发放补贴人员名单予以公示。",
    ),
    (
        (
            "一次性创业补贴。首次创办小微企业或从事个体经营，正常经营6个月以上的高校毕业生、就业困难人员，给予一次性创业补贴{yuan_k}元。",
            "吸纳就业补贴。企业吸纳登记失业半年以上人员就业并缴纳社会保险的，按每人{yuan_k}元给予一次性吸纳就业补贴。",
        ),
        (
            "创业担保贷款。个人创业担保贷款最高额度为{n}0万元，小微企业最高额度为{n2}0万元，按规定给予贴息。",
            "公示情况。本批共{count}人符合条件，拟发放补贴资金{wan_s}万元。",
        ),
        (
            "申领方式。符合条件的人员可通过“江南人社”APP或{unit}便民服务中心申请，补贴资金直接发放至本人社会保障卡。",
            "监督举报。公示期为5个工作日，对公示内容有异议的可拨打{phone}反映。",
        ),
    ),
    mentions=("就业创业补贴", "创业补贴"),
)

_topic(
    "skills_training",
    "职业技能培训",
    "labour_personnel",
    "plan",
    ("990100", "990121", "990122", "99012102"),
    (
        "{place}{year}年职业技能提升行动实施方案",
        "关于公布{year}年{place}职业技能培训补贴目录的通知",
        "{agency}关于开展{year}年农村劳动力职业技能培训的通知",
    ),
    (
        "为大规模开展职业技能培训，提高劳动者就业创业能力，缓解技能人才短缺的结构性矛盾，结合{place}实际，制定本方案。",
        "为帮助农村劳动力提升技能、稳定就业，现就{year}年{place}农村劳动力职业技能培训工作通知如下：",
    ),
    (
        (
            "培训目标。{year}年全{lvl}开展补贴性职业技能培训{count}人次，其中农民工培训{count2}人次，新增技能人才{n}00人。",
            "培训工种。围绕电工、焊工、养老护理员、家政服务员、电子商务师等紧缺工种开展培训，{village}开设茶叶加工专班。",
        ),
        (
            "补贴标准。取得初级工、中级工、高级工职业资格证书或职业技能等级证书的，分别给予{yuan}元、{yuan_k}元、{yuan_k2}元培训补贴。",
            "培训机构。遴选{n2}家定点培训机构，{company}等企业可自主开展职工岗位技能培训。",
        ),
        (
            "生活费补贴。对脱贫劳动力参加培训期间给予每人每天{n3}0元的生活费补贴。",
            "质量监管。推行培训全过程线上监管，实行学员实名制签到，严禁虚假培训套取补贴资金。",
        ),
    ),
    mentions=("职业技能培训", "技能培训"),
)

_topic(
    "migrant_wages",
    "农民工工资支付",
    "labour_personnel",
    "notice",
    ("990100", "990101", "990121", "990122", "99012201"),
    (
        "关于开展{year}年根治欠薪冬季专项行动的通知",
        "{agency}关于做好农民工工资支付保障工作的通知",
        "{place}{year}年拖欠农民工工资“黑名单”公告",
    ),
    (
        "为切实保障农民工劳动报酬权益，确保农民工工资按时足额支付，根据《保障农民工工资支付条例》，现就有关工作通知如下：",
        "春节临近，为集中解决拖欠农民工工资问题，确保农民工工资支付到位，经研究，决定在全{lvl}开展根治欠薪冬季专项行动。现将有关事项通知如下：",
    ),
    (
        (
            "行动时间。专项行动自{date_eff}开始，至{next_year}年春节前结束。",
            "重点对象。以工程建设领域为重点，对在建项目实行全覆盖排查，{company}等承建的项目须落实农民工工资专用账户。",
        ),
        (
            "制度落实。在建工程项目全面落实实名制管理、工资专用账户、总包代发和工资保证金制度，工资保证金按合同额的{pct}%存储。",
            "案件查处。对恶意欠薪涉嫌犯罪的及时移送公安机关，本年度已追回农民工工资{wan}万元，涉及农民工{count}人。",
        ),
        (
            "畅通维权渠道。公布劳动保障监察举报投诉电话{phone}，对农民工反映的欠薪问题做到“接诉即办”。",
            "失信惩戒。对拒不支付农民工工资的用人单位列入失信联合惩戒对象名单，在政府采购、招投标等方面依法予以限制。",
        ),
    ),
    mentions=("农民工工资", "欠薪"),
    months=(10, 11, 12, 1),
)

_topic(
    "base_station_5g",
    "5G基站建设",
    "industry_transport",
    "plan",
    ("990100", "990101", "990121", "990122"),
    (
        "{place}{year}年5G基站建设计划",
        "{agency}关于加快5G网络建设和应用的实施意见",
        "关于开放公共资源支持5G基站建设的通知",
    ),
    (
        "为加快推进5G网络建设，夯实数字经济发展基础，根据上级通信管理部门的部署，结合{place}实际，制定本计划。",
        "为推动5G网络和千兆光网协同发展，扩大5G在工业、交通、医疗等领域的应用，经研究，提出如下意见：",
    ),
    (
        (
            "建设目标。{year}年新建5G基站{count}个，累计建成{big}个，实现城区和乡镇驻地5G网络连续覆盖，行政村5G通达率{rate}%。",
            "站址规划。将5G基站站址纳入国土空间详细规划，{road}、{road2}沿线新建综合杆{n}根，实现多杆合一。",
        ),
        (
            "开放公共资源。党政机关、学校、医院等公共建筑和路灯杆、监控杆等公共设施免费向5G基站建设开放。",
            "电价支持。对符合条件的5G基站推行转供电改直供电，降低运营成本，年均减负约{wan_s}万元。",
        ),
        (
            "应用推广。支持{company}建设5G全连接工厂，打造“5G+智慧医疗”“5G+智慧教育”等应用场景{n2}个。",
            "协调机制。建立5G基站建设协调机制，对阻碍基站建设的问题由{org}牵头协调，联系电话：{phone}。",
        ),
    ),
    mentions=("5G基站", "5G"),
)

_topic(
    "gov_app",
    "政务服务APP",
    "general",
    "notice",
    ("990101", "990100", "990121"),
    (
        "关于“青山通”政务服务APP上线运行的公告",
        "{agency}关于推进政务服务“掌上办”的通知",
        "关于整合规范{place}政务服务移动端APP的通知",
    ),
    (
        "为推进政务服务“一网通办”，让企业和群众办事更便捷，{place}统一政务服务移动端“青山通”APP已完成升级。现将有关事项通知如下：",
        "为解决政务服务移动端“多、散、乱”问题，根据上级关于政务服务平台建设的要求，现就整合规范政务服务APP有关事项通知如下：",
    ),
    (
        (
            "服务内容。“青山通”APP已接入社保、医保、公积金、不动产、户籍等高频事项{count}项，实现{n}个“一件事”掌上办理。",
            "整合要求。各部门自行开发的政务服务APP原则上于{deadline}前整合至“青山通”APP，不再单独运行维护。",
        ),
        (
            "适老化改造。APP推出“长辈版”界面，放大字体、简化流程，并保留线下办理渠道。",
            "数据安全。严格落实个人信息保护要求，APP收集个人信息遵循最小必要原则。",
        ),
        (
            "下载使用。群众可在各大应用商店搜索“青山通”下载，或扫描政务服务中心二维码下载，客服电话：{phone}。",
            "运行情况。APP上线以来注册用户达到{big}人，累计办件{big2}件，群众满意率{rate}%。",
        ),
    ),
    mentions=("政务服务APP", "青山通"),
)

_topic(
    "childcare",
    "托育服务与生育支持",
    "population_family",
    "notice",
    ("990100", "990121", "990122", "990101"),
    (
        "{agency}关于促进3岁以下婴幼儿照护服务发展的实施意见",
        "关于发放{year}年育儿补贴的通知",
        "{place}{year}年普惠托育机构认定名单公示",
    ),
    (
        "为完善生育支持政策体系，减轻家庭养育负担，促进人口长期均衡发展，结合{place}实际，现就有关事项通知如下：",
        "为加快发展普惠托育服务，满足家庭多样化照护需求，经研究，现就{place}婴幼儿照护服务工作提出如下意见：",
    ),
    (
        (
            "育儿补贴。对符合条件的3周岁以下婴幼儿，按每孩每年{yuan_k}元的标准发放育儿补贴，由父母一方通过“江南办事”APP申领。",
            "托位建设。{year}年新增普惠托位{count}个，每千人口拥有3岁以下婴幼儿托位数达到{pct}个。",
        ),
        (
            "普惠托育。对认定的普惠托育机构按每个托位{yuan_k2}元给予一次性建设补助，{community}托育点等{n}家机构纳入首批名单。",
            "用人单位办托。支持{company}等用人单位为职工提供福利性托育服务，鼓励社区嵌入式托育。",
        ),
        (
            "妇幼健康。免费提供孕前优生健康检查和孕产妇、0至6岁儿童健康管理服务。",
            "安全监管。托育机构须配备视频监控，保育人员持证上岗，卫生健康部门每年开展一次综合检查。",
        ),
    ),
    mentions=("托育", "育儿补贴"),
)

_topic(
    "legal_aid",
    "法律援助",
    "public_security_justice",
    "service_guide",
    ("990100", "990121", "990122"),
    (
        "{place}法律援助申请办事指南",
        "{place}公共法律服务中心法律援助服务指南（{year}年版）",
        "关于扩大{place}法律援助覆盖面的公告",
    ),
    (
        "根据《中华人民共和国法律援助法》，为经济困难公民和符合法定条件的当事人提供无偿法律服务。现将申请法律援助的有关事项说明如下：",
        "为进一步方便群众申请法律援助，{place}公共法律服务中心对法律援助事项办理流程作了优化，办事指南如下：",
    ),
    (
        (
            "申请条件。因经济困难没有委托代理人的，可就请求支付劳动报酬、请求给予社会保险待遇、请求支付赡养费等事项申请法律援助。",
            "免于经济困难审查。农民工请求支付劳动报酬、请求工伤事故人身损害赔偿的，免于核查经济困难状况。",
        ),
        (
            "申请材料。身份证件、经济困难状况说明表及与所申请法律援助事项有关的材料，低保对象、特困人员可凭相关证明直接受理。",
            "办理时限。法律援助机构自收到申请之日起7日内作出是否给予法律援助的决定；情况紧急的，可先行提供援助。",
        ),
        (
            "办理地点。{place}公共法律服务中心（{road}{n}号）一楼法律援助窗口，或就近到{unit}司法所申请。",
            "咨询方式。拨打12348公共法律服务热线或{phone}咨询，工作时间为工作日8:30至17:30。",
        ),
    ),
    mentions=("法律援助",),
)

_topic(
    "consumption_tourism",
    "文旅消费促进",
    "commerce_tourism",
    "notice",
    ("990100", "990101", "990121", "990122"),
    (
        "关于发放{year}年{place}文旅消费券的公告",
        "{agency}关于促进文旅消费提质升级的若干措施",
        "{place}{year}年乡村旅游精品线路推介公告",
    ),
    (
        "为进一步激发消费潜力，促进文化旅游市场繁荣，经研究，决定在全{lvl}开展文旅消费促进活动。现将有关事项公告如下：",
        "为推动乡村旅游高质量发展，丰富游客假日出行选择，现将{place}{year}年乡村旅游精品线路予以推介，"
        "并同步发放文旅消费券。",
    ),
    (
        (
            "消费券发放。自{date_eff}起分批发放文旅消费券，总额{wan}万元，可在全{lvl}{count}家签约景区、酒店、民宿使用。",
            "精品线路。推出“{mountain}徒步—{village}古村—{river}漂流”等{n}条精品线路，沿线民宿共{count}家。",
        ),
        (
            "优惠措施。节假日期间{mountain}景区门票半价，对持退役军人优待证和残疾人证的游客免票。",
            "品牌培育。对新评定的A级景区、等级民宿分别给予{wan_s}万元至{wan_s2}万元奖励。",
        ),
        (
            "市场秩序。加强旅游市场执法检查，严厉查处“不合理低价游”、强迫购物等违法行为，旅游投诉电话：{phone}。",
            "领取方式。消费券通过“青山文旅”小程序领取，每人每次限领一张，领取后{n2}日内有效。",
        ),
    ),
    mentions=("文旅消费", "消费券"),
)

_topic(
    "religious_sites",
    "宗教活动场所管理",
    "ethnic_religion",
    "notice",
    ("990100", "990121", "990122"),
    (
        "关于开展{year}年宗教活动场所安全隐患排查整治的通知",
        "{place}宗教活动场所基本信息公示",
        "{agency}关于加强民族团结进步创建工作的通知",
    ),
    (
        "为切实保障宗教活动场所和信教群众生命财产安全，根据《宗教事务条例》，现就开展宗教活动场所安全隐患排查整治工作通知如下：",
        "为深入推进民族团结进步创建，铸牢中华民族共同体意识，结合{place}实际，现就有关工作通知如下：",
    ),
    (
        (
            "排查范围。全{lvl}依法登记的宗教活动场所{n}处，重点排查消防安全、建筑安全、用电安全和大型活动安全。",
            "创建活动。开展民族团结进步进机关、进企业、进社区、进学校活动，{community}等{n}个社区申报示范单位。",
        ),
        (
            "整改要求。对排查发现的问题建立台账，明确整改时限，{deadline}前全部整改到位。",
            "民族政策宣传。利用民族团结宣传月等时机，广泛宣传党的民族政策和法律法规。",
        ),
        (
            "财务管理。宗教活动场所应当建立健全财务管理制度，接受捐赠应当公开，依法接受监督。",
            "联系方式。{place}民族宗教事务部门联系电话：{phone}。",
        ),
    ),
    mentions=("宗教活动场所", "民族团结"),
)

_topic(
    "foreign_exchange",
    "对外交流与友好城市",
    "foreign_affairs",
    "other",
    ("990000", "990100", "990101"),
    (
        "{place}与外国友好城市交流合作情况通报",
        "关于做好{year}年因公出国（境）团组管理工作的通知",
        "{place}{year}年外籍人士服务指南",
    ),
    (
        "为规范因公出国（境）管理，提高对外交流实效，根据外事管理有关规定，现就{year}年有关工作通知如下：",
        "近年来，{place}积极拓展国际友好城市网络，在经贸、教育、文化等领域开展务实合作。现将有关情况通报如下：",
    ),
    (
        (
            "友城网络。{place}已与{n}个国家的{n2}座城市建立友好城市或友好交流关系，{year}年新签署合作备忘录{n3}份。",
            "团组管理。因公出国（境）严格执行年度计划，团组人数不超过6人，在外停留时间不超过{n}天。",
        ),
        (
            "交流合作。组织{school}等学校与友城学校开展师生线上交流，接待外国友好代表团{count}人次。",
            "外籍人士服务。在{place}政务服务中心设立涉外服务窗口，提供居留许可、工作许可咨询，电话：{phone}。",
        ),
        ("经费管理。出访经费纳入部门预算，严格执行因公临时出国经费管理办法，不得超标准开支。",),
    ),
    mentions=("友好城市", "外事"),
)

_topic(
    "heritage",
    "文物保护",
    "culture_media",
    "announcement",
    ("990100", "990121", "990122", "990000"),
    (
        "{agency}关于公布第{n}批{place}文物保护单位的通知",
        "关于划定{village}古建筑群保护范围和建设控制地带的公告",
        "{place}{year}年文物安全检查情况通报",
    ),
    (
        "根据《中华人民共和国文物保护法》，经{place}人民政府批准，现将第{n}批{place}文物保护单位名单予以公布。",
        "为加强文物安全管理，防范文物安全事故，{year}年{place}组织开展了文物安全专项检查。现将有关情况通报如下：",
    ),
    (
        (
            "保护单位名单。本批共公布文物保护单位{n2}处，包括{village}宗祠、{mountain}摩崖石刻、{river}古桥等。",
            "检查情况。共检查文物保护单位{count}处，发现消防器材缺失、电线老化等隐患{n2}处，已督促整改。",
        ),
        (
            "保护范围。各文物保护单位的保护范围和建设控制地带由文物行政部门会同自然资源和规划部门另行划定并公布。",
            "管理要求。在文物保护单位保护范围内不得进行其他建设工程或者爆破、钻探、挖掘等作业。",
        ),
        (
            "责任落实。文物所在乡镇和村要落实文物安全直接责任人，{village2}聘请文物保护员{n3}名。",
            "举报方式。发现盗掘、破坏文物行为的，请及时拨打{phone}举报。",
        ),
    ),
    mentions=("文物保护",),
)

_topic(
    "social_card_guide",
    "社会保障卡办事指南",
    "labour_personnel",
    "service_guide",
    ("990100", "990121", "990122", "99012102"),
    (
        "{place}社会保障卡申领办事指南",
        "第三代社会保障卡换发办事指南（{place}）",
        "社会保障卡挂失补换办事指南",
    ),
    (
        "社会保障卡是持卡人享受社会保障和公共服务的电子凭证。现将{place}社会保障卡申领、换发有关办理事项告知如下：",
        "为方便群众就近办理社会保障卡业务，{place}在银行网点和{unit}便民服务中心设立即时制卡服务点，办事指南如下：",
    ),
    (
        (
            "办理对象。在{place}参加社会保险的人员及户籍人员均可申领社会保障卡，未成年人由监护人代为申领。",
            "办理材料。本人有效身份证件；委托他人代办的，还须提供代办人身份证件。",
        ),
        (
            "办理流程。申请人携带材料到即时制卡网点，现场采集照片、签名，约{n}分钟即可领卡并激活金融功能。",
            "线上办理。可通过“江南人社”APP在线申领，制卡完成后邮寄到家，邮寄费用由政府承担。",
        ),
        (
            "收费标准。首次申领和到期换领免费，挂失补办的按规定收取工本费{n2}元。",
            "咨询电话。{place}社会保障卡服务热线{phone}，或拨打12333。",
        ),
    ),
    mentions=("社会保障卡",),
)

_topic(
    "waste_sorting",
    "生活垃圾分类管理办法",
    "construction_environment",
    "regulation",
    ("990100", "990000"),
    (
        "{place}生活垃圾分类管理办法",
        "{agency}令（第{n}号）{place}生活垃圾分类管理办法",
        "{place}城市生活垃圾分类管理规定",
    ),
    (
        "第一条 为加强生活垃圾分类管理，改善人居环境，促进资源循环利用，根据《中华人民共和国固体废物污染环境防治法》等法律法规，"
        "结合本{lvl}实际，制定本办法。",
        "《{place}生活垃圾分类管理办法》已经{before}{place}人民政府常务会议审议通过，现予公布。",
    ),
    (
        (
            "分类标准。生活垃圾分为可回收物、有害垃圾、厨余垃圾和其他垃圾四类，单位和个人应当按照分类标准投放。",
            "适用范围。本办法适用于本{lvl}行政区域内生活垃圾的源头减量、分类投放、收集、运输、处理及其监督管理活动。",
        ),
        (
            "管理责任人。住宅小区由物业服务企业负责，机关、企事业单位由本单位负责，{road}等主要街道沿街商户由经营者负责。",
            "设施建设。新建、改建住宅小区应当配套建设生活垃圾分类收集设施，全{lvl}已建成分类投放点{count}个。",
        ),
        (
            "法律责任。个人未按规定分类投放生活垃圾的，由城市管理部门责令改正；拒不改正的，处{n2}0元以上200元以下罚款。",
            "激励措施。推行积分兑换等激励机制，{community}等社区居民分类投放准确率达到{rate}%。",
        ),
    ),
    mentions=("垃圾分类",),
)
