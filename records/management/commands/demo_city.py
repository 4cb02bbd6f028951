"""`manage.py demo_city`: a believable demo city, built through the services, loaded once.

临江市 (a fictional prefecture-level city with 3301xx-style region codes): the municipal government and its
departments, three districts and a county with their departments, sub-districts, towns, residents' and villagers'
committees; a few hundred civil servants with integrity files; one demo user per role. The content comes from a
seeded random generator, so every machine gets the same city; a second run finds the city by its code and adds
nothing.
"""

import datetime
import os
import random
import secrets
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from accounts.models import Role, User
from accounts.services import user_create
from records.codes import make_uscc
from records.models import Agency, AgencyKind, AssessmentResult, CivilServant, Sector
from records.personal_data import make_id_number
from records.services import (
    agency_create,
    assessment_record,
    civil_servant_create,
    civil_servant_move,
    matters_report_record,
    training_record,
)
from workcalendar.services import calendar_seed_supported_years

SEED = 20260401
CITY = "临江市"
CITY_REGION = "330100"
# The city is recognised by this code on the next run.
CITY_USCC = make_uscc(f"11{CITY_REGION}002490658")
PASSWORD_FILE = "demo-password.txt"  # noqa: S105 - a file name, not a password
ASSESSMENT_YEARS = (2023, 2024, 2025)
REPORT_YEARS = (2024, 2025)

# Departments of every government: (name, kind, public institutions under it). The 信用办 is the unit; credit-office
# users belong to the government above it, whose whole region they oversee (accounts/scope.py).
CITY_DEPARTMENTS: list[tuple[str, list[str]]] = [
    ("财政局", ["国库支付中心", "政府采购中心"]),
    ("发展和改革委员会", ["公共信用信息中心"]),
    ("公共资源交易监督管理局", ["公共资源交易中心"]),
    ("投资促进局", []),
    ("生态环境局", ["环境监测站"]),
    ("人力资源和社会保障局", ["社会保险管理服务中心"]),
    ("信用办", []),
    ("市场监督管理局", []),
    ("住房和城乡建设局", []),
]
LOCAL_DEPARTMENTS: list[tuple[str, list[str]]] = [
    ("财政局", ["国库支付中心"]),
    ("发展和改革局", []),
    ("公共资源交易监督管理局", []),
    ("投资促进局", []),
    ("生态环境局", []),
    ("人力资源和社会保障局", []),
    ("信用办", []),
    ("市场监督管理局", []),
]


@dataclass
class District:
    name: str  # 东城区
    region: str
    subdistricts: list[str]
    towns: list[str]
    county: bool = False


DISTRICTS = [
    District("东城区", "330102", ["江滨街道", "望湖街道", "文昌街道"], ["桃源镇"]),
    District("西城区", "330105", ["凤凰街道", "清河街道"], ["白沙镇", "石桥镇"]),
    District("南湖区", "330106", ["南湖街道", "月湾街道"], ["龙泉镇", "云溪镇"]),
    District("青山县", "330127", ["青山街道"], ["双溪镇", "梅岭镇", "竹坞镇"], county=True),
]
COMMUNITIES = [
    "滨江", "春晖", "翠苑", "和平", "朝阳", "长庆", "紫荆", "金桥", "柳营", "新华", "景芳", "东园",
    "湖滨", "明月", "锦绣", "清泰", "采荷", "丁兰", "凯旋", "闸弄口", "古荡", "文新", "嘉绿", "华星",
]  # fmt: skip
VILLAGES = [
    "大溪", "上塘", "里山", "石门", "高桥", "横山", "下宅", "陈家", "沙田", "岭脚", "东坞", "茶园",
    "梅坞", "杨柳", "前山", "后畈", "新塘", "枫林", "竹溪", "白鹤", "马岭", "桂花", "金竹", "双桥",
]  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文俊峰斌婷雪琳晨宇浩然子涵欣怡"
    "佳琪思远嘉懿梓萱雨泽博文天佑晓东海燕春梅立新国庆卫东振华永胜德明清源慧敏若曦一鸣"
)
BIRTHPLACES = ["330102", "330105", "330106", "330108", "330127", "330182", "330522", "331002", "320102", "340104"]
TRAININGS = [
    ("政务诚信建设专题培训", Decimal("4.0")),
    ("《信用修复管理办法》政策解读", Decimal("2.0")),
    ("社会信用体系建设业务培训", Decimal("8.0")),
    ("公务员诚信教育网络专题班", Decimal("16.0")),
    ("廉洁从政警示教育", Decimal("3.0")),
    ("政府采购领域诚信履约培训", Decimal("3.5")),
]
REPORT_SUMMARIES = [
    "本人婚姻状况、因私出入境证件持有情况、配偶子女从业情况均无变化。",
    "配偶工作单位变动，已如实报告。",
    "子女出国（境）留学，已如实报告。",
    "本人及配偶名下房产、投资情况无变化。",
]
MOVE_REASONS = ["工作调动", "轮岗交流", "干部交流任职"]


@dataclass
class Built:
    agencies: dict[str, Agency] = field(default_factory=dict)
    people: list[CivilServant] = field(default_factory=list)
    uscc_bodies: set[str] = field(default_factory=set)
    id_numbers: set[str] = field(default_factory=set)


# Demo users: (username, role, agency name, sector, full name).
DEMO_USERS: list[tuple[str, str, str, str, str]] = [
    ("demo-clerk", Role.CLERK, "东城区财政局", "", "周晓雯"),
    ("demo-reviewer", Role.REVIEWER, "东城区财政局", "", "陆建平"),
    ("demo-office", Role.CREDIT_OFFICE, "临江市东城区人民政府", "", "沈佳怡"),
    ("demo-sector", Role.SECTOR_AUTHORITY, "临江市东城区人民政府", Sector.PROCUREMENT, "钱立新"),
    ("demo-inspector", Role.INSPECTOR, "临江市人民政府", "", "韩卫东"),
    ("demo-admin", Role.ADMINISTRATOR, "临江市人民政府", "", "孔德明"),
    ("demo-clerk-2", Role.CLERK, "西城区财政局", "", "邱雨泽"),
]


def demo_password(var_dir: Path) -> tuple[str, str]:
    """The demo users' password and where it came from: DEMO_PASSWORD, or one generated once and kept in var/."""
    if settings.DEMO_PASSWORD:
        return settings.DEMO_PASSWORD, "DEMO_PASSWORD"
    path = var_dir / PASSWORD_FILE
    if path.exists() and path.read_text().strip():
        return path.read_text().strip(), str(path)
    password = secrets.token_urlsafe(12)
    var_dir.mkdir(parents=True, exist_ok=True)
    # Created readable by its owner only: it is a login to every role.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(password + "\n")
    return password, str(path)


class CityBuilder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.built = Built()

    # Agencies ----------------------------------------------------------------------------------------------------

    def uscc(self, prefix: str, region: str) -> str:
        while True:
            body = "".join(self.rng.choice("0123456789") for _ in range(8)) + self.rng.choice("0123456789X")
            if body not in self.built.uscc_bodies:
                self.built.uscc_bodies.add(body)
                return make_uscc(f"{prefix}{region}{body}")

    def agency(self, name: str, kind: str, region: str, parent: Agency | None, *, uscc: str = "") -> Agency:
        prefix = {
            AgencyKind.PUBLIC_INSTITUTION: "12",
            AgencyKind.RESIDENTS_COMMITTEE: "54",
            AgencyKind.VILLAGERS_COMMITTEE: "54",
        }.get(kind, "11")
        created = agency_create(
            actor=None,
            name=name,
            kind=kind,
            uscc=uscc or self.uscc(prefix, region),
            region_code=region,
            parent=parent,
            reason="演示数据",
        )
        self.built.agencies[name] = created
        return created

    def departments(self, government: Agency, prefix: str, region: str, table: list[tuple[str, list[str]]]) -> None:
        for name, institutions in table:
            department = self.agency(f"{prefix}{name}", AgencyKind.DEPARTMENT, region, government)
            for institution in institutions:
                self.agency(f"{prefix}{name}{institution}", AgencyKind.PUBLIC_INSTITUTION, region, department)

    def city(self) -> None:
        city = self.agency(f"{CITY}人民政府", AgencyKind.GOVERNMENT, CITY_REGION, None, uscc=CITY_USCC)
        self.departments(city, CITY, CITY_REGION, CITY_DEPARTMENTS)
        communities = list(COMMUNITIES)
        villages = list(VILLAGES)
        self.rng.shuffle(communities)
        self.rng.shuffle(villages)
        for district in DISTRICTS:
            government = self.agency(f"{CITY}{district.name}人民政府", AgencyKind.GOVERNMENT, district.region, city)
            self.departments(government, district.name, district.region, LOCAL_DEPARTMENTS)
            for subdistrict_name in district.subdistricts:
                subdistrict = self.agency(
                    f"{district.name}{subdistrict_name}办事处", AgencyKind.SUBDISTRICT, district.region, government
                )
                for _ in range(self.rng.randint(2, 3)):
                    self.agency(
                        f"{subdistrict_name}{communities.pop()}社区居民委员会",
                        AgencyKind.RESIDENTS_COMMITTEE,
                        district.region,
                        subdistrict,
                    )
            for town_name in district.towns:
                town = self.agency(f"{district.name}{town_name}人民政府", AgencyKind.TOWN, district.region, government)
                for _ in range(self.rng.randint(2, 3)):
                    self.agency(
                        f"{town_name}{villages.pop()}村村民委员会",
                        AgencyKind.VILLAGERS_COMMITTEE,
                        district.region,
                        town,
                    )

    # People ------------------------------------------------------------------------------------------------------

    def staffing(self, agency: Agency) -> list[tuple[str, str]]:
        """(position, rank) of the people of an agency, its principal responsible person first."""
        rng = self.rng
        city_level = agency.region_code == CITY_REGION
        if agency.kind == AgencyKind.GOVERNMENT:
            if agency.parent_id is None:
                return [
                    ("市长", "正厅级"),
                    ("副市长", "副厅级"),
                    ("副市长", "副厅级"),
                    ("秘书长", "正处级"),
                    ("科员", "一级科员"),
                ]
            head = "县长" if "县" in agency.name else "区长"
            return [(head, "正处级"), (f"副{head}", "副处级"), ("办公室主任", "正科级"), ("科员", "一级科员")]
        if agency.kind == AgencyKind.DEPARTMENT:
            head = "主任" if agency.name.endswith(("委员会", "信用办")) else "局长"
            staff = [(head, "正处级" if city_level else "正科级"), (f"副{head}", "副处级" if city_level else "副科级")]
            staff += [("科长", "正科级" if city_level else "一级主任科员") for _ in range(rng.randint(1, 2))]
            staff += [("副科长", "副科级" if city_level else "三级主任科员")]
            staff += [("科员", rng.choice(["一级科员", "二级科员", "四级主任科员"])) for _ in range(rng.randint(1, 2))]
            return staff
        if agency.kind == AgencyKind.PUBLIC_INSTITUTION:
            return [("主任", "管理岗位五级"), ("副主任", "管理岗位六级"), ("工作人员", "管理岗位九级")]
        if agency.kind == AgencyKind.SUBDISTRICT:
            return [("主任", "正科级"), ("副主任", "副科级"), ("科员", "一级科员")]
        if agency.kind == AgencyKind.TOWN:
            return [("镇长", "正科级"), ("副镇长", "副科级"), ("科员", "一级科员")]
        # Committee members are not civil servants but answer for the committee's records (公务人员 in the seeds).
        return [("主任", "")] + [("委员", "")] * rng.randint(0, 1)

    def person_name(self) -> str:
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.7 else "")
        return self.rng.choice(SURNAMES) + given

    def id_number(self, agency: Agency, age: int) -> str:
        region = agency.region_code if self.rng.random() < 0.6 and agency.region_code != CITY_REGION else None
        while True:
            birth = datetime.date(2025 - age, 1, 1) + datetime.timedelta(days=self.rng.randrange(365))
            number = make_id_number(region or self.rng.choice(BIRTHPLACES), birth, self.rng.randrange(1, 1000))
            if number not in self.built.id_numbers:
                self.built.id_numbers.add(number)
                return number

    def people(self) -> None:
        for agency in self.built.agencies.values():
            for index, (position, rank) in enumerate(self.staffing(agency)):
                age = self.rng.randint(45, 58) if index == 0 else self.rng.randint(24, 55)
                self.built.people.append(
                    civil_servant_create(
                        actor=None,
                        name=self.person_name(),
                        id_number=self.id_number(agency, age),
                        agency=agency,
                        position=position,
                        rank=rank,
                        is_principal=index == 0,
                    )
                )

    # Integrity files ---------------------------------------------------------------------------------------------

    def files(self, actor: User) -> None:
        rng = self.rng
        today = datetime.date.today()
        for person in self.built.people:
            if not person.rank:  # committee members: no civil-service assessment
                continue
            for year in ASSESSMENT_YEARS:
                if year > today.year:
                    continue
                roll = rng.random()
                result = (
                    AssessmentResult.EXCELLENT
                    if roll < 0.15
                    else AssessmentResult.COMPETENT
                    if roll < 0.96
                    else AssessmentResult.BASICALLY_COMPETENT
                    if roll < 0.99
                    else AssessmentResult.INCOMPETENT
                )
                assessment_record(actor=actor, person=person, year=year, result=result)
            for _ in range(rng.choice([0, 1, 1, 2])):
                title, hours = rng.choice(TRAININGS)
                attended_on = min(datetime.date(2023, 3, 1) + datetime.timedelta(days=rng.randrange(1000)), today)
                organizer = rng.choice([f"{CITY}信用办", f"中共{CITY}委党校", f"{CITY}人力资源和社会保障局"])
                training_record(
                    actor=actor, person=person, title=title, attended_on=attended_on, hours=hours, organizer=organizer
                )
            if person.is_principal or person.position.startswith("副"):
                for year in REPORT_YEARS:
                    reported_on = datetime.date(year + 1, 1, 10) + datetime.timedelta(days=rng.randrange(60))
                    if reported_on <= today:
                        matters_report_record(
                            actor=actor,
                            person=person,
                            year=year,
                            reported_on=reported_on,
                            summary=rng.choice(REPORT_SUMMARIES),
                        )

    def moves(self, actor: User, count: int = 8) -> None:
        """A few transfers between departments of the same district (调动), kept in each person's history."""
        candidates = [p for p in self.built.people if p.position == "科员" and p.agency.kind == AgencyKind.DEPARTMENT]
        for person in self.rng.sample(candidates, min(count, len(candidates))):
            siblings = [
                a
                for a in self.built.agencies.values()
                if a.parent_id == person.agency.parent_id
                and a.kind == AgencyKind.DEPARTMENT
                and a.pk != person.agency_id
            ]
            if siblings:
                civil_servant_move(
                    actor=actor,
                    person=person,
                    to_agency=self.rng.choice(siblings),
                    moved_on=datetime.date(2024, 3, 1) + datetime.timedelta(days=self.rng.randrange(540)),
                    reason=self.rng.choice(MOVE_REASONS),
                )

    # Users -------------------------------------------------------------------------------------------------------

    def users(self, password: str) -> dict[str, User]:
        users = {}
        for username, role, agency_name, sector, full_name in DEMO_USERS:
            users[username] = user_create(
                username=username,
                password=password,
                role=role,
                agency=self.built.agencies[agency_name],
                sector=sector,
                full_name=full_name,
            )
        return users


def build_city(password: str, seed: int = SEED) -> Built:
    builder = CityBuilder(random.Random(seed))
    builder.city()
    builder.people()
    users = builder.users(password)
    builder.files(users["demo-admin"])
    builder.moves(users["demo-admin"])
    return builder.built


class Command(BaseCommand):
    help = (
        "Load the demo city 临江市 (≥ 60 agencies, ≥ 200 civil servants with integrity files, one user per role) "
        "through the services, and configure the working-day calendar. Loading twice changes nothing. "
        "The demo users' password is DEMO_PASSWORD, or one generated once and kept in var/demo-password.txt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet-password", action="store_true", help="Do not print a generated password.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        password, source = demo_password(Path(settings.VAR_DIR))
        if Agency.objects.filter(uscc=CITY_USCC).exists():
            self.stdout.write(f"The demo city {CITY} is already loaded; nothing added.")
            self._align_passwords(password)
        else:
            with transaction.atomic():
                built = build_city(password)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded the demo city {CITY}: {len(built.agencies)} agencies, {len(built.people)} civil servants "
                    f"({time.monotonic() - started:.1f} s)."
                )
            )
        years = calendar_seed_supported_years()
        if years:
            self.stdout.write(f"Working-day calendar configured for {years[0]}–{years[-1]}.")
        self._print_users(password, source, quiet=options["quiet_password"])

    def _align_passwords(self, password: str) -> None:
        # The password printed below must be the one that works, even if DEMO_PASSWORD changed since the first run.
        # The password is not part of the history trail (accounts.User.history excludes it): a plain UPDATE.
        for user in User.objects.filter(username__in=[row[0] for row in DEMO_USERS]):
            if not user.check_password(password):
                User.objects.filter(pk=user.pk).update(password=make_password(password))

    def _print_users(self, password: str, source: str, *, quiet: bool) -> None:
        roles = dict(Role.choices)
        self.stdout.write("")
        self.stdout.write("Demo users:")
        for username, role, agency_name, _sector, _name in DEMO_USERS:
            self.stdout.write(f"  {username:<16} {roles[role]!s:<18} {agency_name}")
        if source == "DEMO_PASSWORD":
            self.stdout.write("Password: the value of DEMO_PASSWORD.")
        elif quiet:
            self.stdout.write(f"Password: kept in {source}.")
        else:
            self.stdout.write(self.style.WARNING(f"Password: {password}   (generated once, kept in {source})"))
