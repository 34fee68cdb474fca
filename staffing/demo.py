"""The demo zone: a development zone's personnel office, generated from a seed.

Departments of every kind as a tree, the Hengqin pay scale (domain.md §3), posts with
headcounts, people of every identity and status on both tracks (a sealed archival record,
a contracted post), and one login per role. The same seed gives the same people and IDs.

Rows are written with bulk_create, which bypasses the audit signals. That is deliberate:
generated data is nobody's act, and one "created" entry per row would bury the trail the
discipline inspector reads under thousands of lines.
"""

import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from itertools import accumulate

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection

from staffing.models import (
    Appointment,
    ArchivalEvent,
    ArchivalRecord,
    Department,
    EstablishmentType,
    Person,
    PositionLevel,
    Post,
    PostSeries,
    SalaryGrade,
    StaffingPolicy,
    StatusChange,
)
from staffing.national_id import check_digit
from zonehr.models import User
from zonehr.roles import Role

DEMO_PASSWORD = "zonehr2026"
DEFAULT_STAFF = 250
DEFAULT_SEED = 2026
# Below this the zone cannot give every department a head and every status a person.
MIN_STAFF = 40
# A zone of 20 departments stays believable up to this size; beyond it the builder adds
# zones (片区), as a city bureau running several zones would.
STAFF_PER_ZONE = 5000
# Ordinary posts are split so that none holds more than about this many people.
PLACES_PER_POST = 15
_BATCH = 2000

# Fixed dates rather than today's, so that a seed always gives the same ages and IDs.
AS_OF = dt.date(2026, 11, 1)
REFORM_DATE = dt.date(2024, 9, 30)  # archival records sealed (封存)
FIRST_ROUND = dt.date(2024, 10, 8)  # all-staff competitive hiring after the reform
TRANSFER_ROUND = dt.date(2025, 10, 9)  # two-way selection: transfers between posts
WAITING_ROUND = dt.date(2026, 8, 20)  # those not selected go to off-post training
ONE_DAY = dt.timedelta(days=1)


# --- Pay scale -------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesSpec:
    code: str
    name: str
    lowest: int
    highest: int
    grades: int
    levels: tuple[tuple[str, int, int], ...]  # (name, lowest grade, highest grade), lowest level first
    negotiated: str = ""  # a top level paid by agreement, with no grade


PAY_SCALE = (
    SeriesSpec(
        "clerical",
        "文职",
        3500,
        14900,
        11,
        (
            ("行政助理", 1, 3),
            ("行政文员", 2, 4),
            ("行政专员", 3, 5),
            ("高级行政专员", 4, 7),
            ("行政主管", 6, 8),
            ("高级行政主管", 7, 10),
            ("首席行政主管", 9, 11),
        ),
        negotiated="特聘行政专员",
    ),
    SeriesSpec(
        "technical",
        "技术",
        3300,
        11900,
        9,
        (
            ("技术助理", 1, 2),
            ("技术员", 2, 3),
            ("助理工程师", 3, 4),
            ("工程师", 4, 5),
            ("主任工程师", 5, 7),
            ("高级工程师", 6, 8),
            ("首席工程师", 7, 9),
        ),
        negotiated="特聘技术顾问",
    ),
    SeriesSpec(
        "other",
        "其他(技工及勤杂)",
        1950,
        5100,
        8,
        tuple(
            (name, number, number)
            for number, name in enumerate(
                ("勤杂工", "初级工", "中级工", "高级工", "技师", "高级技师", "主任技师", "首席技师"), start=1
            )
        ),
    ),
)


def grade_amounts(*, lowest: int, highest: int, count: int) -> list[Decimal]:
    """Monthly amounts rising by a constant ratio from `lowest` to `highest`, each to 50 yuan.

    A constant ratio, not a constant step, because pay scales widen their steps upwards.
    """
    ratio = Decimal(highest) / Decimal(lowest)
    amounts = []
    for index in range(count):
        raw = Decimal(lowest) * ratio ** (Decimal(index) / Decimal(count - 1))
        amounts.append((raw / 50).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 50)
    return [amount.quantize(Decimal("0.01")) for amount in amounts]


@dataclass
class _Scale:
    levels: dict[tuple[str, int], PositionLevel]  # (series code, rank); the negotiated level is rank len+1
    grades: dict[tuple[int, int], SalaryGrade]  # (series id, number)

    def negotiated_level(self, series_code: str) -> PositionLevel:
        return max((lvl for (code, _), lvl in self.levels.items() if code == series_code), key=lambda lvl: lvl.rank)


def _pay_scale_create() -> _Scale:
    series = PostSeries.objects.bulk_create(
        [PostSeries(code=spec.code, name=spec.name, sort_order=index) for index, spec in enumerate(PAY_SCALE)]
    )
    levels, grades = [], []
    for spec, row in zip(PAY_SCALE, series, strict=True):
        for rank, (name, low, high) in enumerate(spec.levels, start=1):
            levels.append(PositionLevel(series=row, rank=rank, name=name, min_grade=low, max_grade=high))
        if spec.negotiated:
            levels.append(
                PositionLevel(series=row, rank=len(spec.levels) + 1, name=spec.negotiated, is_negotiated=True)
            )
        amounts = grade_amounts(lowest=spec.lowest, highest=spec.highest, count=spec.grades)
        grades += [SalaryGrade(series=row, number=n, monthly_amount=a) for n, a in enumerate(amounts, start=1)]
    PositionLevel.objects.bulk_create(levels)
    SalaryGrade.objects.bulk_create(grades)
    return _Scale(
        levels={(level.series.code, level.rank): level for level in levels},
        grades={(grade.series_id, grade.number): grade for grade in grades},
    )


# --- Departments and posts -------------------------------------------------------------

_K = Department.Kind
_ZS_POSTS = (("招商专员岗", "clerical", 3), ("项目专员岗", "clerical", 3), ("招商助理岗", "clerical", 2))
_PARK_POSTS = (
    ("企业服务专员岗", "clerical", 3),
    ("物业设施管理岗", "technical", 3),
    ("安保巡查岗", "other", 3),
    ("设备维修岗", "other", 5),
    ("保洁绿化岗", "other", 1),
)


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    kind: str
    weight: int  # share of the zone's staff, relative to the other departments
    posts: tuple[tuple[str, str, int], ...]  # ordinary posts: (name, series code, level rank)
    parent: str = ""
    special: str = ""  # series of a negotiated special post (特聘), if the department has one


DEPARTMENTS = (
    DepartmentSpec(
        "DZB",
        "党政办公室",
        _K.PARTY_OFFICE,
        10,
        (
            ("综合文秘岗", "clerical", 3),
            ("政策研究岗", "clerical", 4),
            ("督查督办岗", "clerical", 4),
            ("驾驶员", "other", 4),
            ("后勤保障岗", "other", 2),
        ),
    ),
    DepartmentSpec(
        "RLZYB",
        "人力资源部",
        _K.PARTY_OFFICE,
        6,
        (("人事管理岗", "clerical", 4), ("薪酬社保岗", "clerical", 3), ("培训考核岗", "clerical", 3)),
        parent="DZB",
    ),
    DepartmentSpec(
        "JJJCS", "纪检监察室", _K.PARTY_OFFICE, 4, (("纪检监察岗", "clerical", 4), ("案件审理岗", "clerical", 4)), "DZB"
    ),
    DepartmentSpec(
        "JJFZJ",
        "经济发展局",
        _K.FUNCTIONAL_BUREAU,
        10,
        (("产业规划岗", "clerical", 4), ("经济运行分析岗", "clerical", 3), ("统计岗", "clerical", 2)),
        special="clerical",
    ),
    DepartmentSpec(
        "KJCXJ",
        "科技创新局",
        _K.FUNCTIONAL_BUREAU,
        8,
        (("科技项目管理岗", "technical", 4), ("人才服务岗", "clerical", 3), ("知识产权岗", "technical", 3)),
    ),
    DepartmentSpec(
        "GHJSJ",
        "规划建设局",
        _K.FUNCTIONAL_BUREAU,
        12,
        (
            ("规划设计岗", "technical", 5),
            ("工程管理岗", "technical", 4),
            ("质量安全监督岗", "technical", 3),
            ("造价审核岗", "technical", 4),
        ),
        special="technical",
    ),
    DepartmentSpec(
        "CZJ",
        "财政局",
        _K.FUNCTIONAL_BUREAU,
        9,
        (("预算管理岗", "clerical", 4), ("会计核算岗", "clerical", 3), ("国资监管岗", "clerical", 4)),
    ),
    DepartmentSpec(
        "GKZF",
        "国库集中支付中心",
        _K.INSTITUTION,
        4,
        (("支付核算岗", "clerical", 3), ("票据管理岗", "clerical", 2)),
        "CZJ",
    ),
    DepartmentSpec(
        "SHSWJ",
        "社会事务局",
        _K.FUNCTIONAL_BUREAU,
        9,
        (("社会保障岗", "clerical", 3), ("教育卫生岗", "clerical", 3), ("民政服务岗", "clerical", 2)),
    ),
    DepartmentSpec(
        "XZSPJ",
        "行政审批局",
        _K.FUNCTIONAL_BUREAU,
        8,
        (("审批服务岗", "clerical", 3), ("窗口受理岗", "clerical", 2), ("踏勘核验岗", "technical", 2)),
    ),
    DepartmentSpec(
        "STHJJ",
        "生态环境局",
        _K.FUNCTIONAL_BUREAU,
        7,
        (("环境监测岗", "technical", 3), ("环保执法岗", "clerical", 3), ("安全生产监管岗", "technical", 4)),
    ),
    DepartmentSpec(
        "TZCJJ",
        "投资促进局",
        _K.FRONTLINE,
        6,
        (("招商策划岗", "clerical", 4), ("投资分析岗", "clerical", 4)),
        special="clerical",
    ),
    DepartmentSpec("ZSYB", "招商一部", _K.FRONTLINE, 12, _ZS_POSTS, parent="TZCJJ"),
    DepartmentSpec("ZSEB", "招商二部", _K.FRONTLINE, 12, _ZS_POSTS, parent="TZCJJ"),
    DepartmentSpec("ZSSB", "招商三部", _K.FRONTLINE, 10, _ZS_POSTS, parent="TZCJJ"),
    DepartmentSpec("ZNZZ", "智能制造产业园服务中心", _K.PARK_CENTRE, 14, _PARK_POSTS),
    DepartmentSpec("SWYY", "生物医药产业园服务中心", _K.PARK_CENTRE, 12, _PARK_POSTS),
    DepartmentSpec(
        "CYFZ",
        "产业发展服务中心",
        _K.STATUTORY_BODY,
        12,
        (("产业运营岗", "clerical", 4), ("投融资岗", "clerical", 5), ("资产管理岗", "clerical", 3)),
        special="technical",
    ),
    DepartmentSpec(
        "TZKG",
        "开发建设投资集团有限公司",
        _K.STATUTORY_BODY,
        16,
        (
            ("投资管理岗", "clerical", 5),
            ("工程项目岗", "technical", 5),
            ("财务管理岗", "clerical", 4),
            ("运营管理岗", "clerical", 3),
            ("电工", "other", 5),
        ),
    ),
    DepartmentSpec(
        "ZWFW",
        "政务服务中心",
        _K.INSTITUTION,
        12,
        (("窗口服务岗", "clerical", 2), ("综合受理岗", "clerical", 3), ("数据管理岗", "technical", 3)),
    ),
)
# The departments whose heads and staff get the demo logins.
HEAD_A_DEPARTMENT = "ZSYB"
HEAD_B_DEPARTMENT = "GHJSJ"
# Zones after the first are named areas of the same city bureau.
_ZONE_NAMES = (
    "临港片区",
    "空港片区",
    "综合保税区",
    "科教城片区",
    "东部新城片区",
    "南湖片区",
    "北岸片区",
    "西部物流园片区",
)

HEAD, DEPUTY, ORDINARY, SPECIAL = "head", "deputy", "ordinary", "special"
_HEAD_COEFFICIENT, _DEPUTY_COEFFICIENT = Decimal("1.50"), Decimal("1.20")
_HEAD_LEVEL, _DEPUTY_LEVEL = ("clerical", 7), ("clerical", 6)


def _leader_titles(name: str) -> tuple[str, str]:
    if name.endswith("局"):
        return "局长", "副局长"
    if name.endswith("部"):
        return "部长", "副部长"
    if name.endswith("公司"):
        return "总经理", "副总经理"
    return "主任", "副主任"


def _zone_name(zone: int) -> str:
    if zone == 1:
        return ""
    return _ZONE_NAMES[zone - 2] if zone - 2 < len(_ZONE_NAMES) else f"第{zone}片区"


@dataclass(eq=False)
class _Seat:
    """A post with what the builder needs to fill it."""

    post: Post
    role: str
    spec: DepartmentSpec
    zone: int


def _departments_create(zones: int) -> list[tuple[int, DepartmentSpec, Department]]:
    rows: dict[tuple[int, str], Department] = {}
    for children in (False, True):  # parents first, so children can point at saved rows
        batch = []
        for zone in range(1, zones + 1):
            for order, spec in enumerate(DEPARTMENTS):
                if bool(spec.parent) != children:
                    continue
                department = Department(
                    name=_zone_name(zone) + spec.name,
                    code=spec.code if zone == 1 else f"{spec.code}-{zone:02d}",
                    kind=spec.kind,
                    parent=rows[zone, spec.parent] if spec.parent else None,
                    sort_order=zone * 100 + order,
                )
                rows[zone, spec.code] = department
                batch.append(department)
        Department.objects.bulk_create(batch, batch_size=_BATCH)
    return [(zone, spec, rows[zone, spec.code]) for zone in range(1, zones + 1) for spec in DEPARTMENTS]


def _posts_create(
    departments: list[tuple[int, DepartmentSpec, Department]], scale: _Scale, on_post: int
) -> list[_Seat]:
    """Posts sized so that each department can hold its share of `on_post` with some vacancies."""
    zones = departments[-1][0]
    total_weight = sum(spec.weight for spec in DEPARTMENTS)
    seats: list[_Seat] = []
    for zone, spec, department in departments:
        zone_on_post = on_post // zones + (1 if zone <= on_post % zones else 0)
        share = -(-zone_on_post * spec.weight // total_weight)  # rounded up, so the shares cover everyone
        seats += _department_seats(zone, spec, department, scale, share)
    Post.objects.bulk_create([seat.post for seat in seats], batch_size=_BATCH)
    return seats


def _department_seats(
    zone: int, spec: DepartmentSpec, department: Department, scale: _Scale, share: int
) -> list[_Seat]:
    """A head, deputies, the special post if any, and ordinary posts for `share` people plus vacancies."""
    head_title, deputy_title = _leader_titles(spec.name)
    deputies = 1 if share < 20 else 2 if share < 80 else 3
    # (name, level, headcount, role, coefficient)
    rows = [
        (head_title, scale.levels[_HEAD_LEVEL], 1, HEAD, _HEAD_COEFFICIENT),
        (deputy_title, scale.levels[_DEPUTY_LEVEL], deputies, DEPUTY, _DEPUTY_COEFFICIENT),
    ]
    if spec.special:
        level = scale.negotiated_level(spec.special)
        rows.append((level.name, level, 1, SPECIAL, Decimal("1.00")))
    places = max(1, share + max(1, share // 8) - 1 - deputies)
    count = max(min(3, len(spec.posts)), math.ceil(places / PLACES_PER_POST))
    places = max(places, count)
    for index in range(count):
        name, series_code, rank = spec.posts[index % len(spec.posts)]
        repeat = index // len(spec.posts)
        headcount = places // count + (1 if index < places % count else 0)
        name = f"{name}（{repeat + 1}）" if repeat else name
        rows.append((name, scale.levels[series_code, rank], headcount, ORDINARY, Decimal("1.00")))
    return [
        _Seat(
            post=Post(
                department=department,
                name=name,
                code=f"{department.code}-{number:03d}",
                level=level,
                headcount=headcount,
                coefficient=coefficient,
                is_leadership=role in (HEAD, DEPUTY),
            ),
            role=role,
            spec=spec,
            zone=zone,
        )
        for number, (name, level, headcount, role, coefficient) in enumerate(rows, start=1)
    ]


def _places_in_order(rng: random.Random, seats: list[_Seat]) -> list[_Seat]:
    """Every place of every post, in the order they are filled: first the places the demo
    logins need, then every department's head, one ordinary place per department, the
    special posts and the deputies, then the rest at random (so vacancies fall anywhere)."""
    free = {seat: seat.post.headcount for seat in seats}
    order: list[_Seat] = []

    def take(seat: _Seat | None) -> None:
        if seat is not None and free[seat] > 0:
            free[seat] -= 1
            order.append(seat)

    def first(code: str, role: str) -> _Seat | None:
        return next((s for s in seats if s.zone == 1 and s.spec.code == code and s.role == role), None)

    take(first(HEAD_A_DEPARTMENT, HEAD))
    take(first(HEAD_A_DEPARTMENT, ORDINARY))
    take(first(HEAD_B_DEPARTMENT, HEAD))
    for role in (HEAD, ORDINARY, SPECIAL, DEPUTY):
        seen = set()
        for seat in seats:
            key = (seat.zone, seat.spec.code)
            if seat.role == role and key not in seen:
                seen.add(key)
                take(seat)
    rest = [seat for seat in seats for _ in range(free[seat])]
    rng.shuffle(rest)
    return order + rest


# --- People ----------------------------------------------------------------------------

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_SURNAME_LIST = [*_SURNAMES, "欧阳", "上官", "司马"]
# Surnames are listed by census frequency; weights falling as 1/(rank+4) keep 王, 李 and 张 common.
_SURNAME_CUM_WEIGHTS = list(accumulate(1 / (rank + 4) for rank in range(len(_SURNAME_LIST))))
_MALE_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁建国志文浩宇轩博俊峰凯晨阳旭东海林龙亮健成兵锋翔昊天振新德安永庆嘉毅"
)
_FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲燕萍红洁琳婷雪慧颖倩晶佳雯璐欣悦怡梦瑶蕾莉薇晓蓉月媛琪思彤岚"
# Administrative division codes (first six ID digits) of the seed documents' places and nearby cities.
_REGIONS = (
    "130602",  # 保定市竞秀区
    "130606",  # 保定市莲池区
    "370702",  # 潍坊市潍城区
    "370786",  # 昌邑市
    "440402",  # 珠海市香洲区
    "440404",  # 珠海市金湾区
    "500112",  # 重庆市渝北区
    "120116",  # 天津市滨海新区
    "330502",  # 湖州市吴兴区
    "411302",  # 南阳市宛城区
    "431025",  # 临武县
    "430102",  # 长沙市芙蓉区
    "420106",  # 武汉市武昌区
    "410105",  # 郑州市金水区
    "370102",  # 济南市历下区
    "110105",  # 北京市朝阳区
)

_S = Person.Status
_I = Person.Identity
_E = Person.Education
_M = Appointment.Method

# Share of each status beyond those on post, and the least count so that a small zone has them all.
_STATUS_SHARES = {
    _S.PENDING: (3, 2),
    _S.WAITING: (5, 2),
    _S.DEPARTED: (4, 2),
    _S.DISMISSED: (1.5, 1),
    _S.RETIRED: (3.5, 2),
}


def status_counts_for(staff: int) -> dict[str, int]:
    counts = {status: max(least, round(staff * share / 100)) for status, (share, least) in _STATUS_SHARES.items()}
    counts[_S.ON_POST] = staff - sum(counts.values())
    return counts


@dataclass(eq=False)
class _Plan:
    """What one generated person is: decided first, so that age, identity and record fit it."""

    status: str
    seat: _Seat | None = None  # the post held now
    path: str = ""  # how he came to it: first_round, social, transfer, special
    former: _Seat | None = None  # a post held before
    login: str = ""  # the demo username linked to this person
    person: Person | None = None
    record: ArchivalRecord | None = None
    events: list[ArchivalEvent] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    changes: list[StatusChange] = field(default_factory=list)


def _plans(rng: random.Random, counts: dict[str, int], seats: list[_Seat]) -> list[_Plan]:
    places = _places_in_order(rng, seats)
    if counts[_S.ON_POST] > len(places):
        raise RuntimeError(f"{counts[_S.ON_POST]} people on post but only {len(places)} places")
    ordinary_seats = [seat for seat in seats if seat.role == ORDINARY]
    plans = []
    for seat in places[: counts[_S.ON_POST]]:
        if seat.role == SPECIAL:
            path = "special"
        elif seat.role == ORDINARY:
            path = rng.choices(("first_round", "social", "transfer"), weights=(82, 10, 8))[0]
        else:
            path = "first_round"
        former = None
        while path == "transfer" and former in (None, seat):
            former = rng.choice(ordinary_seats)
        plans.append(_Plan(status=_S.ON_POST, seat=seat, path=path, former=former))
    plans[0].login, plans[1].login, plans[2].login = "head_a", "staff", "head_b"
    for status in (_S.WAITING, _S.DEPARTED, _S.DISMISSED, _S.RETIRED, _S.PENDING):
        for _ in range(counts[status]):
            # Most waiting staff lost a post in the last round; the others never got one.
            had_post = status != _S.PENDING and (status != _S.WAITING or rng.random() < 0.6)
            plans.append(_Plan(status=status, former=rng.choice(ordinary_seats) if had_post else None))
    rng.shuffle(plans)
    return plans


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _years_after(day: dt.date, years: int) -> dt.date:
    return _years_before(day, -years)


def _day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _name(rng: random.Random, gender: str) -> str:
    surname = rng.choices(_SURNAME_LIST, cum_weights=_SURNAME_CUM_WEIGHTS)[0]
    chars = _MALE_CHARS if gender == Person.Gender.MALE else _FEMALE_CHARS
    given = rng.choice(chars) if rng.random() < 0.3 else rng.choice(chars) + rng.choice(chars)
    return surname + given


def _national_id(rng: random.Random, birth: dt.date, gender: str, taken: set[str]) -> str:
    """A GB 11643 number: region, birth date, a sequence whose last digit is odd for men, check digit."""
    digits = "13579" if gender == Person.Gender.MALE else "02468"
    while True:
        first17 = f"{rng.choice(_REGIONS)}{birth:%Y%m%d}{rng.randrange(100):02d}{rng.choice(digits)}"
        value = first17 + check_digit(first17)
        if value not in taken:
            taken.add(value)
            return value


def _pick(rng: random.Random, weighted: dict[str, int]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def _identity(rng: random.Random, plan: _Plan) -> str:
    seat = plan.seat or plan.former
    if plan.path == "special":
        return _pick(rng, {_I.CONTRACT: 7, _I.ENTERPRISE: 3})
    if seat is not None and seat.role in (HEAD, DEPUTY):
        # Identity does not bar anyone from a leadership post, but most leaders hold an establishment.
        return _pick(rng, {_I.CIVIL_SERVANT: 45, _I.INSTITUTION: 35, _I.CONTRACT: 12, _I.ENTERPRISE: 8})
    if seat is not None and seat.post.level.series.code == "other":
        return _pick(rng, {_I.DISPATCHED: 60, _I.CONTRACT: 40})
    if seat is not None and seat.spec.kind == _K.STATUTORY_BODY:
        return _pick(rng, {_I.ENTERPRISE: 45, _I.CONTRACT: 30, _I.DISPATCHED: 25})
    return _pick(rng, {_I.CIVIL_SERVANT: 12, _I.INSTITUTION: 28, _I.DISPATCHED: 30, _I.CONTRACT: 22, _I.ENTERPRISE: 8})


def _education(rng: random.Random, plan: _Plan) -> str:
    seat = plan.seat or plan.former
    series = seat.post.level.series.code if seat else "clerical"
    if seat is not None and (seat.role in (HEAD, DEPUTY) or plan.path == "special"):
        return _pick(rng, {_E.DOCTORATE: 8, _E.MASTER: 42, _E.BACHELOR: 50})
    if series == "other":
        return _pick(rng, {_E.BACHELOR: 5, _E.COLLEGE: 35, _E.SECONDARY: 60})
    if series == "technical":
        return _pick(rng, {_E.DOCTORATE: 4, _E.MASTER: 30, _E.BACHELOR: 56, _E.COLLEGE: 10})
    return _pick(rng, {_E.DOCTORATE: 2, _E.MASTER: 22, _E.BACHELOR: 60, _E.COLLEGE: 14, _E.SECONDARY: 2})


def _age(rng: random.Random, plan: _Plan) -> int:
    role = plan.seat.role if plan.seat else ""
    if role == HEAD:
        return rng.randint(40, 56)
    if role == DEPUTY:
        return rng.randint(35, 52)
    if plan.path == "special":
        return rng.randint(36, 55)
    if plan.status == _S.PENDING or plan.path == "social":
        return rng.randint(23, 34)
    return round(rng.triangular(25, 58, 34))


# Archival ladders, lowest first: (archival post, archival rank, archival monthly salary).
_CIVIL_LADDER = (
    ("科员", "二级科员", 4300),
    ("科员", "一级科员", 4800),
    ("副科长", "四级主任科员", 5600),
    ("副科长", "三级主任科员", 6100),
    ("科长", "二级主任科员", 6900),
    ("科长", "一级主任科员", 7600),
    ("副处长", "四级调研员", 8500),
)
_INSTITUTION_LADDER = (
    ("办事员", "管理十级", 3900),
    ("科员", "管理九级", 4400),
    ("副科长", "管理八级", 5200),
    ("科长", "管理七级", 6200),
    ("副处长", "管理六级", 7300),
)
_INSTITUTION_TECHNICAL_LADDER = (
    ("技术员", "专业技术十三级", 3900),
    ("助理工程师", "专业技术十一级", 4500),
    ("工程师", "专业技术九级", 5400),
    ("高级工程师", "专业技术七级", 6600),
    ("正高级工程师", "专业技术四级", 8600),
)
_NO_ESTABLISHMENT_POST = {_I.DISPATCHED: "政府购买服务人员", _I.CONTRACT: "合同制聘用人员", _I.ENTERPRISE: "企业人员"}


def _ladder(person: Person, seat: _Seat | None) -> tuple[tuple[str, str, int], ...]:
    if person.identity == _I.CIVIL_SERVANT:
        return _CIVIL_LADDER
    if person.identity == _I.INSTITUTION:
        technical = seat is not None and seat.post.level.series.code == "technical"
        return _INSTITUTION_TECHNICAL_LADDER if technical else _INSTITUTION_LADDER
    return ()


@dataclass(frozen=True)
class _Approval:
    document: str
    approved_on: dt.date
    effective_on: dt.date
    reason: str


# Archival changes cite the approval that allowed them (domain.md §4).
_PROMOTION_REASON = "出现编制内职数空缺，按规定程序晋升职务"
_PROMOTIONS = (
    _Approval("高新党工委〔2025〕12号", dt.date(2025, 3, 14), dt.date(2025, 4, 1), _PROMOTION_REASON),
    _Approval("高新党工委〔2025〕37号", dt.date(2025, 8, 22), dt.date(2025, 9, 1), _PROMOTION_REASON),
    _Approval("高新党工委〔2026〕8号", dt.date(2026, 4, 10), dt.date(2026, 5, 1), _PROMOTION_REASON),
)
_RANK_CHANGE = _Approval(
    "高新组干〔2025〕18号", dt.date(2025, 6, 20), dt.date(2025, 7, 1), "任职年限和年度考核结果符合条件，晋升职级"
)
_SALARY_ADJUSTMENT = _Approval(
    "高新人社〔2025〕21号", dt.date(2025, 6, 30), dt.date(2025, 7, 1), "按规定调整机关事业单位基本工资标准"
)


def _archival_new(
    rng: random.Random, plan: _Plan, person: Person, actor: User
) -> tuple[ArchivalRecord, list[ArchivalEvent]]:
    seat = plan.seat or plan.former
    ladder = _ladder(person, seat)
    age = (AS_OF - person.birth_date).days // 365
    sealed_on = max(REFORM_DATE, person.joined_on)
    if ladder:
        step = (age - 24) // 5 + rng.choice((-1, 0, 0, 1))
        role = seat.role if seat else ""
        top = len(ladder) - 1
        low = top - 1 if role == HEAD else top - 2 if role == DEPUTY else 0
        high = top if role in (HEAD, DEPUTY) else top - 2
        index = min(max(step, low), high)
        post, rank, salary = ladder[index]
        establishment = (
            EstablishmentType.ADMINISTRATIVE if person.identity == _I.CIVIL_SERVANT else EstablishmentType.INSTITUTION
        )
    else:
        index, post, rank = 0, _NO_ESTABLISHMENT_POST[person.identity], "无"
        salary = 2800 + 50 * rng.randrange(60)
        establishment = EstablishmentType.NONE
    record = ArchivalRecord(
        person=person,
        archival_post=post,
        archival_rank=rank,
        establishment_type=establishment,
        archival_salary=Decimal(salary + 50 * rng.randrange(8)).quantize(Decimal("0.01")),
        sealed_on=sealed_on,
    )
    events = []
    # Only records sealed at the reform can have changed since; later ones are too recent.
    if sealed_on == REFORM_DATE and ladder and index + 1 < len(ladder) and rng.random() < 0.1:
        new_post, new_rank, new_salary = ladder[index + 1]
        promoted = new_post != post
        approval = rng.choice(_PROMOTIONS) if promoted else _RANK_CHANGE
        events.append(
            ArchivalEvent(
                record=record,
                kind=ArchivalEvent.Kind.PROMOTION if promoted else ArchivalEvent.Kind.RANK_CHANGE,
                archival_post=new_post if promoted else "",
                archival_rank=new_rank,
                archival_salary=Decimal(new_salary).quantize(Decimal("0.01")),
                approval_document=approval.document,
                approved_on=approval.approved_on,
                effective_on=approval.effective_on,
                reason=approval.reason,
                recorded_by=actor,
            )
        )
    elif sealed_on == REFORM_DATE and ladder and rng.random() < 0.25:
        events.append(
            ArchivalEvent(
                record=record,
                kind=ArchivalEvent.Kind.SALARY_ADJUSTMENT,
                archival_salary=record.archival_salary + 50 * rng.randint(3, 6),
                approval_document=_SALARY_ADJUSTMENT.document,
                approved_on=_SALARY_ADJUSTMENT.approved_on,
                effective_on=_SALARY_ADJUSTMENT.effective_on,
                reason=_SALARY_ADJUSTMENT.reason,
                recorded_by=actor,
            )
        )
    return record, events


def _grade(rng: random.Random, scale: _Scale, level: PositionLevel) -> SalaryGrade:
    return scale.grades[level.series_id, rng.randint(level.min_grade, level.max_grade)]


def _post_label(seat: _Seat) -> str:
    return f"{seat.post.department.name}{seat.post.name}"


_END = Appointment.EndKind
_END_KINDS = {_S.DEPARTED: _END.DEPARTED, _S.DISMISSED: _END.DISMISSED, _S.RETIRED: _END.RETIRED}
_END_REASONS = {
    _S.DEPARTED: ("本人申请辞聘", "调出开发区，转任市直单位", "考录为公务员，辞聘离开", "聘期内辞聘，解除聘任合同"),
    _S.DISMISSED: ("连续两年年度考核不称职，依聘任合同解聘", "聘期内年度考核均居同级岗位末位且拒绝调岗，依合同解聘"),
    _S.RETIRED: ("达到法定退休年龄，办理退休",),
}


_WAITING_REASON = "2026年岗位竞聘未获聘任，转为待岗，离岗培训不少于3个月后重新参加竞聘"


def _person_build(
    rng: random.Random, plan: _Plan, scale: _Scale, policy: StaffingPolicy, actor: User, taken_ids: set[str]
) -> None:
    """Fill `plan` with the person, his archival record and events, appointments and status history."""
    gender = Person.Gender.MALE if rng.random() < 0.55 else Person.Gender.FEMALE
    left_on = None
    if plan.status == _S.RETIRED:
        left_on = _day_between(rng, dt.date(2025, 1, 1), AS_OF - ONE_DAY)
        retirement_age = 60 if gender == Person.Gender.MALE else 55
        birth = _years_before(left_on, retirement_age) - dt.timedelta(days=rng.randrange(28))
    else:
        birth = _years_before(AS_OF, _age(rng, plan)) - dt.timedelta(days=rng.randrange(365))
    if plan.status == _S.DEPARTED:
        left_on = _day_between(rng, dt.date(2025, 1, 15), dt.date(2026, 9, 30))
    elif plan.status == _S.DISMISSED:
        left_on = _day_between(rng, dt.date(2026, 2, 2), dt.date(2026, 3, 31))

    start = FIRST_ROUND
    if plan.path == "social":
        start = _day_between(rng, dt.date(2025, 3, 1), dt.date(2026, 6, 30))
    elif plan.path == "special":
        start = _day_between(rng, dt.date(2025, 3, 1), dt.date(2025, 9, 30))
    if plan.path in ("social", "special"):
        joined = start
    elif plan.status == _S.PENDING:
        joined = _day_between(rng, dt.date(2026, 9, 1), dt.date(2026, 10, 20))
    elif plan.status == _S.WAITING and plan.former is None:
        joined = _day_between(rng, dt.date(2026, 3, 1), dt.date(2026, 6, 30))
    else:
        earliest = max(_years_after(birth, 22), dt.date(1990, 7, 1))
        joined = _day_between(rng, earliest, REFORM_DATE - dt.timedelta(days=30))

    person = Person(
        name=_name(rng, gender),
        national_id=_national_id(rng, birth, gender, taken_ids),
        identity=_identity(rng, plan),
        gender=gender,
        birth_date=birth,
        education=_education(rng, plan),
        joined_on=joined,
        status=plan.status,
    )
    plan.person = person
    plan.record, plan.events = _archival_new(rng, plan, person, actor)

    def appoint(seat: _Seat, method: str, term_start: dt.date, term_end: dt.date | None = None, **extra) -> Appointment:
        level = seat.post.level
        probation_end = None
        if seat.role in (HEAD, DEPUTY) and policy.leadership_probation_months:
            probation_end = term_start + relativedelta(months=policy.leadership_probation_months) - ONE_DAY
        elif method == _M.SOCIAL:
            probation_end = term_start + dt.timedelta(days=182)
        negotiated = Decimal(500 * rng.randint(36, 60)).quantize(Decimal("0.01")) if level.is_negotiated else None
        appointment = Appointment(
            person=person,
            post=seat.post,
            method=method,
            term_start=term_start,
            term_end=term_end or term_start + relativedelta(years=policy.default_term_years) - ONE_DAY,
            salary_grade=None if level.is_negotiated else _grade(rng, scale, level),
            negotiated_salary=negotiated,
            probation_end=probation_end,
            **extra,
        )
        plan.appointments.append(appointment)
        return appointment

    def change(from_status: str, to_status: str, on: dt.date, reason: str) -> None:
        plan.changes.append(
            StatusChange(
                person=person, from_status=from_status, to_status=to_status, changed_on=on, reason=reason, actor=actor
            )
        )

    if plan.former is not None:
        method = _pick(rng, {_M.COMPETITIVE: 85, _M.TWO_WAY: 10, _M.DIRECT: 5})
        change(_S.PENDING, _S.ON_POST, FIRST_ROUND, f"2024年全员竞聘上岗，聘任至{_post_label(plan.former)}")
        # End dates and kinds as staffing.services writes them: a transfer ends the day
        # before the new post starts; waiting and leaving end on the day itself.
        if plan.path == "transfer":
            until, kind, reason = TRANSFER_ROUND - ONE_DAY, _END.TRANSFERRED, "2025年双向选择转岗"
        elif plan.status == _S.WAITING:
            until, kind, reason = WAITING_ROUND, _END.WAITING, _WAITING_REASON
        else:
            until, kind, reason = left_on, _END_KINDS[plan.status], rng.choice(_END_REASONS[plan.status])
        former = appoint(
            plan.former,
            method,
            FIRST_ROUND,
            status=Appointment.Status.ENDED,
            ended_on=until,
            end_kind=kind,
            end_reason=reason,
        )
        if plan.status != _S.ON_POST:
            change(_S.ON_POST, plan.status, until, reason)
    elif plan.status == _S.WAITING:
        change(_S.PENDING, _S.WAITING, WAITING_ROUND, _WAITING_REASON)

    if plan.seat is not None:
        seat = plan.seat
        if plan.path == "transfer":
            method = _pick(rng, {_M.TWO_WAY: 70, _M.SELF_RECOMMENDATION: 30})
            appoint(seat, method, TRANSFER_ROUND, term_end=former.term_end)  # the term runs on
        elif plan.path == "special":
            appoint(seat, _M.DIRECT, start)
            change(_S.PENDING, _S.ON_POST, start, f"特聘人才直接聘任为{_post_label(seat)}")
        elif plan.path == "social":
            appoint(seat, _M.SOCIAL, start)
            change(_S.PENDING, _S.ON_POST, start, f"社会招聘录用，聘任至{_post_label(seat)}")
        else:
            if seat.role == HEAD:
                method = _pick(rng, {_M.COMPETITIVE: 90, _M.DIRECT: 10})
            else:
                method = _pick(rng, {_M.COMPETITIVE: 82, _M.TWO_WAY: 12, _M.DIRECT: 6})
            appoint(seat, method, FIRST_ROUND)
            change(_S.PENDING, _S.ON_POST, FIRST_ROUND, f"2024年全员竞聘上岗，聘任至{_post_label(seat)}")


# --- Logins ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    roles: tuple[Role, ...]
    name: str  # shown when the login has no person record


DEMO_USERS = (
    DemoUser("hr", (Role.HR_OFFICER,), "林晓燕"),
    DemoUser("head_a", (Role.DEPARTMENT_HEAD, Role.STAFF_MEMBER), ""),
    DemoUser("head_b", (Role.DEPARTMENT_HEAD, Role.STAFF_MEMBER), ""),
    DemoUser("judge", (Role.JUDGE,), "周启明"),  # external committee member: no person record
    DemoUser("finance", (Role.FINANCE_OFFICER,), "陈丽华"),
    DemoUser("leader", (Role.LEADERSHIP,), "王建军"),
    DemoUser("inspector", (Role.DISCIPLINE_INSPECTOR,), "赵志刚"),
    DemoUser("staff", (Role.STAFF_MEMBER,), ""),
)


def _demo_password_hash() -> str:
    return _password_hash(settings.PASSWORD_HASHERS[0])


@cache
def _password_hash(hasher: str) -> str:
    # One hash for every login and every build in a process, per hasher in use: hashing is
    # deliberately slow (over a second here) and this password is printed for all to see.
    return make_password(DEMO_PASSWORD)


def _users_upsert() -> dict[str, User]:
    groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    password = _demo_password_hash()
    users = {}
    for demo in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=demo.username,
            defaults={"first_name": demo.name, "last_name": "", "password": password},
        )
        user.groups.set([groups[role] for role in demo.roles])
        users[demo.username] = user
    return users


@dataclass(frozen=True)
class DemoLogin:
    username: str
    roles: tuple[Role, ...]
    password: str
    person: str  # who the login is, e.g. "王建国 · 招商一部部长"


def demo_logins() -> list[DemoLogin]:
    """The demo logins with the person and post each stands for (two queries)."""
    users = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}
    active = {
        a.person.user_id: a
        for a in Appointment.objects.filter(
            status=Appointment.Status.ACTIVE, person__user__username__in=list(users)
        ).select_related("person", "post__department")
    }
    logins = []
    for demo in DEMO_USERS:
        user = users.get(demo.username)
        appointment = active.get(user.pk) if user else None
        if appointment is not None:
            who = f"{appointment.person.name} · {appointment.post.department.name}{appointment.post.name}"
        else:
            who = user.get_full_name() if user else ""
        logins.append(DemoLogin(demo.username, demo.roles, DEMO_PASSWORD, who))
    return logins


# --- Entry points ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    staff: int
    zones: int
    departments: int
    posts: int
    headcount: int
    held: int
    archival_events: int
    status_counts: dict[str, int]


class DemoZoneExistsError(Exception):
    """The database already holds departments; flush it first."""


def demo_zone_exists() -> bool:
    return Department.objects.exists()


_ZONE_MODELS = (
    Department,
    PostSeries,
    PositionLevel,
    SalaryGrade,
    Post,
    Person,
    ArchivalRecord,
    ArchivalEvent,
    Appointment,
    StatusChange,
)


def demo_zone_flush() -> None:
    """Empty the tables the demo zone fills, and every table that points at them (hiring,
    assessment and pay data of the old zone), as TRUNCATE ... CASCADE does. Logins and the
    staffing policy are kept.

    Row-by-row deletes would go through the audit signals; see the module docstring."""
    tables = [model._meta.db_table for model in _ZONE_MODELS]
    if connection.vendor == "postgresql":
        # PostgreSQL refuses to TRUNCATE a table with deferred foreign-key checks still
        # pending from this transaction (rows written earlier in it); run them now.
        connection.check_constraints()
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, allow_cascade=True))


def _bulk(model, rows: Iterable) -> int:
    rows = list(rows)
    model.objects.bulk_create(rows, batch_size=_BATCH)
    return len(rows)


def demo_zone_build(*, staff: int = DEFAULT_STAFF, seed: int = DEFAULT_SEED) -> DemoSummary:
    """Build the demo zone into an empty staffing schema (see demo_zone_flush).

    Run it inside transaction.atomic: the writes are many and belong together.
    """
    if staff < MIN_STAFF:
        raise ValueError(f"The demo zone needs at least {MIN_STAFF} staff, not {staff}.")
    if demo_zone_exists():
        raise DemoZoneExistsError("The database already has departments; flush them before building the demo zone.")
    rng = random.Random(seed)
    policy = StaffingPolicy.current()  # contract term and probation as the administrator set them
    counts = status_counts_for(staff)
    zones = math.ceil(staff / STAFF_PER_ZONE)
    scale = _pay_scale_create()
    departments = _departments_create(zones)
    seats = _posts_create(departments, scale, counts[_S.ON_POST])
    plans = _plans(rng, counts, seats)

    users = _users_upsert()  # the HR officer records the history; linked logins take their person's name
    taken_ids: set[str] = set()
    for plan in plans:
        _person_build(rng, plan, scale, policy, users["hr"], taken_ids)
    for plan in plans:
        if plan.login:
            user = users[plan.login]
            plan.person.user = user
            user.first_name = plan.person.name
            user.save(update_fields=["first_name"])

    _bulk(Person, (plan.person for plan in plans))
    _bulk(ArchivalRecord, (plan.record for plan in plans))
    events = _bulk(ArchivalEvent, (row for plan in plans for row in plan.events))
    _bulk(Appointment, (row for plan in plans for row in plan.appointments))
    _bulk(StatusChange, (row for plan in plans for row in plan.changes))
    return DemoSummary(
        staff=staff,
        zones=zones,
        departments=len(departments),
        posts=len(seats),
        headcount=sum(seat.post.headcount for seat in seats),
        held=counts[_S.ON_POST],
        archival_events=events,
        status_counts=dict(Counter(plan.status for plan in plans)),
    )
