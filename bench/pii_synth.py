"""Seeded generator of a labelled synthetic Chinese customer-service corpus.

Every sentence comes from a hand-written frame modelled on real helpdesk turns
(complaints, returns, deliveries, telecom, banking, accounts).  Slots are filled
with personal data at known offsets and with hard negatives that look like
personal data but are not: 16-19-digit order / tracking / ticket / invoice
numbers that pass Luhn (with and without context), ID numbers with a bad check
digit or an impossible date, amounts, dates and times, product models,
verification codes, service hotlines (10086, 95588, 400-...) and company names.

Output: JSONL, one `{"text", "entities": [{"start", "end", "label"}], "id",
"frame", "negatives": [{"start", "end", "kind"}], "names"}` per line (`end`
exclusive; `negatives` are the hard-negative slots, for error analysis).
Deterministic for a given `--seed` (and, when Faker is installed, a given Faker
version; without Faker built-in pools are used and the corpus differs, which
the output's `"names"` field records).

    python bench/pii_synth.py --n 2000 --seed 7 --out bench/out/pii_synth.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import string
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "pii_synth.jsonl"

# --- public check-digit algorithms -------------------------------------------

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def id_check_char(body17: str) -> str:
    """GB 11643 / ISO 7064 MOD 11-2 check character."""
    return _ID_CHECK[
        sum(int(c) * w for c, w in zip(body17, _ID_WEIGHTS, strict=True)) % 11
    ]


def luhn_check_digit(body: str) -> str:
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    return luhn_check_digit(number[:-1]) == number[-1]


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def uscc_check_char(body17: str) -> str:
    """GB 32100 MOD 31-3 check character."""
    s = sum(
        _USCC_ALPHABET.index(c) * w for c, w in zip(body17, _USCC_WEIGHTS, strict=True)
    )
    return _USCC_ALPHABET[(31 - s % 31) % 31]


def org_code_check_char(body8: str) -> str:
    """GB 11714 organisation-code check character (positions 9-17 of a USCC)."""
    s = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    c = 11 - s % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


# --- pools -------------------------------------------------------------------

# Real county-level division codes (GB/T 2260), paired with a place name.
REGIONS = [
    ("110105", "北京市朝阳区"),
    ("110108", "北京市海淀区"),
    ("310104", "上海市徐汇区"),
    ("310115", "上海市浦东新区"),
    ("440305", "广东省深圳市南山区"),
    ("440106", "广东省广州市天河区"),
    ("330106", "浙江省杭州市西湖区"),
    ("320102", "江苏省南京市玄武区"),
    ("510107", "四川省成都市武侯区"),
    ("420111", "湖北省武汉市洪山区"),
    ("370102", "山东省济南市历下区"),
    ("610113", "陕西省西安市雁塔区"),
    ("500103", "重庆市渝中区"),
    ("120101", "天津市和平区"),
    ("430104", "湖南省长沙市岳麓区"),
    ("350203", "福建省厦门市思明区"),
    ("210102", "辽宁省沈阳市和平区"),
    ("410105", "河南省郑州市金水区"),
    ("530102", "云南省昆明市五华区"),
    ("230103", "黑龙江省哈尔滨市南岗区"),
]
ROADS = [
    "建国路",
    "中山路",
    "人民路",
    "解放大道",
    "科技园南路",
    "文三路",
    "长江路",
    "天府大道",
    "珞喻路",
    "经十路",
    "高新路",
    "和平路",
    "五一大道",
    "湖滨南路",
    "南京东路",
    "漕溪北路",
    "世纪大道",
    "深南大道",
    "天河路",
    "花园路",
]
ESTATES = [
    "阳光花园",
    "碧水湾小区",
    "雅居园小区",
    "金色家园",
    "翠苑一区",
    "万科城",
    "幸福里",
    "锦绣江南",
    "东方明珠苑",
    "滨江花城",
    "绿城桂花园",
    "恒大名都",
]
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹"
) + ["欧阳", "司马", "诸葛", "上官"]
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建红鹏琳晨浩宇欣怡子涵雨轩梓"
)
COMPANIES = [
    "京东",
    "淘宝",
    "天猫",
    "拼多多",
    "顺丰速运",
    "中通快递",
    "中国移动",
    "中国电信",
    "中国联通",
    "招商银行",
    "工商银行",
    "建设银行",
    "美团",
    "饿了么",
    "携程",
    "苏宁易购",
    "小米之家",
    "华为终端",
    "海尔智家",
    "国家电网",
]
PRODUCTS = [
    "iPhone 15 Pro Max 256G",
    "小米14 Ultra",
    "华为Mate 60 Pro",
    "SM-S9180",
    "KFR-35GW/N8XHA1",
    "RTX 4090",
    "MacBook Air M2",
    "戴森V12",
    "美的MB-FB40S701",
    "荣耀X50",
    "OPPO Reno11",
    "格力KFR-26GW",
    "AirPods Pro 2",
    "ThinkPad X1 Carbon",
]
HOTLINES = [
    "10086",
    "10000",
    "10010",
    "95588",
    "95533",
    "95555",
    "95566",
    "95338",
    "12315",
    "400-820-8820",
    "400-610-1360",
    "4008-123-123",
    "400-606-5500",
    "95017",
]
BANKS = [
    "工商银行",
    "建设银行",
    "农业银行",
    "招商银行",
    "中国银行",
    "交通银行",
    "浦发银行",
]
# Issuer prefixes of Chinese debit/credit cards (UnionPay 62, Visa 4, Mastercard 5).
CARD_BINS = [
    ("622202", 19),
    ("621700", 19),
    ("622848", 19),
    ("621226", 19),
    ("621483", 16),
    ("622588", 16),
    ("625809", 16),
    ("436742", 16),
    ("622260", 19),
    ("621661", 19),
    ("622700", 19),
    ("524047", 16),
    ("622609", 16),
    ("628288", 16),
]
PROVINCE_ABBR = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
EMAIL_DOMAINS = [
    "qq.com",
    "163.com",
    "126.com",
    "gmail.com",
    "sina.com",
    "foxmail.com",
    "outlook.com",
    "139.com",
    "hotmail.com",
    "yeah.net",
]
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "145",
    "147",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "170",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "195",
    "198",
    "199",
]
AREA_CODES = ["010", "021", "020", "0755", "0571", "025", "028", "027", "0531", "029"]


class Gen:
    """Fills slots.  Each slot returns `(surface, label_or_None)`."""

    def __init__(self, seed: int, use_faker: bool = True) -> None:
        self.r = random.Random(seed)
        self.faker = None
        if use_faker:
            try:
                from faker import Faker
            except ImportError:
                pass
            else:
                self.faker = Faker("zh_CN")
                self.faker.seed_instance(seed)

    # ----- positives ---------------------------------------------------------
    def person(self) -> str:
        if self.faker is not None and self.r.random() < 0.6:
            return str(self.faker.name())
        n = self.r.choice([1, 2, 2])
        return self.r.choice(SURNAMES) + "".join(self.r.choices(GIVEN, k=n))

    def surname(self) -> str:
        return self.r.choice(SURNAMES[:60])

    def address(self) -> str:
        r = self.r
        _, place = r.choice(REGIONS)
        road = r.choice(ROADS)
        if self.faker is not None and r.random() < 0.3:
            road = str(self.faker.street_name())
        form = r.randrange(4)
        if form == 0:
            return f"{place}{road}{r.randint(1, 999)}号"
        if form == 1:
            no, estate, bld = r.randint(1, 300), r.choice(ESTATES), r.randint(1, 30)
            unit, floor, room = r.randint(1, 6), r.randint(1, 33), r.randint(1, 8)
            return f"{place}{road}{no}号{estate}{bld}栋{unit}单元{floor}0{room}"
        if form == 2:
            district = place[place.find("市") + 1 :] or place
            return f"{district}{r.choice(ESTATES)}{r.randint(1, 20)}号楼"
        lane, no, room = r.randint(1, 999), r.randint(1, 40), r.randint(101, 2808)
        return f"{place}{road}{lane}弄{no}号{room}室"

    def phone(self) -> str:
        r = self.r
        num = r.choice(MOBILE_PREFIXES) + "".join(r.choices(string.digits, k=8))
        form = r.random()
        if form < 0.6:
            return num
        if form < 0.75:
            return f"{num[:3]}-{num[3:7]}-{num[7:]}"
        if form < 0.85:
            return f"{num[:3]} {num[3:7]} {num[7:]}"
        if form < 0.93:
            return "+86 " + num
        area = r.choice(AREA_CODES)
        return f"{area}-{r.randint(2, 8)}{''.join(r.choices(string.digits, k=7))}"

    def email(self) -> str:
        r = self.r
        if self.faker is not None and r.random() < 0.4:
            return str(self.faker.free_email())
        user = r.choice(
            [
                "".join(r.choices(string.ascii_lowercase, k=r.randint(4, 9))),
                "".join(r.choices(string.digits, k=r.randint(6, 10))),
                r.choice(["zhang", "li", "wang", "chen", "liu"])
                + str(r.randint(1, 2024)),
                "".join(r.choices(string.ascii_lowercase, k=3))
                + "."
                + "".join(r.choices(string.ascii_lowercase, k=4)),
            ]
        )
        return f"{user}@{r.choice(EMAIL_DOMAINS)}"

    def birth(self) -> date:
        return date(1950, 1, 1) + timedelta(days=self.r.randrange(365 * 55))

    def id_card(self, valid: bool = True, kind: str = "checksum") -> str:
        r = self.r
        region, _ = r.choice(REGIONS)
        d = self.birth().strftime("%Y%m%d")
        if not valid and kind == "date":
            d = f"{r.randint(1960, 2005)}{r.choice(['02', '04', '06', '13', '00'])}31"
        body = region + d + "".join(r.choices(string.digits, k=3))
        check = id_check_char(body)
        if not valid and kind == "checksum":
            check = r.choice([c for c in _ID_CHECK if c != check])
        out = body + check
        if valid and r.random() < 0.1:
            out = out[:-1] + out[-1].lower() if out[-1] == "X" else out
        return out

    def bank_card(self, grouped: bool | None = None) -> str:
        r = self.r
        bin_, length = r.choice(CARD_BINS)
        body = bin_ + "".join(r.choices(string.digits, k=length - len(bin_) - 1))
        num = body + luhn_check_digit(body)
        if grouped is None:
            grouped = r.random() < 0.2
        if grouped:
            return " ".join(num[i : i + 4] for i in range(0, len(num), 4))
        return num

    def ip(self) -> str:
        r = self.r
        if r.random() < 0.1:
            return "240e:" + ":".join(f"{r.randrange(65536):x}" for _ in range(7))
        first = r.choice([r.randint(1, 223), 10, 172, 192, 113, 222, 58])
        return ".".join(
            str(x)
            for x in (first, r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
        )

    def passport(self) -> str:
        r = self.r
        if r.random() < 0.5:
            return "E" + "".join(r.choices(string.digits, k=8))
        return (
            "E"
            + r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
            + "".join(r.choices(string.digits, k=7))
        )

    def plate(self) -> str:
        r = self.r
        head = r.choice(PROVINCE_ABBR) + r.choice(PLATE_LETTERS)
        if r.random() < 0.25:  # new-energy: D/F + 5 chars
            tail = r.choice("DF") + "".join(r.choices(string.digits, k=5))
        else:
            tail = "".join(r.choices(PLATE_LETTERS + string.digits * 3, k=5))
        return head + ("·" if r.random() < 0.15 else "") + tail

    def uscc(self) -> str:
        r = self.r
        region, _ = r.choice(REGIONS)
        org8 = "".join(r.choices(string.digits + "ABCDEFGHJKLMNPQRTUWXY", k=8))
        body = r.choice(["91", "92", "93", "12", "52"]) + region + org8
        body += org_code_check_char(org8)
        return body + uscc_check_char(body)

    def qq(self) -> str:
        return str(self.r.randint(1, 9)) + "".join(
            self.r.choices(string.digits, k=self.r.randint(5, 9))
        )

    def wechat(self) -> str:
        r = self.r
        if r.random() < 0.3:
            return "wxid_" + "".join(
                r.choices(string.ascii_lowercase + string.digits, k=14)
            )
        head = r.choice(string.ascii_letters)
        rest = "".join(
            r.choices(string.ascii_lowercase + string.digits + "_-", k=r.randint(5, 14))
        )
        return head + rest

    def hk_macau(self) -> str:
        r = self.r
        if r.random() < 0.7:
            return "C" + "".join(r.choices(string.digits, k=8))
        return (
            "C"
            + r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
            + "".join(r.choices(string.digits, k=7))
        )

    def taiwan(self) -> str:
        return "L" + "".join(self.r.choices(string.digits, k=8))

    # ----- negatives ---------------------------------------------------------
    def luhn_number(self, prefix: str = "") -> str:
        """A 16-19-digit Luhn-valid number that is NOT a bank card.

        Without a prefix it starts with digits no card scheme issues from (ISO/IEC
        7812 major industry 1, 7, 8, 9, or a 2023-2025 date, below Mastercard's
        2221-2720), so even a context-free one is decidable; `order_number` also
        makes 62... numbers that only their context tells apart from UnionPay.
        """
        r = self.r
        length = r.randint(16, 19)
        if not prefix:
            prefix = r.choice(
                [
                    date(2023, 1, 1).strftime("%Y")
                    + f"{r.randint(1, 12):02d}{r.randint(1, 28):02d}",
                    "7" + str(r.randint(10, 99)),
                    "8" + str(r.randint(10, 99)),
                    "1" + str(r.randint(100, 999)),
                    "88",
                    "9",
                    "2025",
                    "9" + r.choice("0345789"),
                ]
            )
        body = prefix + "".join(r.choices(string.digits, k=length - len(prefix) - 1))
        return body + luhn_check_digit(body)

    def order_number(self) -> str:
        # Some start like a UnionPay card: only the context tells them apart.
        return self.luhn_number("62" if self.r.random() < 0.15 else "")

    def amount(self) -> str:
        r = self.r
        v = r.choice([r.randint(1, 99999), round(r.uniform(1, 5000), 2)])
        return r.choice([f"{v}元", f"¥{v}", f"{v}块", f"人民币{v}元", f"{v:,}元"])

    def when(self) -> str:
        r = self.r
        d = date(2024, 1, 1) + timedelta(days=r.randrange(700))
        return r.choice(
            [
                f"{d.year}年{d.month}月{d.day}日",
                d.isoformat(),
                f"{d.month}月{d.day}号",
                f"{d.isoformat()} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}",
                f"{d.month}月{d.day}日下午{r.randint(1, 6)}点",
                f"{d:%Y%m%d}",
                f"{d.year}/{d.month:02d}/{d.day:02d} "
                f"{r.randint(8, 21)}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}",
            ]
        )

    def code(self) -> str:
        return "".join(self.r.choices(string.digits, k=self.r.choice([4, 6, 6])))

    def company(self) -> str:
        if self.faker is not None and self.r.random() < 0.6:
            return str(self.faker.company())
        return self.r.choice(COMPANIES)

    def staff_no(self) -> str:
        return str(self.r.randint(1000, 99999))

    def tracking(self) -> str:
        r = self.r
        return r.choice(["SF", "JT", "YT", "ZTO"]) + "".join(
            r.choices(string.digits, k=r.randint(12, 15))
        )


# Slot name -> (label or None, generator).  Lower-case slots are negatives.
def slot_table(g: Gen) -> dict[str, tuple[str | None, Callable[[], str]]]:
    return {
        "PERSON": ("PERSON", g.person),
        "ADDRESS": ("ADDRESS", g.address),
        "PHONE": ("PHONE", g.phone),
        "EMAIL": ("EMAIL", g.email),
        "ID": ("CN_ID_CARD", g.id_card),
        "CARD": ("BANK_CARD", g.bank_card),
        "IP": ("IP_ADDRESS", g.ip),
        "PASSPORT": ("PASSPORT", g.passport),
        "PLATE": ("LICENSE_PLATE", g.plate),
        "USCC": ("CN_USCC", g.uscc),
        "QQ": ("QQ", g.qq),
        "WECHAT": ("WECHAT", g.wechat),
        "HKMO": ("HK_MACAU_PERMIT", g.hk_macau),
        "TW": ("TAIWAN_PERMIT", g.taiwan),
        "surname": (None, g.surname),
        "order": (None, g.order_number),
        "luhn": (None, g.luhn_number),
        "bad_id": (None, lambda: g.id_card(False, "checksum")),
        "bad_id_date": (None, lambda: g.id_card(False, "date")),
        "amount": (None, g.amount),
        "when": (None, g.when),
        "product": (None, lambda: g.r.choice(PRODUCTS)),
        "code": (None, g.code),
        "hotline": (None, lambda: g.r.choice(HOTLINES)),
        "company": (None, g.company),
        "bank": (None, lambda: g.r.choice(BANKS)),
        "staff": (None, g.staff_no),
        "tracking": (None, g.tracking),
        "n": (None, lambda: str(g.r.randint(1, 9))),
        "tail4": (None, lambda: "".join(g.r.choices(string.digits, k=4))),
    }


# Frames by domain.  `{SLOT}` positive, `{slot}` negative.
FRAMES: dict[str, list[str]] = {
    "complaint": [
        "我要投诉！{when}在你们店买的{product}，到现在都没发货，订单号{order}，我的电话{PHONE}。",
        "你好，我是{PERSON}，上周反映的问题一直没人处理，工单号{order}，请尽快回电{PHONE}。",
        "客服{staff}号态度太差了，我叫{PERSON}，要求给个说法，不行我打{hotline}投诉。",
        "已经打了三次{hotline}都没解决，{company}就是这样对待老客户的？",
        "投诉人：{PERSON}，联系方式：{PHONE}，身份证号：{ID}，投诉内容：扣费{amount}不明。",
        "我在{company}买的{product}有质量问题，{when}签收，{amount}，麻烦处理一下。",
        "请{PERSON}经理本人给我回电话，号码是{PHONE}，不然我就去12315投诉。",
        "这单{luhn}到底什么情况？三天了物流一点没动。",
        "{surname}先生您好，您反映的问题已升级处理，工单号：{order}，预计{when}前给您回复。",
    ],
    "returns": [
        "我要退货，订单号{order}，退款{amount}请原路退回我的{bank}卡{CARD}。",
        "退款请打到这张卡：{CARD}（{bank}），户名{PERSON}。",
        "商品{product}申请售后，寄回地址是{ADDRESS}吗？收件人写{PERSON}？",
        "您好，退货已签收，退款{amount}将在{when}前退回尾号{tail4}的银行卡。",
        "麻烦核对一下：订单{order}，发票号{luhn}，金额{amount}。",
        "我申请了换货，新的收货地址：{ADDRESS}，收货人{PERSON}，手机{PHONE}。",
        "退款还没到账，交易流水号{order}，银行卡号{CARD}，请帮忙查一下。",
        "发票抬头{company}，税号{USCC}，发票号码{luhn}，请重开一张。",
    ],
    "delivery": [
        "快递单号{order}，显示已签收但我根本没收到，我的地址是{ADDRESS}。",
        "请帮我改一下地址：{ADDRESS}，收件人{PERSON}，电话{PHONE}。",
        "您的包裹{tracking}已由{company}揽收，预计{when}送达。",
        "骑手电话打不通，订单号{order}，我在{ADDRESS}等了一个小时了。",
        "快递员说放驿站了，取件码{code}，可我没找到，我的手机号{PHONE}。",
        "运单{luhn}派送异常，联系{PERSON}师傅{PHONE}。",
        "送货上门请打我电话{PHONE}，家里地址是{ADDRESS}，车牌{PLATE}的车停在楼下。",
        "物流单号：{luhn}，请核实。",
    ],
    "telecom": [
        "我的号码{PHONE}这个月被多扣了{amount}，帮我查一下套餐。",
        "机主姓名{PERSON}，身份证{ID}，要办理销户。",
        "您好，这里是{hotline}客服，请问您是{PHONE}的机主吗？",
        "宽带装机地址{ADDRESS}，联系人{PERSON}，工单号{order}。",
        "验证码{code}，请勿告诉他人，有效期5分钟。【{company}】",
        "我家宽带一直掉线，登录IP是{IP}，路由器型号{product}。",
        "补卡需要本人身份证原件，您的证件号{ID}已核验，请到营业厅办理。",
        "携号转网需要服务密码，不要把验证码{code}发给任何人。",
        "我的{hotline}账户被异地登录了，IP地址{IP}不是我的。",
    ],
    "banking": [
        "我的{bank}信用卡{CARD}被盗刷了{amount}，请马上冻结！",
        "持卡人{PERSON}，卡号{CARD}，预留手机{PHONE}，申请挂失。",
        "请确认转账信息：收款人{PERSON}，账号{CARD}，开户行{bank}，金额{amount}。",
        "您尾号{tail4}的卡片于{when}消费{amount}，如非本人操作请致电{hotline}。",
        "订单号{order}的分期账单已出，本期应还{amount}。",
        "贷款申请人{PERSON}，身份证号码{ID}，单位{company}，统一社会信用代码{USCC}。",
        "我把卡号发你：{CARD}，麻烦尽快处理退款。",
        "交易参考号{luhn}，请勿泄露给他人。",
        "{luhn}",
        "客户{PERSON}（{ID}）于{when}在网点开户，地址{ADDRESS}。",
    ],
    "account": [
        "我的邮箱是{EMAIL}，账号绑定的手机是{PHONE}，登录不了了。",
        "请把电子发票发到{EMAIL}，发票号{luhn}。",
        "加我微信{WECHAT}或者QQ{QQ}，我把截图发你。",
        "我的QQ号是{QQ}，微信号：{WECHAT}，都可以联系。",
        "实名认证失败，证件号{bad_id}提示校验不通过。",
        "身份证号填的是{bad_id_date}，系统说日期不对。",
        "出境游订单需要护照号：{PASSPORT}，姓名{PERSON}。",
        "港澳通行证号码{HKMO}，请帮我预订{when}的船票。",
        "台湾通行证{TW}，申请人{PERSON}，联系邮箱{EMAIL}。",
        "账户{EMAIL}在{when}从IP {IP}登录，如非本人请修改密码。",
        "停车场出入记录：车牌号{PLATE}，{when}入场，缴费{amount}。",
        "会员卡号{luhn}，积分没到账。",
        "{company}的对公账户信息请找财务，税号{USCC}。",
        "客服工号{staff}，很高兴为您服务，请问有什么可以帮您？",
        "好的{surname}女士，已为您登记，请保持电话畅通。",
        "型号{product}，序列号{luhn}，保修期到{when}。",
    ],
}


def render(frame: str, table: dict[str, tuple[str | None, Callable[[], str]]]):
    text_parts: list[str] = []
    entities: list[dict[str, object]] = []
    negatives: list[dict[str, object]] = []
    pos = 0
    for piece in re.split(r"(\{[A-Za-z_0-9]+\})", frame):
        if piece.startswith("{") and piece.endswith("}"):
            label, fn = table[piece[1:-1]]
            surface = fn()
            span = {"start": pos, "end": pos + len(surface)}
            if label is not None:
                entities.append({**span, "label": label})
            else:
                negatives.append({**span, "kind": piece[1:-1]})
        else:
            surface = piece
        text_parts.append(surface)
        pos += len(surface)
    return "".join(text_parts), entities, negatives


def generate(n: int, seed: int, use_faker: bool = True) -> tuple[list[dict], str]:
    g = Gen(seed, use_faker=use_faker)
    table = slot_table(g)
    frames = [(domain, f) for domain, fs in FRAMES.items() for f in fs]
    rows = []
    names = "faker" if g.faker is not None else "builtin"
    if g.faker is not None:
        import faker

        names = f"faker {faker.VERSION} zh_CN"
    for i in range(n):
        domain, frame = (
            frames[i % len(frames)] if i < len(frames) else g.r.choice(frames)
        )
        text, ents, negs = render(frame, table)
        rows.append(
            {
                "id": f"synth-{seed}-{i}",
                "frame": domain,
                "text": text,
                "entities": ents,
                "negatives": negs,
                "names": names,
            }
        )
    return rows, names


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2400, help="sentences (default 2400)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--no-faker", action="store_true", help="built-in pools only")
    args = ap.parse_args(argv)
    rows, names = generate(args.n, args.seed, use_faker=not args.no_faker)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts = Counter(e["label"] for r in rows for e in r["entities"])
    print(
        f"wrote {len(rows)} sentences to {args.out} (seed {args.seed}, names: {names})"
    )
    print("entities: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
