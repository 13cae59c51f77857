"""The 政府信息公开指南 of every demo agency: the facts that differ by agency (who receives
applications, where, who hears a complaint or a 行政复议) in one table, and the text the 条例 makes
the same for every agency written once around them."""

from __future__ import annotations

from dataclasses import dataclass

HOURS = "周一至周五 上午9:00—12:00，下午13:30—17:00（法定节假日除外）"


@dataclass(frozen=True, slots=True)
class GuideFacts:
    office: str  # 受理机构: the agency's 政府信息公开工作机构
    address: str
    postal_code: str
    phone: str
    email: str
    complaints_to: str  # 条例第五十一条: the level above, or the 主管部门
    reconsideration: str  # 行政复议机关 (行政复议法, 2023 revision)
    note: str  # what applicants to this agency most often need to know first


FACTS: dict[str, GuideFacts] = {
    "990000": GuideFacts(
        office="江南省人民政府办公厅政府信息公开处",
        address="江南省江州市人民大道1号省政府办公厅信息公开受理室",
        postal_code="999001",
        phone="0999-88001001",
        email="xxgk@jiangnan.example.gov.cn",
        complaints_to="江南省人民政府办公厅（全省政府信息公开工作主管部门）",
        reconsideration="江南省人民政府（对复议决定不服的，可以向人民法院提起行政诉讼，也可以向国务院申请裁决）",
        note="省政府各部门、各市县政府制作或保存的信息，请直接向该机关申请；本机关只答复省人民政府自身制作或保存的信息。",
    ),
    "990100": GuideFacts(
        office="青山市人民政府办公室政府信息公开科",
        address="江南省青山市政通路8号市政府大楼一楼政务公开受理窗口",
        postal_code="999100",
        phone="0999-62001200",
        email="xxgk@qingshan.example.gov.cn",
        complaints_to="江南省人民政府办公厅（全省政府信息公开工作主管部门）",
        reconsideration="江南省人民政府",
        note="市政府工作部门（如市民政局）的信息由该部门答复，请直接向其申请；"
        "市政府常务会议纪要、市政府文件等请先在“政府信息公开目录”中检索。",
    ),
    "990101": GuideFacts(
        office="青山市人民政府办公室综合信息科",
        address="江南省青山市政通路8号市政府大楼三楼312室",
        postal_code="999100",
        phone="0999-62001312",
        email="bgs-xxgk@qingshan.example.gov.cn",
        complaints_to="青山市人民政府",
        reconsideration="青山市人民政府",
        note="本机关答复市政府办公室自身制作或保存的信息（如督查通报、办公室发文）；"
        "以市人民政府名义制作的信息请向青山市人民政府申请。",
    ),
    "990102": GuideFacts(
        office="青山市民政局办公室",
        address="江南省青山市和平街56号市民政局一楼服务大厅",
        postal_code="999102",
        phone="0999-62005602",
        email="mzj-xxgk@qingshan.example.gov.cn",
        complaints_to="青山市人民政府办公室（全市政府信息公开工作主管部门）",
        reconsideration="青山市人民政府",
        note="最低生活保障标准、救助资金发放汇总等已主动公开，请先检索。查询本人或他人的婚姻登记档案，"
        "依照婚姻登记档案管理的专门规定到婚姻登记机关办理，不属于政府信息公开申请（条例第三十六条第七项）。",
    ),
    "990121": GuideFacts(
        office="东湖县人民政府办公室政务公开股",
        address="江南省青山市东湖县湖滨路1号县政府办公楼二楼208室",
        postal_code="999121",
        phone="0999-75021208",
        email="xxgk@donghu.example.gov.cn",
        complaints_to="青山市人民政府办公室（全市政府信息公开工作主管部门）",
        reconsideration="青山市人民政府",
        note="县政府工作部门和乡镇人民政府的信息由该机关答复；征地补偿安置方案等已主动公开的信息，请先在目录中检索。",
    ),
    "990122": GuideFacts(
        office="西岭县人民政府办公室政务公开股",
        address="江南省青山市西岭县岭南大道66号县行政中心A座105室",
        postal_code="999122",
        phone="0999-76022105",
        email="xxgk@xiling.example.gov.cn",
        complaints_to="青山市人民政府办公室（全市政府信息公开工作主管部门）",
        reconsideration="青山市人民政府",
        note="县政府工作部门和乡镇人民政府的信息由该机关答复；县政府文件、财政预决算已主动公开，请先检索。",
    ),
    "99012101": GuideFacts(
        office="东湖县教育局办公室",
        address="江南省青山市东湖县学府路20号县教育局一楼办事大厅",
        postal_code="999121",
        phone="0999-75023020",
        email="jyj-xxgk@donghu.example.gov.cn",
        complaints_to="东湖县人民政府办公室（全县政府信息公开工作主管部门）",
        reconsideration="东湖县人民政府",
        note="招生入学政策、学区划分已主动公开，请先检索。学生个人的成绩、学籍信息涉及个人隐私，"
        "本人或其监护人凭身份证明到学校或本局办理查询，不向他人公开。",
    ),
    "99012102": GuideFacts(
        office="东湖县城关镇人民政府党政综合办公室",
        address="江南省青山市东湖县城关镇人民路12号镇便民服务中心3号窗口",
        postal_code="999121",
        phone="0999-75025012",
        email="cgz-xxgk@donghu.example.gov.cn",
        complaints_to="东湖县人民政府办公室（全县政府信息公开工作主管部门）",
        reconsideration="东湖县人民政府",
        note="也可在镇便民服务中心窗口当面提交申请。村务、居务信息由村（居）民委员会公开，不属于本机关的政府信息。",
    ),
    "99012201": GuideFacts(
        office="西岭县住房和城乡建设局办公室",
        address="江南省青山市西岭县建设路9号县住建局二楼201室",
        postal_code="999122",
        phone="0999-76023201",
        email="zjj-xxgk@xiling.example.gov.cn",
        complaints_to="西岭县人民政府办公室（全县政府信息公开工作主管部门）",
        reconsideration="西岭县人民政府",
        note="保障性住房分配结果、老旧小区改造计划已主动公开，请先检索。不动产登记资料请依照不动产登记的专门规定"
        "向不动产登记机构查询（条例第三十六条第七项）。",
    ),
}


def how_to_apply(agency: str, facts: GuideFacts) -> str:
    """Sections 受理机构, 申请方式, 办理时限, 救济途径: one paragraph a line."""
    return "\n".join(
        [
            "一、受理机构",
            f"{facts.office}负责受理向{agency}提出的政府信息公开申请，地址、办公时间和联系电话见本指南。{facts.note}",
            "二、申请前请先检索",
            f"{agency}主动公开的政府信息可在本平台“政府信息公开目录”中检索和查阅，无需提出申请。",
            "三、申请方式",
            "申请应当采用书面形式（条例第二十九条），可任选一种：",
            "1. 网上申请：在本平台填写政府信息公开申请表在线提交，提交后取得登记号和查询码，凭此可查询办理进度。",
            f"2. 信函申请：将申请表邮寄至{facts.address}（邮政编码{facts.postal_code}），"
            "请在信封上注明“政府信息公开申请”。",
            "3. 当面申请：在办公时间到受理机构提交。书面申请确有困难的，可以口头提出，由工作人员代为填写，经申请人确认。",
            "申请应写明：申请人的姓名或者名称、身份证明、联系方式；所需政府信息的名称、文号或者便于查找的其他特征；"
            "获取信息的方式（邮寄、电子邮件、当面领取或查阅）和载体形式（纸质或电子）。申请内容不明确的，"
            "本机关自收到申请之日起7个工作日内一次性告知需要补正的事项和期限（条例第三十条）；"
            "无正当理由逾期不补正的，视为放弃申请。",
            "四、办理时限",
            "当面提交的，以提交之日为收到申请之日；邮寄的，以签收之日为准（平常信函等无需签收的，以双方确认之日为准）；"
            "网上提交的，以双方确认之日为准（条例第三十一条）。能够当场答复的当场答复；不能当场答复的，"
            "自收到申请之日起20个工作日内答复；确需延长的，经政府信息公开工作机构负责人同意并告知申请人，"
            "延长不超过20个工作日（条例第三十三条）。需要征求第三方或者其他机关意见的，所需时间不计入上述期限；"
            "补正后的申请，期限自收到补正之日起计算。",
            "五、救济途径",
            f"认为{agency}在政府信息公开工作中侵犯自己合法权益的，可以向{facts.complaints_to}投诉、举报"
            f"（条例第五十一条）；也可以自知道该行为之日起60日内向{facts.reconsideration}申请行政复议"
            "（行政复议法第二十条），或者自知道该行为之日起6个月内依法向人民法院提起行政诉讼（行政诉讼法第四十六条）。",
        ]
    )


FEES = (
    "依申请提供政府信息，一般不收费。申请公开政府信息的数量、频次明显超过合理范围的，依照条例第四十二条和"
    "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收取信息处理费，由本机关在按件、按量两种方式中选择一种，不重复收取：\n"
    "按件计收：同一申请人一个自然月内向本机关累计提出的申请，第1至10件不收费，第11至30件每件100元，"
    "第31件起每10件为一档，每档每件比前一档多收100元。\n"
    "按量计收：同一份申请提供纸质、电子邮件或电子数据复制件的，30页以内不收费，31至100页每页10元，"
    "101至200页每页20元，201页起每页40元；当场查阅不按量收费。\n"
    "需要收费的，本机关出具收费通知书，申请人自收到之日起20个工作日内缴纳，逾期未缴的视为放弃申请；确有困难的，可以申请减免。"
)


def guide(code: str, agency: str) -> dict[str, str]:
    """The body of `PUT /api/v1/catalog/agencies/{id}/guide` for the demo agency with this code."""
    facts = FACTS[code]
    return {
        "how_to_apply": how_to_apply(agency, facts),
        "office_address": facts.address,
        "office_hours": HOURS,
        "phone": facts.phone,
        "email": facts.email,
        "postal_code": facts.postal_code,
        "fees_note": FEES,
    }
