"""Chinese personal-name data and scoring, without a segmenter.

Surname rank and given-name characters come from small shipped lists
(data/surnames.txt, compound_surnames.txt, given_chars.txt). Recognizers ask
`parse_cn_name` for the best name starting at a position; it only looks at
the next four characters, so the hot path stays a few dict/set lookups.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

# Characters that end a name: particles, verbs and pronouns that follow names
# in running text ("张伟的", "李明说").
STOP = frozenset(
    "的了是在和与及跟说讲问给把被让对向从也都就还又再很太不没有个们这那哪您你我他她它"
    "吗呢吧啊呀哦嘛么着过来去到要会能可已将为于以而或但并且等之其此该每各请谢"
)

# Two-character words that begin with a surname but are common words.
NOT_NAMES = frozenset(
    """
    高兴 高级 高手 高速 高清 高端 高峰 高中 高考 张开 张贴 王者 王牌 王国 方便 方式 方法
    方面 方案 方向 安装 安全 安排 安卓 安心 安静 何时 何况 周末 周边 周期 周年 全程
    全额 全新 周一 周二
    周三 周四 周五 周六 周日 黄金 黄色 白色 白天 白金 金额 金融 金卡 钱包 江湖 林业 马上
    马路 程序 程度 谢谢 万一 万元 于是 关于 关注 关闭 关机 关系 常规 常用 常见 成功 成本
    成为 成长 明天 明白 明年 明确 明显 平时 平台 平安 平常 时间 时候 时代 应该 应用 全部
    全国 全面 全家 向前 和平 和谐 文件 文字 文化 包括 包月 包年 包装 连接 连续 路由 路上
    宁可 宁愿 余额 史上 原来 原因 计划 计算 费用 付款 付费 车辆 车主 华为 雷达 龙头 苏宁
    中国 中心 中文 中午 中间 国家 国际 国内 司机 司法 管理 管家 师傅 花费 花钱 曾经 任何
    任务 任意 邮件 易于 向来 康复 常常 温度 温馨 申请 申诉 简单 简直 齐全 齐心 景区 海外
    海关 海量 黎明 雷锋 陆续 牛逼 尚未 单位 单独 单价 左右 谷歌 华丽 甘心 包邮
    游戏 舒服 童鞋 路过 解决 解释 连续 房子 房间 纪念 冷静 池塘 符合 蒙古 农村 农民
    鲁莽 凌晨 季度 左边 夏天 秋天 冬天 春天 春节 夏季 秋季 冬季 东西 东方 南方 西方 北方
    和你 和我 和他 和她 东北 西北 江南 朱门 杨柳 柏林 梅花 石头 毛病 毛钱 贺卡 殷勤
    乔布 宋体 巴西 查询 查看 查到 查下 查一 查了 步步 陈述 任性 武汉 武器 文明 施工
    洪水 白痴 卢布 钟头 姜是 潘多 顾客 顾问 钱的 钱了 于此 万能 管用 严重 严格 孟德
    解锁 官博 戴耳 莫非 陈年 华强 查清 查修 查无 平白 闻不 费不 符以 傅上
    """.split()
)

NICK_PREFIX = frozenset("小老阿")
NOT_NICKS = frozenset(
    """
    小米 小编 小区 小时 小伙 小孩 小姐 小心 小于 小号 小白 小事 小时候 小程序
    小贴士 老公
    老婆 老师 老板 老人 老家 老客户 老用户 老是 老大 老了 阿里 阿姨 小哥
    小朋友 小弟 小妹
    小店 小说 小型 小的 老的 老号 老版 小度 小艺 小爱 小天 小新 小布 小冰 小娜 小通 小宝
    小额 小小 老百 老乡 老年 老化 老款 老旧 小沃 小u 小U 小@ 老爸 老妈 老子 小子
    """.split()
)


def _lines(name: str) -> list[str]:
    text = files("complydesk.pii").joinpath("data", name).read_text("utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and ln[0] != "#"]


@cache
def surname_rank() -> dict[str, int]:
    """Surname -> frequency rank (1 = most common); compound surnames too."""
    ranks: dict[str, int] = {}
    for i, s in enumerate(_lines("surnames.txt"), 1):
        ranks.setdefault(s, i)
    for i, s in enumerate(_lines("compound_surnames.txt"), 1):
        ranks.setdefault(s, 100 + i)
    return ranks


@cache
def given_chars() -> tuple[frozenset[str], frozenset[str]]:
    """(very common, all plausible) given-name characters."""
    blocks = _lines("given_chars.txt")
    common = frozenset(blocks[0])
    return common, common | frozenset("".join(blocks[1:]))


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _given_len(text: str, pos: int, strict: bool) -> int:
    """How many given-name characters (0-2) follow at `pos`."""
    _, plausible = given_chars()
    n = 0
    while n < 2 and pos + n < len(text):
        ch = text[pos + n]
        if not is_cjk(ch) or ch in STOP:
            break
        if strict and ch not in plausible:
            break
        n += 1
    if n == 2 and pos + 2 < len(text):
        nxt = text[pos + 2]
        # A third CJK word character means we are inside a longer word.
        if is_cjk(nxt) and nxt not in STOP and text[pos + 1] not in plausible:
            n = 1
    return n


def parse_cn_name(text: str, pos: int, strict: bool) -> tuple[int, float] | None:
    """(end, quality) of a surname+given name at `pos`, or None.

    `strict` requires every given character to be a known given-name
    character (weak cues, no cue); quality is 0..1 from surname rank and
    how common the given characters are.
    """
    ranks = surname_rank()
    two = text[pos : pos + 2]
    if len(two) < 2:
        return None
    if two in ranks and len(two) == 2 and ranks[two] > 100:
        slen = 2
    elif two[0] in ranks:
        slen = 1
    else:
        return None
    if (slen == 1 and two in NOT_NAMES) or two[0] in STOP:
        return None
    glen = _given_len(text, pos + slen, strict)
    if glen == 0:
        return None
    end = pos + slen + glen
    common, _ = given_chars()
    rank = ranks[text[pos : pos + slen]]
    quality = 0.5 if rank <= 100 else 0.35 if rank <= 200 else 0.2
    quality += 0.25 * sum(ch in common for ch in text[pos + slen : end]) / glen
    quality += 0.15 if slen + glen >= 3 else 0.0
    return end, min(1.0, quality)


def parse_nickname(text: str, pos: int) -> int | None:
    """End of a 小X/老X/阿X nickname at `pos` (only used after strong cues)."""
    two = text[pos : pos + 2]
    if len(two) < 2 or two[0] not in NICK_PREFIX or two in NOT_NICKS:
        return None
    if not is_cjk(two[1]) or two[1] in STOP:
        return None
    return pos + 2


class NameModel:
    """The cue-less name scorer shipped in data/person_model.tsv.

    A logistic regression over table look-ups (bench/train_person_model.py
    writes it): surname, given characters by position, left/right context
    characters and bigrams, and binned counts of the span's n-grams as
    ordinary (non-name) text. Scoring is a sum of dict lookups.
    """

    def __init__(self, text: str) -> None:
        tables: dict[str, dict[str, float]] = {}
        self.threshold = 0.5
        self.given = ""
        self.ngram: dict[str, int] = {}
        for line in text.splitlines():
            if not line or line[0] == "#":
                continue
            table, key, value = line.split("\t")
            if table == "meta" and key == "threshold":
                self.threshold = float(value)
            elif table == "given":
                self.given = value
            elif table == "ng":
                self.ngram[key] = int(value)
            else:
                tables.setdefault(table, {})[key] = float(value)
        self.given_set = frozenset(self.given)
        get = tables.get
        self.surname = get("s", {})
        self.single = get("g", {})
        self.first = get("a", {})
        self.second = get("z", {})
        self.left2 = get("LL", {})
        self.right2 = get("RR", {})
        f = get("f", {})
        n = get("n", {})
        self.bias = f.get("b", 0.0)
        self.len_bias = (0.0, n.get("1", 0.0), n.get("2", 0.0))
        self.given_words = tuple(f.get(f"wgg{b}", 0.0) for b in range(4))
        self.start_word = (
            (),
            tuple(f.get(f"ws1{b}", 0.0) for b in range(4)),
            tuple(f.get(f"ws2{b}", 0.0) for b in range(4)),
        )
        self.span_word = tuple(f.get(f"wt{b}", 0.0) for b in range(4))
        self.right_word = tuple(f.get(f"wr{b}", 0.0) for b in range(4))
        self.left_word = tuple(f.get(f"wl{b}", 0.0) for b in range(4))
        # Context character weight = own weight (frequent ones) + class weight.
        lcls, rcls = get("l", {}), get("r", {})
        self.left_class = dict(lcls)
        self.right_class = dict(rcls)
        self.left = {
            k: v + lcls.get(char_class(k), 0.0) for k, v in get("L", {}).items()
        }
        self.right = {
            k: v + rcls.get(char_class(k), 0.0) for k, v in get("R", {}).items()
        }


_PUNCT = frozenset("，。！？、；：,.!?;:（）()「」『』“”\"'《》〈〉【】[]…—-~～·/|")


def char_class(ch: str) -> str:
    """Context bucket; bench/train_person_model.py imports this same function."""
    if ch == "":
        return "^"
    if "\u4e00" <= ch <= "\u9fff":
        return "H"
    if ch in _PUNCT:
        return "P"
    if ch.isdigit():
        return "D"
    if ch.isspace():
        return "S"
    if ch.isascii() and ch.isalpha():
        return "A"
    return "O"


@cache
def name_model() -> NameModel:
    path = files("complydesk.pii").joinpath("data", "person_model.tsv")
    return NameModel(path.read_text("utf-8"))
