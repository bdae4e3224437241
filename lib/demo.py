"""The demo database of `python -m lib.cli demo`: a realistic, deterministic dealer network.

The data is *designed* so that every rule of domain.md §3 has something to show at the end
date, for any seed: territory plans are set from the dealers actually active so all four
lifecycle stages come out (R5); new dealers follow ramp profiles placed around the rules'
thresholds (R8, R9); some targets are deliberately out of reach (R7); some new dealers reuse an
earlier dealer's phone / tax id / bank account / address (R11). Amounts and dates are random
around that design: lognormal dealer sizes, per-dealer trends, Chinese New Year dip, year-end
peak, returns, lagging payments with reversals.

Determinism: one numpy Generator (default_rng(seed)) drawn in a fixed order; stable sorts only;
every table is inserted ORDER BY its key; nothing from DuckDB random() or thread order.
Speed: vectorised numpy per table, orders one calendar month at a time; DuckDB formats the
high-volume keys (lib/queries/demo_*.sql).
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
from fractions import Fraction
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from lib import db
from lib.periods import add_months, month_end, month_start, quarter_ends_before
from lib.rules_file import Rules, default_rules

# --- Geography: the 7 sales regions with their real provinces, a market-size weight (more
# territories for big provinces) and cities for territory, dealer and address names.
GEOGRAPHY = (
    ("华东", (
        ("上海", 2.0, ("上海",)),
        ("江苏", 5.0, ("南京", "苏州", "无锡", "常州", "南通", "徐州", "扬州")),
        ("浙江", 5.0, ("杭州", "宁波", "温州", "绍兴", "嘉兴", "金华", "台州")),
        ("安徽", 3.0, ("合肥", "芜湖", "蚌埠", "安庆")),
        ("福建", 3.0, ("福州", "厦门", "泉州", "漳州")),
        ("江西", 2.0, ("南昌", "赣州", "九江")),
        ("山东", 4.0, ("济南", "青岛", "烟台", "潍坊", "临沂", "济宁")),
    )),
    ("华南", (
        ("广东", 5.0, ("广州", "深圳", "佛山", "东莞", "珠海", "中山", "惠州", "汕头")),
        ("广西", 2.0, ("南宁", "柳州", "桂林")),
        ("海南", 1.0, ("海口", "三亚")),
    )),
    ("华北", (
        ("北京", 2.0, ("北京",)),
        ("天津", 1.5, ("天津",)),
        ("河北", 3.0, ("石家庄", "唐山", "保定", "廊坊", "邯郸")),
        ("山西", 2.0, ("太原", "大同", "运城")),
        ("内蒙古", 1.0, ("呼和浩特", "包头", "鄂尔多斯")),
    )),
    ("华中", (
        ("河南", 3.0, ("郑州", "洛阳", "新乡", "南阳")),
        ("湖北", 3.0, ("武汉", "宜昌", "襄阳")),
        ("湖南", 3.0, ("长沙", "株洲", "衡阳", "岳阳")),
    )),
    ("西南", (
        ("重庆", 2.0, ("重庆",)),
        ("四川", 3.0, ("成都", "绵阳", "宜宾", "南充")),
        ("贵州", 1.5, ("贵阳", "遵义")),
        ("云南", 2.0, ("昆明", "曲靖", "大理")),
        ("西藏", 0.5, ("拉萨",)),
    )),
    ("西北", (
        ("陕西", 2.0, ("西安", "宝鸡", "咸阳")),
        ("甘肃", 1.0, ("兰州", "天水")),
        ("青海", 0.5, ("西宁",)),
        ("宁夏", 0.5, ("银川",)),
        ("新疆", 1.0, ("乌鲁木齐", "喀什")),
    )),
    ("东北", (
        ("辽宁", 2.0, ("沈阳", "大连", "鞍山")),
        ("吉林", 1.0, ("长春", "吉林")),
        ("黑龙江", 1.5, ("哈尔滨", "大庆", "齐齐哈尔")),
    )),
)
MUNICIPALITIES = ("北京", "上海", "天津", "重庆")
AUTONOMOUS = {"内蒙古": "内蒙古自治区", "广西": "广西壮族自治区", "西藏": "西藏自治区",
              "宁夏": "宁夏回族自治区", "新疆": "新疆维吾尔自治区"}
# Administrative-division style codes, used as the area part of tax ids.
PROVINCE_CODES = {"北京": 11, "天津": 12, "河北": 13, "山西": 14, "内蒙古": 15, "辽宁": 21, "吉林": 22,
                  "黑龙江": 23, "上海": 31, "江苏": 32, "浙江": 33, "安徽": 34, "福建": 35, "江西": 36,
                  "山东": 37, "河南": 41, "湖北": 42, "湖南": 43, "广东": 44, "广西": 45, "海南": 46,
                  "重庆": 50, "四川": 51, "贵州": 52, "云南": 53, "西藏": 54, "陕西": 61, "甘肃": 62,
                  "青海": 63, "宁夏": 64, "新疆": 65}
TERRITORY_SUFFIXES = ("东区", "西区", "南区", "北区", "中心区", "新区", "高新区", "开发区", "滨江区",
                      "经开区", "港区", "城郊区")
CHINESE_NUMERALS = "一二三四五六七八九十"

SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
                 "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
                 "顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_NAMES = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
               "明", "超", "秀兰", "霞", "平", "刚", "桂英", "华", "建华", "建国", "志强", "晓东", "海燕",
               "红梅", "文博", "子涵", "浩然", "雨欣", "思远", "国强", "丽华", "立新", "永刚", "春梅",
               "志明", "晓明", "俊杰", "慧", "鑫", "宇", "婷", "斌", "辉", "鹏", "凯", "波", "玲", "倩",
               "颖", "林", "峰", "亮", "健", "琳", "晨", "佳怡", "嘉豪", "梓萱", "一鸣", "宏伟", "振华",
               "玉兰", "淑珍", "德明", "金凤")
BRANDS = ("恒达", "鑫盛", "永兴", "宏远", "金鼎", "华泰", "隆昌", "盛世", "新锐", "广源", "瑞丰", "汇通",
          "嘉禾", "德顺", "万家", "富华", "联合", "百川", "东方", "天成", "中正", "祥和", "荣盛", "宝丰",
          "安泰", "兴旺", "信诚", "佳美", "博雅", "同创")
INDUSTRIES = ("建材", "五金", "陶瓷", "卫浴", "装饰材料", "管业", "涂料", "家居", "水暖", "灯饰")
COMPANY_SUFFIXES = ("商行", "经营部", "有限公司", "贸易有限公司", "批发部", "建材城", "门市部")
ROADS = ("人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "胜利路", "文化路", "青年路", "长江路",
         "黄河路", "朝阳路", "光明路", "幸福路", "工业路", "滨河路", "振兴路", "迎宾路", "友谊路", "府前路")
MOBILE_PREFIXES = ("138", "139", "158", "159", "186", "187", "135", "136", "150", "151", "188", "189",
                   "137", "177", "180", "181")
CHANNELS = ("批发", "零售", "工程")
CHANNEL_SHARE = (0.50, 0.35, 0.15)
CHANNEL_SIZE = (1.0, 0.6, 1.6)  # project (工程) dealers buy in bigger lots than retail shops
PRODUCT_LINES = ("瓷砖", "卫浴", "橱柜", "涂料", "管材", "五金")
PRODUCT_SHARE = (0.30, 0.20, 0.10, 0.15, 0.15, 0.10)
UNIT_PRICE = (60.0, 900.0, 3000.0, 300.0, 40.0, 25.0)  # yuan per unit, for a plausible quantity
LOST_REASONS = ("价格没谈拢", "选择了竞争对手", "资金不足", "客户放弃经营", "区域冲突", "信用评估未通过")

# Sales by calendar month: Chinese New Year dip in Jan/Feb, peak before year end (stocking up
# and closing the year's targets).
SEASON = np.array([0.80, 0.55, 0.95, 1.00, 1.02, 1.05, 0.95, 0.97, 1.05, 1.08, 1.20, 1.38])

# Territory plans (R5). Each territory gets a kind; planned_dealers is then set from the dealers
# actually active so the kind's lifecycle stage comes out at the end date.
DEVELOPMENT, MAINTENANCE, MINING_GROWTH, MINING_CHURN, ELEVATION = range(5)
KIND_SHARE = (0.30, 0.25, 0.15, 0.10, 0.20)
NEW_DEALER_SHARE = (0.55, 0.25, 0.35, 0.35, 0.10)  # developing territories sign the most

# New-dealer ramp profiles (R8): a = every window month >= X; b = first month >= XX;
# b1 = cumulative >= XX in the second month; never = small amounts; late = first order more than
# the allowed months after signing (big amounts, yet never a success).
PROFILE_A, PROFILE_B, PROFILE_B1, PROFILE_NEVER, PROFILE_LATE, PROFILE_ESTABLISHED = range(6)
PROFILE_PATTERN = (PROFILE_A, PROFILE_B, PROFILE_NEVER, PROFILE_B1, PROFILE_A, PROFILE_NEVER,
                   PROFILE_B, PROFILE_A, PROFILE_NEVER, PROFILE_B, PROFILE_B1, PROFILE_NEVER)
DUPLICATE_MATCHES = (("phone",), ("tax_id",), ("bank_account",), ("address",), ("phone", "address"),
                     ("tax_id", "bank_account"))

ORDERS_PER_DEALER_MONTH = 14.3  # 20,000 dealers x 36 months -> about 10.3 million orders
ORDER_BATCH = 400_000  # rows per INSERT of orders
NO_DAY = np.iinfo(np.int64).max // 4  # "never" (no termination) in day arithmetic
EPOCH = dt.date(1970, 1, 1)


def build_demo(
    path: Path | str,
    seed: int = 7,
    dealers: int = 800,
    months: int = 36,
    end: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    rules: Rules | None = None,
) -> dict[str, int]:
    """Write the demo database to `path` (replacing it); return rows per table.

    Covers `months` whole months ending with the month of `end` (default: last month). Built
    into PATH.building and moved over PATH only when complete, so a failure never leaves a
    half-built database. `rules` (default: the shipped ones) only places the designed cases
    around the thresholds; the data itself does not depend on a user's rules file.
    """
    if dealers < 1 or months < 1:
        raise ValueError("dealers and months must be at least 1")
    report = progress or (lambda message: None)
    end = month_start(end or add_months(dt.date.today(), -1))
    target = Path(path)
    building = target.with_name(target.name + ".building")
    _remove_database(building)
    con = db.open_for_write(building)
    try:
        counts = _Builder(con, np.random.default_rng(seed), dealers, months, end, rules or default_rules(),
                          report).build()
        con.execute("CHECKPOINT")
        con.close()
        # A write-ahead log left by the old file would be replayed onto the new one.
        _remove_database(target, wal_only=True)
        os.replace(building, target)
    except BaseException:
        con.close()
        _remove_database(building)
        raise
    report(f"demo database written: {target}")
    return counts


def _remove_database(path: Path, wal_only: bool = False) -> None:
    for file in ((Path(str(path) + ".wal"),) if wal_only else (path, Path(str(path) + ".wal"))):
        if file.exists():
            file.unlink()


def _day(day: dt.date) -> int:
    return (day - EPOCH).days


def _date(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def _largest_remainder(total: int, weights) -> np.ndarray:
    """Split `total` into integers proportional to `weights` (deterministic, ties by position)."""
    weights = np.asarray(weights, dtype=float)
    quota = total * weights / weights.sum()
    base = np.floor(quota).astype(np.int64)
    order = np.lexsort((np.arange(len(weights)), -(quota - base)))
    base[order[: total - int(base.sum())]] += 1
    return base


def _codes(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """'JX' + zero-padded number, vectorised."""
    return np.strings.add(prefix, np.strings.zfill(np.asarray(numbers).astype(np.int64).astype("U"), width))


def _digits(numbers: np.ndarray, width: int) -> np.ndarray:
    return np.strings.zfill(np.asarray(numbers).astype(np.int64).astype("U"), width)


def _group4(text: np.ndarray) -> np.ndarray:
    """'6222021001234567890' -> '6222 0210 0123 4567 890' (how people type long numbers)."""
    parts = [np.strings.slice(text, i, i + 4) for i in range(0, 20, 4)]
    out = parts[0]
    for part in parts[1:]:
        out = np.strings.add(out, np.where(np.strings.str_len(part) > 0, np.strings.add(" ", part), ""))
    return out


def _pick(options, index: np.ndarray) -> np.ndarray:
    return np.asarray(options)[index]


def _dates(days: np.ndarray) -> pd.Series:
    """Day numbers (NO_DAY = empty) as a datetime column DuckDB reads with NULLs."""
    days = np.asarray(days, dtype=np.int64)
    values = np.where(days >= NO_DAY, np.datetime64("NaT"), days.astype("datetime64[D]"))
    return pd.Series(values.astype("datetime64[s]"))


def _cents(values: np.ndarray, empty: np.ndarray | None = None) -> pd.arrays.IntegerArray:
    mask = np.zeros(len(values), dtype=bool) if empty is None else empty
    return pd.arrays.IntegerArray(np.asarray(values, dtype=np.int64), mask)


def _unique_numbers(rng: np.random.Generator, count: int, modulus: int) -> np.ndarray:
    """`count` distinct pseudo-random numbers below `modulus` (a power of ten, at most 10**9).

    i -> (a*i + b) mod 10**k is a bijection when a is coprime to 10, so the values are distinct
    for count <= modulus without any set of seen values.
    """
    multiplier = int(rng.integers(modulus // 10, modulus // 2)) | 1
    while multiplier % 5 == 0:
        multiplier += 2
    offset = int(rng.integers(0, modulus))
    index = np.arange(count, dtype=np.int64)  # count * modulus stays far inside int64
    return (index * multiplier + offset) % modulus


class _Builder:
    """One build: draws everything in a fixed order and inserts table by table."""

    def __init__(self, con, rng: np.random.Generator, dealers: int, months: int, end: dt.date,
                 rules: Rules, progress: Callable[[str], None]):
        self.con, self.rng, self.n, self.months, self.rules, self.progress = con, rng, dealers, months, rules, progress
        self.start = add_months(end, -(months - 1))
        self.end = end
        self.last_day = _day(month_end(end))  # D: the data's last day, an order falls on it
        firsts = [add_months(self.start, m) for m in range(months + 1)]
        self.month_first = np.array([_day(d) for d in firsts[:-1]], dtype=np.int64)
        self.month_last = np.array([_day(d) - 1 for d in firsts[1:]], dtype=np.int64)
        self.month_days = self.month_last - self.month_first + 1
        self.month_of_year = np.array([d.month for d in firsts[:-1]])
        self.month_year = np.array([d.year for d in firsts[:-1]])
        life = rules["lifecycle"]
        # D and the quarter-ends before it that the elevation stage looks at.
        self.checkpoints = np.array(
            [self.last_day] + [_day(q) for q in quarter_ends_before(month_end(end), life["elevation_quarters"] - 1)],
            dtype=np.int64,
        )
        self.earliest_checkpoint = int(self.checkpoints.min())

    # --- helpers -----------------------------------------------------------------------------

    def _month_index(self, days: np.ndarray) -> np.ndarray:
        """Window month of each day (-1 before the window)."""
        return np.searchsorted(self.month_first, days, side="right") - 1

    def _insert(self, name: str, frame: pd.DataFrame, params: dict | None = None) -> None:
        """Run lib/queries/NAME.sql, which reads the frame registered as NAME, in key order."""
        self.con.register(name, frame)
        try:
            self.con.execute(db.load_sql(name), params or {})
        finally:
            self.con.unregister(name)

    def _names(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        surname = self.rng.integers(0, len(SURNAMES), count)
        given = self.rng.integers(0, len(GIVEN_NAMES), count)
        return np.strings.add(_pick(SURNAMES, surname), _pick(GIVEN_NAMES, given)), surname

    # --- the build ---------------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        self.progress(f"demo: {self.n:,} dealers, {self.months} months "
                      f"{self.start:%Y-%m}..{self.end:%Y-%m}")
        self._territories()
        self._salespeople()
        self._dealers()
        self._plan_territories()
        self._insert_territories()
        self._insert_salespeople()
        self._insert_dealers()
        self.progress("territories, salespeople, dealers written")
        self._monthly_sales()
        self._orders()
        self._payments()
        self._targets()
        self._opportunities()
        counts = db.table_counts(self.con)
        self._insert("demo_import_log", pd.DataFrame({"x": [0]}), {
            # Derived from the end month so a rebuild is identical, not from the clock.
            "imported_at": dt.datetime.combine(_date(self.last_day + 1), dt.time(6, 0)),
            "counts": json.dumps({t: {"inserted": n, "updated": 0} for t, n in counts.items()}),
        })
        return counts

    # --- territories -------------------------------------------------------------------------

    def _territories(self) -> None:
        rng = self.rng
        provinces = [(region, province, weight, cities)
                     for region, members in GEOGRAPHY for province, weight, cities in members]
        count = max(40, round(self.n / 20))
        if count >= len(provinces):  # every province has a territory, big provinces more
            per_province = 1 + _largest_remainder(count - len(provinces), [p[2] for p in provinces])
        else:
            per_province = _largest_remainder(count, [p[2] for p in provinces])
        region, province, city, name = [], [], [], []
        for p, ((reg, prov, _, cities), k) in enumerate(zip(provinces, per_province)):  # 31 provinces
            for i in range(int(k)):
                place, j = cities[i % len(cities)], i // len(cities)
                # Rotated per city for variety; distinct within a city (j < 12 gives 12 names).
                suffix = TERRITORY_SUFFIXES[(j + 5 * p + i % len(cities)) % len(TERRITORY_SUFFIXES)]
                if j >= len(TERRITORY_SUFFIXES):  # 东区, ..., then 东二区
                    suffix = suffix[:-1] + CHINESE_NUMERALS[min(j // len(TERRITORY_SUFFIXES), 9)] + "区"
                region.append(reg), province.append(prov), city.append(place), name.append(place + suffix)
        self.t_count = len(name)
        self.t_region = np.array(region)
        self.t_province = np.array(province)
        self.t_city = np.array(city)
        self.t_name = np.array(name)
        self.t_suffix = np.array([n[len(c):] for n, c in zip(name, city)])
        self.t_width = max(3, len(str(self.t_count)))
        self.t_id = _codes("T", np.arange(1, self.t_count + 1), self.t_width)
        kinds = np.repeat(np.arange(5), np.maximum(1, _largest_remainder(self.t_count, KIND_SHARE)))
        self.t_kind = kinds[: self.t_count][rng.permutation(self.t_count)]
        # Established dealers all signed before this day: before the data window (so their first
        # order in the data is long after signing) and before every elevation checkpoint.
        self.established_before = min(_day(add_months(self.start, -7)), self.earliest_checkpoint)
        developing = self.t_kind == DEVELOPMENT
        age = np.where(developing, rng.integers(240, 900, self.t_count), rng.integers(1100, 4000, self.t_count))
        self.t_opened = self.established_before - age

    # --- salespeople -------------------------------------------------------------------------

    def _salespeople(self) -> None:
        """Rep positions (slots) per territory; some reps left and were replaced during the data."""
        rng = self.rng
        slots = max(self.t_count, round(self.n / 14))
        weight = rng.lognormal(0.0, 0.45, self.t_count)
        minimum = 4 if self.n >= 4 * self.t_count else self.n // self.t_count
        self.t_dealers = minimum + _largest_remainder(self.n - minimum * self.t_count, weight)
        busiest = np.argsort(-self.t_dealers, kind="stable")
        self.slot_territory = np.sort(np.concatenate([np.arange(self.t_count), np.resize(busiest, slots - self.t_count)]))
        self.slot_count = slots
        self.t_first_slot = np.searchsorted(self.slot_territory, np.arange(self.t_count))
        self.t_slots = np.bincount(self.slot_territory, minlength=self.t_count)
        leavers = np.sort(rng.choice(slots, size=max(1, round(0.1 * slots)), replace=False))
        first, last = _day(self.start) + 60, self.last_day - 45
        left_on = first + rng.integers(0, max(1, last - first), len(leavers))
        self.slot_handover = np.full(slots, NO_DAY, dtype=np.int64)  # day the replacement took over
        self.slot_handover[leavers] = left_on - rng.integers(0, 21, len(leavers))
        self.slot_replacement = np.arange(slots)
        self.slot_replacement[leavers] = slots + np.arange(len(leavers))
        reps = slots + len(leavers)
        self.rep_hired = np.concatenate([_day(self.start) - rng.integers(30, 3000, slots), self.slot_handover[leavers]])
        self.rep_left = np.full(reps, NO_DAY, dtype=np.int64)
        self.rep_left[leavers] = left_on
        self.rep_slot = np.concatenate([np.arange(slots), leavers])
        self.rep_count = reps

    def _holder(self, slot: np.ndarray, day: np.ndarray) -> np.ndarray:
        """The rep holding a slot on a day."""
        return np.where(day < self.slot_handover[slot], slot, self.slot_replacement[slot])

    # --- dealers -----------------------------------------------------------------------------

    def _dealers(self) -> None:
        rng, n, months = self.rng, self.n, self.months
        lc = self.rules["lifecycle"]
        counts = self.t_dealers
        kind = self.t_kind
        churners = np.maximum(1, np.ceil(counts * max(0.2, 3 * lc["elevation_max_churn"]))).astype(np.int64)
        new = np.rint(counts * np.array(NEW_DEALER_SHARE)[kind]).astype(np.int64)
        # Keep enough established dealers for each plan to be reachable (see _plan_territories).
        keep = np.select([kind == MAINTENANCE, kind == MINING_CHURN, kind == ELEVATION, kind == MINING_GROWTH],
                         [3, churners + 1, 2, 1], 0)
        new = np.clip(new, np.where(kind == MINING_GROWTH, 1, 0), np.maximum(0, counts - keep))
        new = np.minimum(new, counts)
        self.t_churners = churners

        terr = np.repeat(np.arange(self.t_count), counts)
        within = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)
        established_count = (counts - new)[terr]
        is_new = within >= established_count
        d_kind = kind[terr]
        slot = self.t_first_slot[terr] + (rng.random(n) * self.t_slots[terr]).astype(np.int64)

        opened = self.t_opened[terr]
        signed = opened + (rng.random(n) * (self.established_before - opened)).astype(np.int64)
        # New dealers sign during the window; in growing mining territories after the first
        # elevation checkpoint, so coverage there was lower at some earlier quarter-end.
        growth_from = max(0, int(np.searchsorted(self.month_first, self.earliest_checkpoint, side="right")))
        low = np.where(d_kind == MINING_GROWTH, min(growth_from, months - 1), 0)
        sign_month = low + (rng.random(n) * (months - low)).astype(np.int64)
        sign_day = self.month_first[sign_month] + (rng.random(n) * self.month_days[sign_month]).astype(np.int64)
        signed = np.where(is_new, np.minimum(sign_day, self.last_day), signed)

        # Two new dealers of different reps sign early in the last month with a big first order:
        # both succeed (rule b) in the last month, so the default contest month has a tie.
        forced = np.zeros(n, dtype=bool)
        candidates = rng.permutation(np.flatnonzero(is_new))
        if len(candidates) >= 2:
            first = candidates[0]
            other = candidates[slot[candidates] != slot[first]]
            if len(other):
                pair = np.array([first, other[0]])
                forced[pair] = True
                signed[pair] = self.month_first[-1] + rng.integers(0, min(10, int(self.month_days[-1])), 2)

        # Dealer ids follow signing order (earliest = JX00001), as an ERP numbers customers.
        order = np.lexsort((within, terr, signed))
        self.d_terr, self.d_within, self.d_new, self.d_kind = terr[order], within[order], is_new[order], d_kind[order]
        self.d_slot, self.d_signed, self.d_forced = slot[order], signed[order], forced[order]
        self.d_owner = self.slot_replacement[self.d_slot]  # today's holder of the slot
        self.d_width = max(5, len(str(n)))
        self.d_id = _codes("JX", np.arange(1, n + 1), self.d_width)
        self.d_sign_month = np.maximum(self._month_index(self.d_signed), -1)
        self._profiles()
        self._duplicates()
        self._guard_contest_tie()
        self._terminations()
        self._economics()

    def _profiles(self) -> None:
        rng, n, months = self.rng, self.n, self.months
        profile = np.full(n, PROFILE_ESTABLISHED)
        new = np.flatnonzero(self.d_new)
        profile[new] = np.array(PROFILE_PATTERN)[np.arange(len(new)) % len(PROFILE_PATTERN)]
        lag = np.zeros(n, dtype=np.int64)
        lag[new] = np.where(rng.random(len(new)) < 0.7, 0, 1)
        never = profile == PROFILE_NEVER
        lag[never] = rng.integers(0, 3, int(never.sum()))
        profile[self.d_forced], lag[self.d_forced] = PROFILE_B, 0
        # First order more than the allowed months after signing: one in 25, at least one.
        allowed = self.rules["new_dealer"]["max_months_to_first_order"]
        eligible = np.flatnonzero(self.d_new & ~self.d_forced & (self.d_sign_month <= months - allowed - 3))
        late = eligible[np.arange(len(eligible)) % 25 == 12]
        if len(late) == 0 and len(eligible):
            late = eligible[[len(eligible) // 2]]
        profile[late] = PROFILE_LATE
        lag[late] = allowed + 1 + rng.integers(0, 2, len(late))
        self.d_profile, self.d_lag = profile, lag

    def _duplicates(self) -> None:
        """Some new dealers reuse an earlier dealer's identity (R11); a third were cleared."""
        rng, n = self.rng, self.n
        self.d_duplicate_of = np.full(n, -1)
        self.d_match = np.full(n, -1)
        self.d_approved = np.zeros(n, dtype=bool)
        candidates = np.flatnonzero(self.d_new & ~self.d_forced & (self.d_profile != PROFILE_LATE))
        count = min(len(candidates), max(4, round(0.045 * len(np.flatnonzero(self.d_new)))))
        if count == 0:
            return
        picks = np.sort(rng.choice(candidates, size=count, replace=False))
        established = np.flatnonzero(~self.d_new)
        if len(established) >= count:  # each original copied once
            originals = rng.choice(established, size=count, replace=False)
        else:  # no established dealer: an earlier-signed one (ids follow signing order)
            originals = (rng.random(count) * picks).astype(np.int64)
        valid = originals < picks
        picks, originals, k = picks[valid], originals[valid], np.arange(count)[valid]
        self.d_duplicate_of[picks] = originals
        self.d_match[picks] = k % len(DUPLICATE_MATCHES)
        self.d_approved[picks] = k % 3 == 1
        # Half of them succeed as new dealers, so the contest's duplicate exclusion shows.
        self.d_profile[picks[k % 4 == 0]] = PROFILE_B
        self.d_profile[picks[k % 4 == 2]] = PROFILE_A

    def _success_month(self) -> np.ndarray:
        """Window month of R8 success as designed by the profile (-1: none within the data)."""
        first = self.d_sign_month + self.d_lag
        offset = np.select([self.d_profile == PROFILE_A, self.d_profile == PROFILE_B, self.d_profile == PROFILE_B1],
                           [2, 0, 1], -1)
        month = np.where(offset >= 0, first + offset, -1)
        return np.where(self.d_new & (month < self.months), month, -1)

    def _guard_contest_tie(self) -> None:
        """The two forced reps get exactly one success each in the last month."""
        forced = np.flatnonzero(self.d_forced)
        if len(forced) < 2:
            return
        success = self._success_month()
        clash = np.isin(self.d_owner, self.d_owner[forced]) & (success == self.months - 1) & ~self.d_forced
        self.d_profile[clash] = PROFILE_NEVER

    def _terminations(self) -> None:
        rng, n = self.rng, self.n
        start, last = _day(self.start), self.last_day
        established = ~self.d_new
        kind = self.d_kind
        u, when = rng.random(n), rng.random(n)
        term = np.full(n, NO_DAY, dtype=np.int64)

        def between(mask, first, final):
            if final >= first:
                term[mask] = first + (when[mask] * (final - first + 1)).astype(np.int64)

        between(established & (kind == DEVELOPMENT) & (u < 0.08), start, last)
        # Keep three established dealers in maintenance territories so the band is reachable.
        between(established & (kind == MAINTENANCE) & (self.d_within >= 3) & (u < 0.12), start, last)
        between(established & (kind == MINING_GROWTH) & (u < 0.06), start, self.earliest_checkpoint - 1)
        # High-churn territories: a fixed share of dealers terminated in the last 12 months.
        between(established & (kind == MINING_CHURN) & (self.d_within < self.t_churners[self.d_terr]),
                last - 364, last)
        # Elevation needs low churn: terminations only before the 12-month churn window.
        between(established & (kind == ELEVATION) & (self.d_within >= 2) & (u < 0.05), start, last - 365)
        # New dealers that never took off are weeded out after 8..14 months.
        weeded = self.d_new & (kind == DEVELOPMENT) & (self.d_profile == PROFILE_NEVER) & (u < 0.35)
        term[weeded] = self.d_signed[weeded] + 240 + (when[weeded] * 180).astype(np.int64)
        term[term > last] = NO_DAY
        self.d_term = term
        # A few dealers stopped ordering 3..15 months ago without being terminated (dormant);
        # the first since before this year, so this year's active rate is below 1 (R13).
        steady = np.flatnonzero(established & (term == NO_DAY))
        dormant = np.sort(rng.choice(steady, size=min(len(steady), max(1, round(0.03 * len(steady)))), replace=False))
        quiet_months = 3 + rng.integers(0, 13, len(dormant))
        quiet_months[:1] = self.end.month + 2
        self.d_dormant_from = np.full(n, self.months)
        self.d_dormant_from[dormant] = np.maximum(0, self.months - quiet_months)

    def _economics(self) -> None:
        rng, n = self.rng, self.n
        self.d_channel = rng.choice(len(CHANNELS), size=n, p=CHANNEL_SHARE)
        size = np.where(self.d_new, rng.lognormal(math.log(40_000), 0.8, n), rng.lognormal(math.log(60_000), 1.2, n))
        self.d_size = size * np.array(CHANNEL_SIZE)[self.d_channel]  # yuan per month, today
        # Yearly log-growth: most drift, some grow or shrink fast, so tiers move both ways.
        trend = rng.normal(0.03, 0.15, n)
        kind = rng.random(n)
        self.d_trend = trend + np.where(kind < 0.12, 0.35, 0.0) - np.where(kind > 0.88, 0.35, 0.0)
        self.d_skip = np.where(rng.random(n) < 0.15, 0.2, 0.015)  # chance of a month without orders
        self.d_pays = np.where(rng.random(n) < 0.12, rng.uniform(0.5, 0.85, n), rng.uniform(0.88, 1.0, n))

    # --- territory plans (R5) ----------------------------------------------------------------

    def _active_on(self, day: int) -> np.ndarray:
        return np.bincount(self.d_terr[(self.d_signed <= day) & (self.d_term > day)], minlength=self.t_count)

    def _plan_territories(self) -> None:
        """planned_dealers so each territory's kind gives its lifecycle stage at the end date.

        Exact integer arithmetic against the rules' thresholds: coverage a/p >= t <=> a*den >= num*p.
        """
        rng = self.rng
        lc = self.rules["lifecycle"]
        maintenance = Fraction(str(lc["maintenance_coverage"]))
        mining = Fraction(str(lc["mining_coverage"]))
        active = self._active_on(self.last_day)
        lowest = np.min([self._active_on(int(day)) for day in self.checkpoints], axis=0)

        def most_with_coverage(a, t):  # the largest p with a/p >= t
            return (a * t.denominator) // max(t.numerator, 1)

        dev_target = rng.uniform(0.35, max(0.36, float(maintenance) - 0.05), self.t_count)
        maint_target = rng.uniform(float(maintenance) + 0.02, max(float(maintenance) + 0.03, float(mining) - 0.02),
                                   self.t_count)
        development = np.maximum(np.ceil(active / dev_target), most_with_coverage(active, maintenance) + 1)
        below_mining = most_with_coverage(active, mining) + 1
        maintained = np.clip(np.rint(active / maint_target), below_mining, most_with_coverage(active, maintenance))
        planned = np.select(
            [self.t_kind == DEVELOPMENT, self.t_kind == MAINTENANCE, self.t_kind == ELEVATION],
            [development, maintained, most_with_coverage(lowest, mining)],
            most_with_coverage(active, mining),  # both mining kinds
        )
        self.t_planned = np.maximum(planned, 1).astype(np.int64)

    # --- inserts of the small tables ---------------------------------------------------------

    def _insert_territories(self) -> None:
        self._insert("demo_territories", pd.DataFrame({
            "territory_id": self.t_id, "territory_name": self.t_name, "province": self.t_province,
            "region": self.t_region, "planned_dealers": self.t_planned, "opened_on": _dates(self.t_opened),
        }))

    def _insert_salespeople(self) -> None:
        rng = self.rng
        regions = [r for r, _ in GEOGRAPHY]
        staff = 1 + len(regions) + self.rep_count
        self.staff_width = max(4, len(str(staff)))
        ids = _codes("E", np.arange(1, staff + 1), self.staff_width)
        total = len(SURNAMES) * len(GIVEN_NAMES)
        combos = rng.choice(total, size=staff, replace=staff > total)  # unique names while they last
        names = np.strings.add(_pick(SURNAMES, combos // len(GIVEN_NAMES)), _pick(GIVEN_NAMES, combos % len(GIVEN_NAMES)))
        region_home = np.array([int(np.flatnonzero(self.t_region == r)[0]) for r in regions])
        region_index = {r: i for i, r in enumerate(regions)}
        manager_of_territory = np.array([region_index[r] for r in self.t_region])
        rep_territory = self.slot_territory[self.rep_slot]
        start = _day(self.start)
        self.rep_ids = ids[1 + len(regions):]
        self.rep_numbers = np.arange(self.rep_count) + 2 + len(regions)  # E-number of each rep
        self._insert("demo_salespeople", pd.DataFrame({
            "salesperson_id": ids,
            "name": names,
            "role": ["director"] + ["manager"] * len(regions) + ["rep"] * self.rep_count,
            "territory_id": np.concatenate([[None], self.t_id[region_home], self.t_id[rep_territory]]),
            "manager_id": np.concatenate([[None], [ids[0]] * len(regions), ids[1 + manager_of_territory[rep_territory]]]),
            "hired_on": _dates(np.concatenate([[start - 4200], start - rng.integers(2000, 5000, len(regions)),
                                                self.rep_hired])),
            "left_on": _dates(np.concatenate([[NO_DAY] * (1 + len(regions)), self.rep_left])),
        }))

    def _insert_dealers(self) -> None:
        rng, n = self.rng, self.n
        terr = self.d_terr
        city = self.t_city[terr]
        # Name parts kept as indices: the signed opportunities repeat the dealer's name.
        self.d_name_parts = np.stack([rng.integers(0, len(BRANDS), n), rng.integers(0, len(INDUSTRIES), n),
                                      rng.integers(0, len(COMPANY_SUFFIXES), n)])
        brand, industry, suffix = self.d_name_parts
        name = np.strings.add(np.strings.add(city, _pick(BRANDS, brand)),
                              np.strings.add(_pick(INDUSTRIES, industry), _pick(COMPANY_SUFFIXES, suffix)))
        contact, contact_surname = self._names(n)

        # Identities: unique by construction (affine bijections), so only designed duplicates match.
        mobile = _pick(MOBILE_PREFIXES, rng.integers(0, len(MOBILE_PREFIXES), n))
        tail = _unique_numbers(rng, n, 10 ** 8)
        plain_phone = np.strings.add(mobile, _digits(tail, 8))
        dashed_phone = np.strings.add(np.strings.add(mobile, "-"),
                                      np.strings.add(np.strings.add(_digits(tail // 10_000, 4), "-"),
                                                     _digits(tail % 10_000, 4)))
        spaced_phone = np.strings.add(np.strings.add("+86 ", mobile),
                                      np.strings.add(np.strings.add(" ", _digits(tail // 10_000, 4)),
                                                     np.strings.add(" ", _digits(tail % 10_000, 4))))
        province_code = np.array([PROVINCE_CODES[p] for p in self.t_province])[terr]
        serial = _digits(_unique_numbers(rng, n, 10 ** 7), 7)
        check = _pick(tuple("0123456789ABCDEFGHJKLMNPQRTUWXY"), rng.integers(0, 31, n))
        tax_head = np.strings.add("91", np.strings.add(_digits(province_code, 2), "0100"))
        tax_plain = np.strings.add(np.strings.add(tax_head, "MA"), np.strings.add(serial, check))
        branch = _digits(rng.integers(0, 10 ** 6, n), 6)
        account_tail = _digits(_unique_numbers(rng, n, 10 ** 9), 9)
        bank = np.strings.add(np.strings.add("6222", branch), account_tail)
        dashed_bank = np.strings.add(np.strings.add("6222-", branch), np.strings.add("-", account_tail))
        prefix = np.array([p + "市" if p in MUNICIPALITIES else AUTONOMOUS.get(p, p + "省") + c + "市"
                           for p, c in zip(self.t_province, self.t_city)])[terr]
        within = self.d_within
        road = _pick(ROADS, (within + terr * 7) % len(ROADS))
        number = 1 + 12 * (within // len(ROADS)) + (within * 7 + terr) % 12  # unique per road
        street = np.strings.add(road, np.strings.add(number.astype("U"), "号"))
        area = np.strings.add(prefix, self.t_suffix[terr])
        address = np.strings.add(area, street)
        punctuated = np.strings.add(np.strings.add(area, "，"),
                                    np.strings.add(np.strings.add(road, " "), np.strings.add(number.astype("U"), " 号。")))

        u = rng.random(n)
        phone = np.where(u < 0.2, dashed_phone, plain_phone).astype(object)
        phone[u > 0.95] = None
        tax = tax_plain.astype(object)
        tax[rng.random(n) < 0.03] = None
        bank = np.where(rng.random(n) < 0.3, _group4(bank), bank).astype(object)
        address = address.astype(object)

        # Designed duplicates (R11): the later dealer carries the earlier one's value with
        # different punctuation, spacing or case, so only normalisation reveals the match.
        dup = np.flatnonzero(self.d_duplicate_of >= 0)
        orig = self.d_duplicate_of[dup]
        matches = [DUPLICATE_MATCHES[m] for m in self.d_match[dup]]
        for field in ("phone", "tax_id", "bank_account", "address"):
            uses = np.array([field in fields for fields in matches], dtype=bool)
            d, o = dup[uses], orig[uses]
            if field == "phone":
                phone[o] = plain_phone[o]
                phone[d] = spaced_phone[o]
            elif field == "tax_id":
                tax[o] = tax_plain[o]
                tax[d] = _group4(np.strings.lower(tax_plain[o]))
            elif field == "bank_account":
                bank[d] = dashed_bank[o]
            else:
                address[d] = punctuated[o]
        # A relative's name on the duplicate: same surname as the original's contact.
        given = _pick(GIVEN_NAMES, rng.integers(0, len(GIVEN_NAMES), len(dup)))
        contact[dup] = np.strings.add(_pick(SURNAMES, contact_surname[orig]), given)

        active_at_end = self.d_term == NO_DAY
        year_end = _day(dt.date(self.end.year, 12, 31))
        next_year_end = _day(dt.date(self.end.year + 1, 12, 31))
        some_month_end = np.array([_day(month_end(add_months(self.end, k))) for k in range(12)])
        u = rng.random(n)
        spread = some_month_end[rng.integers(0, 12, n)]
        lapsed = self.last_day - rng.integers(10, 300, n)  # still trading on an expired contract
        lapsed = np.where(lapsed > self.d_signed + 180, lapsed, year_end)
        # Contracts bunch on Dec 31 (R12): renewals at year end, a few multi-year, some spread.
        contract_end = np.select([u < 0.62, u < 0.74, u < 0.93, u < 0.96],
                                 [year_end, next_year_end, spread, lapsed], NO_DAY)
        # Terminated dealers: the contract of their last year.
        terminated_year = np.where(active_at_end, 0, self.d_term).astype("datetime64[D]").astype("datetime64[Y]")
        terminated_year_end = ((terminated_year + 1).astype("datetime64[D]") - 1).astype(np.int64)
        contract_end = np.where(active_at_end, contract_end, terminated_year_end)

        self.d_name = name
        self._insert("demo_dealers", pd.DataFrame({
            "dealer_id": self.d_id,
            "dealer_name": name,
            "territory_id": self.t_id[terr],
            "salesperson_id": self.rep_ids[self.d_owner],
            "channel": _pick(CHANNELS, self.d_channel),
            "signed_on": _dates(self.d_signed),
            "contract_end": _dates(contract_end),
            "status": np.where(active_at_end, "active", "terminated"),
            "terminated_on": _dates(self.d_term),
            "contact_name": contact,
            "phone": phone,
            "address": address,
            "tax_id": tax,
            "bank_account": bank,
            "approved_new": self.d_approved,
        }))

    # --- monthly sales per dealer ------------------------------------------------------------

    def _monthly_sales(self) -> None:
        """Cents per dealer and month (exact totals the orders are split from), and order counts."""
        rng, n, months = self.rng, self.n, self.months
        nd = self.rules["new_dealer"]
        x_cents, xx_cents = round(nd["monthly_min"] * 100), round(nd["window_total"] * 100)
        month = np.arange(months)[None, :]
        lo = np.maximum(self.month_first[None, :], self.d_signed[:, None])
        hi = np.minimum(self.month_last[None, :], self.d_term[:, None] - 1)
        valid = lo <= hi
        share = np.where(valid, (hi - lo + 1) / self.month_days[None, :], 0.0)
        season = SEASON[self.month_of_year - 1][None, :]
        yuan = (self.d_size[:, None] * np.exp(self.d_trend[:, None] * (month - (months - 1)) / 12) * season
                * rng.lognormal(0.0, 0.25, (n, months)) * share)
        # Orders fade in the months before a termination.
        to_end = np.where(self.d_term[:, None] == NO_DAY, 99, self._month_index(self.d_term)[:, None] - month)
        yuan *= np.select([to_end == 0, to_end == 1, to_end == 2, to_end == 3], [0.3, 0.45, 0.65, 0.85], 1.0)
        quiet = (rng.random((n, months)) < self.d_skip[:, None]) | (month >= self.d_dormant_from[:, None])
        # New dealers: nothing before the first order month, then the profile's window, then a ramp.
        first = np.where(self.d_new, self.d_sign_month + self.d_lag, -1)
        since = month - first[:, None]
        yuan = np.where(self.d_new[:, None], yuan * np.clip(0.6 + 0.1 * (since - 3), 0.6, 1.0), yuan)
        yuan[self.d_new[:, None] & (since < 0)] = 0.0
        # The anchor (the biggest steady dealer) orders every month, and on the data's last day.
        steady = np.flatnonzero(~self.d_new & (self.d_term == NO_DAY) & (self.d_dormant_from >= months))
        self.anchor = int(steady[np.argmax(self.d_size[steady])]) if len(steady) else -1
        if self.anchor >= 0:
            quiet[self.anchor] = False
        yuan[quiet & ~(self.d_new[:, None] & (since >= 0) & (since < 3))] = 0.0
        cents = np.rint(yuan * 100).astype(np.int64)
        cents[~valid] = 0

        # The R8 window (first order month and the next two), exact to the cent.
        new = np.flatnonzero(self.d_new)
        profile = self.d_profile[new]
        u = rng.random((len(new), 3))
        top_a = max(1.0, min(1.5, 0.97 * xx_cents / (3 * max(x_cents, 1))))
        window = np.rint(x_cents * (1.0 + (top_a - 1.0) * u)).astype(np.int64)  # profile a
        big_first = np.rint(xx_cents * (1.0 + 0.8 * u[:, 0])).astype(np.int64)
        regular = cents[new[:, None], np.clip(first[new][:, None] + np.arange(3), 0, months - 1)]
        part = np.rint(xx_cents * (0.55 + 0.2 * u[:, 0])).astype(np.int64)
        rest = xx_cents - part + np.rint(xx_cents * 0.3 * u[:, 1]).astype(np.int64)
        small = np.rint(x_cents * (0.15 + 0.65 * u)).astype(np.int64)
        is_b = (profile == PROFILE_B) | (profile == PROFILE_LATE)
        window = np.where((profile == PROFILE_A)[:, None], window, regular)
        window[:, 0] = np.where(is_b, big_first, window[:, 0])
        window[:, 0] = np.where(profile == PROFILE_B1, part, window[:, 0])
        window[:, 1] = np.where(profile == PROFILE_B1, rest, window[:, 1])
        window = np.where((profile == PROFILE_NEVER)[:, None], small, window)
        window = np.maximum(window, 100)  # every window month has an order
        first_a = np.flatnonzero(profile == PROFILE_A)
        if len(first_a):  # one dealer exactly on the monthly line X (a tie the rule must pass)
            window[first_a[0], 1] = x_cents
        for k in range(3):
            in_data = first[new] + k < months
            cents[new[in_data], first[new][in_data] + k] = window[in_data, k]
        self.sales_cents = cents

        # Order counts: bigger dealers order more often; scaled so orders grow with dealers.
        weight = np.where(cents > 0, (self.d_size[:, None] / 70_000) ** 0.3 * np.sqrt(season), 0.0)
        weight *= ORDERS_PER_DEALER_MONTH * n * months / max(weight.sum(), 1e-9)
        counts = np.minimum(rng.poisson(weight), cents // 2000)
        self.order_counts = np.where(cents > 0, np.maximum(counts, 1), 0)
        self.sales_lo, self.sales_hi = lo, hi

    # --- orders ------------------------------------------------------------------------------

    def _orders(self) -> None:
        """Split each dealer-month's cents into orders (a few returns), one calendar month at a time.

        Months are written in batches of at least ORDER_BATCH rows: DuckDB appends (and indexes)
        big batches much faster than many small ones.
        """
        rng, months = self.rng, self.months
        total = int(self.order_counts.sum())
        params = {"seq_digits": max(6, len(str(int(self.order_counts.sum(axis=0).max())))),
                  "dealer_digits": self.d_width, "product_lines": list(PRODUCT_LINES)}
        price = np.array(UNIT_PRICE)
        product_edges = np.cumsum(PRODUCT_SHARE)[:-1]
        done, next_report, batch = 0, 0, []
        for m in range(months):
            dealer = np.flatnonzero(self.order_counts[:, m] > 0)
            count = self.order_counts[dealer, m]
            rows = int(count.sum())
            if rows == 0:
                continue
            group = np.repeat(np.arange(len(dealer)), count)
            starts = np.cumsum(count) - count
            within = np.arange(rows) - starts[group]
            month_cents = self.sales_cents[dealer, m]
            is_return = (within > 0) & (rng.random(rows) < 0.03)
            returned = np.where(is_return, np.maximum(1, np.rint(rng.uniform(0.05, 0.5, rows)
                                                                  * (month_cents / count)[group])), 0).astype(np.int64)
            positive = month_cents + np.add.reduceat(returned, starts)
            weight = np.where(is_return, 0.0, 0.2 + rng.gamma(2.0, 1.0, rows))
            cents = np.floor(positive[group] * weight / np.add.reduceat(weight, starts)[group]).astype(np.int64)
            cents[starts] += positive - np.add.reduceat(cents, starts)  # exact month total
            amount = np.where(is_return, -returned, cents)
            lo, hi = self.sales_lo[dealer, m], self.sales_hi[dealer, m]
            day = lo[group] + (rng.random(rows) * (hi - lo + 1)[group]).astype(np.int64)
            if m == months - 1 and self.anchor >= 0:
                day[starts[np.searchsorted(dealer, self.anchor)]] = self.last_day
            product = np.searchsorted(product_edges, rng.random(rows), side="right")
            units = np.abs(amount) / 100 / (price[product] * rng.uniform(0.85, 1.15, rows))
            quantity = np.sign(amount) * np.maximum(1.0, np.rint(units))
            order = np.lexsort((within, group, day))  # order numbers run by date
            batch.append(pd.DataFrame({
                "ym": np.full(rows, (self.month_year[m] % 100) * 100 + self.month_of_year[m]),
                "seq": np.arange(1, rows + 1, dtype=np.int64),
                "dealer": dealer[group][order].astype(np.int64),
                "day": day[order],
                "cents": amount[order],
                "quantity": quantity[order],
                "product": product[order].astype(np.int64),
            }))
            done += rows
            if sum(len(f) for f in batch) >= ORDER_BATCH:
                self._insert("demo_orders", pd.concat(batch, ignore_index=True), params)
                batch = []
            if done >= next_report or m == months - 1:
                self.progress(f"orders {done:,}/{total:,} ({self.month_year[m]}-{self.month_of_year[m]:02d})")
                next_report = done + max(total // 10, 1)
        if batch:
            self._insert("demo_orders", pd.concat(batch, ignore_index=True), params)

    # --- payments ----------------------------------------------------------------------------

    def _payments(self) -> None:
        """Collections 30..90 days after the month's orders, split in one or two; a few bounce."""
        rng = self.rng
        dealer, month = np.nonzero(self.sales_cents > 0)
        count = len(dealer)
        two = rng.random(count) < 0.35
        first_share = np.where(two, rng.uniform(0.4, 0.7, count), 1.0)
        collected = self.sales_cents[dealer, month] * self.d_pays[dealer]
        base_day = self.month_first[month] + 10 + rng.integers(0, 20, count)
        lag = rng.integers(30, 91, (2, count))
        dealer = np.concatenate([dealer, dealer[two]])
        cents = np.concatenate([np.rint(collected * first_share),
                                np.rint(collected[two] * (1 - first_share[two]))]).astype(np.int64)
        day = np.concatenate([base_day + lag[0], base_day[two] + lag[0][two] + 5 + lag[1][two] // 3])
        keep = (day <= self.last_day) & (cents > 0)
        dealer, cents, day = dealer[keep], cents[keep], day[keep]
        bounced = rng.random(len(dealer)) < 0.012  # reversal of a bounced transfer
        back_day = day[bounced] + rng.integers(2, 16, int(bounced.sum()))
        in_data = back_day <= self.last_day
        dealer = np.concatenate([dealer, dealer[bounced][in_data]])
        cents = np.concatenate([cents, -cents[bounced][in_data]])
        day = np.concatenate([day, back_day[in_data]])
        serial = np.arange(len(day))
        order = np.lexsort((serial, dealer, day))
        dealer, cents, day = dealer[order], cents[order], day[order]
        paid_month = self._month_index(day)
        seq = np.arange(len(day)) - np.searchsorted(paid_month, paid_month, side="left") + 1
        self._insert("demo_payments", pd.DataFrame({
            "ym": (self.month_year[paid_month] % 100) * 100 + self.month_of_year[paid_month],
            "seq": seq, "dealer": dealer.astype(np.int64), "day": day, "cents": cents,
        }), {"seq_digits": max(6, len(str(int(seq.max())) if len(seq) else "")), "dealer_digits": self.d_width})
        self.progress(f"payments {len(day):,}")

    # --- targets (R7) ------------------------------------------------------------------------

    def _targets(self) -> None:
        """Annual targets for dealers signed before the year; some overloaded, some without one."""
        rng, n = self.rng, self.n
        years = [y for y in range(self.start.year, self.end.year + 1) if dt.date(y, 1, 1) >= self.start]
        dealer_parts, year_parts, cents_parts = [], [], []
        calendar = np.arange(12)
        for year in years:  # a handful of years
            jan1 = _day(dt.date(year, 1, 1))
            eligible = (self.d_signed < jan1) & (self.d_term >= jan1) & (rng.random(n) >= 0.08)
            from_end = (year - self.end.year) * 12 + (calendar + 1 - self.end.month)
            expected = (self.d_size[:, None] * np.exp(self.d_trend[:, None] * from_end[None, :] / 12)
                        * SEASON[None, :]).sum(axis=1)
            factor = np.where(rng.random(n) < 0.12, rng.uniform(1.9, 2.6, n), rng.uniform(0.85, 1.2, n))
            target = np.maximum(10_000, np.rint(expected * factor / 1000) * 1000)
            chosen = np.flatnonzero(eligible)
            dealer_parts.append(chosen)
            year_parts.append(np.full(len(chosen), year))
            cents_parts.append((target[chosen] * 100).astype(np.int64))
        dealer = np.concatenate(dealer_parts) if dealer_parts else np.zeros(0, dtype=np.int64)
        self._insert("demo_targets", pd.DataFrame({
            "dealer_id": self.d_id[dealer],
            "year": np.concatenate(year_parts) if year_parts else np.zeros(0, dtype=np.int64),
            "cents": np.concatenate(cents_parts) if cents_parts else np.zeros(0, dtype=np.int64),
        }))

    # --- opportunities and stage history (R1, R2, R3, R9) ------------------------------------

    def _opportunities(self) -> None:
        rng, months, last = self.rng, self.months, self.last_day
        start = _day(self.start)
        # Prospects: every rep position opens some each month; most show intent within days.
        rate = rng.uniform(7, 15, self.slot_count)
        per_month = rng.poisson(np.repeat(rate[:, None], months, axis=1))
        slot = np.repeat(np.repeat(np.arange(self.slot_count), months), per_month.ravel())
        month = np.repeat(np.tile(np.arange(months), self.slot_count), per_month.ravel())
        k = len(slot)
        created = self.month_first[month] + (rng.random(k) * self.month_days[month]).astype(np.int64)
        skip_market = rng.random(k) < 0.15
        u = rng.random(k)
        highest = np.where(u < 0.12, 1, np.where(u < 0.62, 2, 3))
        highest = np.where(skip_market, np.maximum(highest, 2), highest)
        lead = np.where(skip_market, created, created + rng.exponential(6.0, k).astype(np.int64))
        qualified = lead + 5 + rng.exponential(25.0, k).astype(np.int64)
        reached = np.where(highest == 1, created, np.where(highest == 2, lead, qualified))
        back = (highest >= 2) & (rng.random(k) < 0.10)  # moved back a stage later
        back_day = reached + 3 + rng.exponential(20.0, k).astype(np.int64)
        end_of_path = np.where(back, back_day, reached)
        lost_day = end_of_path + 7 + rng.exponential(45.0, k).astype(np.int64)
        lost = (rng.random(k) < 0.97) & (lost_day <= last)  # a few stale ones stay open
        amount = np.rint(rng.lognormal(math.log(300_000), 0.8, k) / 1000) * 1000
        margin = rng.uniform(0.08, 0.35, k)
        close = created + rng.integers(30, 200, k)
        territory = self.slot_territory[slot]
        prospect_parts = np.stack([rng.integers(0, len(BRANDS), k), rng.integers(0, len(INDUSTRIES), k),
                                   rng.integers(0, len(COMPANY_SUFFIXES), k)])
        open_rep = self._holder(slot, created)

        # Signed dealers: their opportunity went market -> lead -> qualified -> signed on the
        # signing day (created earlier, not before the window or the rep's hiring), then paid.
        new = np.flatnonzero(self.d_new & (self.d_signed >= start))
        j = len(new)
        signed = self.d_signed[new]
        won_rep = self._holder(self.d_slot[new], signed)
        gaps = np.stack([rng.exponential(8.0, j), rng.exponential(20.0, j), rng.exponential(25.0, j)], axis=1) + 1
        won_created = np.maximum.reduce([signed - gaps.sum(axis=1).astype(np.int64),
                                         np.full(j, start), self.rep_hired[won_rep]])
        won_created = np.minimum(won_created, signed)
        span = (signed - won_created)[:, None]
        steps = np.floor(np.cumsum(gaps, axis=1) / gaps.sum(axis=1)[:, None] * span).astype(np.int64)
        won_skip = rng.random(j) < 0.15
        paid = signed + rng.integers(7, 61, j)
        paid_ok = rng.random(j) < 0.85
        won_amount = np.rint(self.d_size[new] * 12 / 1000) * 1000
        won_margin = rng.uniform(0.08, 0.35, j)
        won_close = signed + rng.integers(-20, 21, j)

        # All opportunities, numbered by creation date.
        all_created = np.concatenate([created, won_created])
        all_slot = np.concatenate([slot, self.d_slot[new]])
        order = np.lexsort((np.arange(k + j), all_slot, all_created))
        rank = np.empty(k + j, dtype=np.int64)
        rank[order] = np.arange(k + j)
        width = max(6, len(str(k + j)))
        amount_all = np.concatenate([amount, won_amount])
        no_amount = rng.random(k + j) < 0.05
        no_profit = no_amount | (rng.random(k + j) < 0.10)
        no_close = rng.random(k + j) < 0.12
        profit = np.rint(amount_all * np.concatenate([margin, won_margin]) / 100) * 100
        lost_all = np.concatenate([lost, np.zeros(j, dtype=bool)])
        reason = np.where(lost_all, rng.integers(0, len(LOST_REASONS), k + j), -1)
        parts = np.concatenate([prospect_parts, self.d_name_parts[:, new]], axis=1)
        # Numbers and indices only: DuckDB formats the keys and names (see demo_opportunities.sql).
        self._insert("demo_opportunities", pd.DataFrame({
            "number": rank + 1,
            "territory": np.concatenate([territory, self.d_terr[new]]),
            "brand": parts[0], "industry": parts[1], "suffix": parts[2],
            "rep": self.rep_numbers[np.concatenate([open_rep, won_rep])],
            "created_on": _dates(all_created),
            "amount_cents": _cents((amount_all * 100).astype(np.int64), no_amount),
            "profit_cents": _cents((profit * 100).astype(np.int64), no_profit),
            "expected_close_on": _dates(np.where(no_close, NO_DAY, np.concatenate([close, won_close]))),
            "dealer": np.concatenate([np.full(k, -1), new]),
            "lost_on": _dates(np.where(lost_all, np.concatenate([lost_day, np.zeros(j, dtype=np.int64)]), NO_DAY)),
            "reason": reason,
        }), {
            "opportunity_digits": width, "territory_digits": self.t_width, "staff_digits": self.staff_width,
            "dealer_digits": self.d_width, "cities": self.t_city.tolist(), "brands": list(BRANDS),
            "industries": list(INDUSTRIES), "suffixes": list(COMPANY_SUFFIXES), "reasons": list(LOST_REASONS),
        })

        # Stage history rows: (opportunity, stage order, day); rows after the data's end are not
        # known yet (open opportunities still moving).
        won = k + np.arange(j)
        parts = [
            (np.flatnonzero(~skip_market), 1, created[~skip_market]),
            (np.flatnonzero(highest >= 2), 2, lead[highest >= 2]),
            (np.flatnonzero(highest >= 3), 3, qualified[highest >= 3]),
            (np.flatnonzero(back), highest[back] - 1, back_day[back]),
            (won[~won_skip], 1, won_created[~won_skip]),
            (won, 2, won_created + np.where(won_skip, 0, steps[:, 0])),
            (won, 3, won_created + steps[:, 1]),
            (won, 4, signed),
            (won[paid_ok], 5, paid[paid_ok]),
        ]
        opp = np.concatenate([p[0] for p in parts])
        stage = np.concatenate([np.broadcast_to(p[1], len(p[0])) for p in parts]).astype(np.int64)
        day = np.concatenate([p[2] for p in parts])
        keep = day <= last
        self._insert("demo_stage_history", pd.DataFrame({
            "number": rank[opp[keep]] + 1, "stage": stage[keep], "day": day[keep],
        }), {"stages": ["market", "lead", "qualified", "signed", "paid"], "opportunity_digits": width})
        self.progress(f"opportunities {k + j:,}, stage rows {int(keep.sum()):,}")
