"""`manage.py demo_city`: a believable demo city, built through the services, loaded once.

临江市 (a fictional prefecture-level city with 3301xx-style region codes): the municipal government and its
departments, three districts and a county with their departments, sub-districts, towns, residents' and villagers'
committees; a few hundred civil servants with integrity files; one demo user per role; and some eighty dishonesty
records in every state and tier, decided from 2022 to 2026 so the 2019, 2023 and 2026 disclosure rules all show, each
taken through the services by the demo users (events, measures, rectifications, some of them overdue); objections,
complaints and repairs (repair/demo.py); and public commitments of every kind in every state (demo/commitments.py).
The content comes from a seeded random generator, so every machine gets the same city; a second run finds the city by
its code and its records by their subjects, and adds nothing.
"""

import datetime
import os
import random
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.db import models, transaction
from django.utils import timezone

from accounts.models import Role, Sector, User
from accounts.services import user_create
from demo.commitments import build_commitments, commitments_loaded
from demo.debt import demo_debt, demo_debt_loaded
from demo.evaluation import demo_evaluation, demo_evaluation_loaded
from demo.investment import demo_investment, demo_investment_loaded
from demo.ppp import demo_ppp, demo_ppp_loaded
from demo.procurement import demo_procurement, procurement_loaded
from demo.reports import demo_reports, demo_reports_loaded
from demo.streets import demo_streets, demo_streets_loaded
from demo.supervision_complaints import demo_complaints, demo_complaints_loaded
from demo.supervision_inspections import demo_inspections, demo_inspections_loaded
from demo.supervision_ledger import demo_ledger, demo_ledger_loaded
from demo.supervision_suggestions import demo_supervision_suggestions, demo_supervision_suggestions_loaded
from demo.tendering import demo_tendering, tendering_loaded
from records.disclosure import add_months
from records.models import DishonestyRecord, MeasureState, RecordSource, Rectification, ResponsibilityKind
from records.services import (
    RecordInput,
    measure_set_state,
    record_correct,
    record_create,
    record_publish,
    record_request_review,
    record_return,
    record_revoke,
    record_submit,
    record_update,
    records_expire_due,
    rectification_submit,
)
from repair.demo import build_cases, cases_loaded
from subjects.codes import make_uscc
from subjects.models import Agency, AgencyKind, AnnualAssessment, AssessmentResult, CivilServant
from subjects.personal_data import id_number_check_digit, make_id_number
from subjects.services import (
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
    ("demo-office-2", Role.CREDIT_OFFICE, "临江市东城区人民政府", "", "许明轩"),
    ("demo-sector", Role.SECTOR_AUTHORITY, "临江市东城区人民政府", Sector.PROCUREMENT, "钱立新"),
    ("demo-inspector", Role.INSPECTOR, "临江市人民政府", "", "韩卫东"),
    ("demo-admin", Role.ADMINISTRATOR, "临江市人民政府", "", "孔德明"),
    ("demo-clerk-2", Role.CLERK, "西城区财政局", "", "邱雨泽"),
    ("demo-city-office", Role.CREDIT_OFFICE, "临江市人民政府", "", "蒋文静"),
    ("demo-city-office-2", Role.CREDIT_OFFICE, "临江市人民政府", "", "陈思远"),
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
        prefixes: dict[str, str] = {
            AgencyKind.PUBLIC_INSTITUTION: "12",
            AgencyKind.RESIDENTS_COMMITTEE: "54",
            AgencyKind.VILLAGERS_COMMITTEE: "54",
        }
        prefix = prefixes.get(kind, "11")
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


# Dishonesty records ---------------------------------------------------------------------------------------------------

RECORD_SEED = SEED + 3
# How many records end in each state. Expired ones were decided in 2022–2023 (the 2019 and 2023 rules) and their
# windows have closed; those in force were decided from 2024 on; the pending ones recently.
STATE_COUNTS = {
    "draft": 8,
    "awaiting_review": 3,
    "submitted": 7,
    "returned": 5,
    "published": 34,
    "corrected": 8,
    "revoked": 6,
    "expired": 14,
}
# The two finance bureaus the demo clerks work in get records in the states their queues show ("person:": about one
# of its civil servants).
PINNED = {
    "东城区财政局": ["draft", "draft", "awaiting_review", "submitted", "returned", "returned", "published",
                 "person:published", "corrected", "revoked", "expired"],
    "西城区财政局": ["draft", "submitted", "published", "expired"],
}  # fmt: skip
PERSON_RECORDS = 8
SEVERITY_CYCLE = ["general", "serious", "general", "minor", "serious", "general", "serious", "general", "serious"]
PROJECTS = [
    "城区道路改造工程", "智慧政务平台采购项目", "老旧小区改造项目", "污水处理厂提标改造工程", "体育中心PPP项目",
    "农村饮水安全工程", "产业园区基础设施项目", "学校食堂设备采购项目", "社区养老服务中心建设项目", "河道综合整治工程",
]  # fmt: skip


@dataclass(frozen=True)
class Case:
    """A kind of dishonesty: where it comes from, who decides it, and how it reads."""

    source: str
    sector: str
    facts: str  # {agency} {project} {amount}
    legal_basis: str
    categories: str
    decided_by: str  # "court", a department name of the subject's region ("生态环境局"), or an outside body
    special_field: str = ""
    fined: bool = False


UNIT_CASES = [
    Case("breach_of_contract", Sector.PROCUREMENT,
         "{agency}在{project}政府采购合同履行中，逾期未向中标供应商支付货款{amount}万元，经多次催告仍未支付。",
         "《保障中小企业款项支付条例》第八条、第十五条", "拖欠账款", "court"),
    Case("dishonest_debtor", Sector.OTHER,
         "{agency}作为被执行人，有履行能力而拒不履行生效判决确定的给付义务{amount}万元，被人民法院纳入失信被执行人名单。",
         "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条", "失信被执行人", "court"),
    Case("utility_arrears", Sector.OTHER, "{agency}办公场所欠缴水电费{amount}万元，逾期超过六个月未缴纳。",
         "《国务院办公厅关于开展政府机构失信问题专项治理的通知》", "欠缴水电费", "court"),
    Case("administrative_penalty", Sector.ENVIRONMENT,
         "{agency}实施的{project}未依法报批环境影响评价文件即开工建设。",
         "《中华人民共和国环境影响评价法》第二十五条、第三十一条", "环境违法", "生态环境局", fined=True),
    Case("broken_commitment", Sector.INVESTMENT,
         "{agency}未兑现招商引资协议中承诺的{project}扶持资金{amount}万元，且未履行合法变更程序。",
         "《优化营商环境条例》第三十一条", "政策承诺未兑现", "court"),
    Case("sector_finding", Sector.TENDERING,
         "{agency}在{project}招标中设置不合理的资格条件，限制、排斥潜在投标人。",
         "《中华人民共和国招标投标法实施条例》第三十二条", "招标违规", "公共资源交易监督管理局"),
    Case("sector_finding", Sector.PPP,
         "{agency}在{project}执行阶段未按合同约定支付可行性缺口补助{amount}万元。",
         "《政府和社会资本合作项目财政管理暂行办法》第二十一条", "PPP合同违约", "财政局"),
    Case("judicial_judgment", Sector.DEBT, "{agency}未按期偿还到期政府债务本息{amount}万元，经法院判决后仍未履行。",
         "《中华人民共和国预算法》第九十四条", "债务违约", "court"),
    Case("administrative_penalty", Sector.SUBSIDIES, "{agency}违规发放{project}财政补贴资金{amount}万元。",
         "《财政违法行为处罚处分条例》第六条", "财政违法", "财政局", fined=True),
    Case("judicial_judgment", Sector.LAW_ENFORCEMENT,
         "{agency}作出的行政行为被人民法院判决确认违法，负责人未依法出庭应诉。",
         "《中华人民共和国行政诉讼法》第三条、第九十六条", "行政败诉", "court"),
    Case("breach_of_contract", Sector.STREETS_TOWNS,
         "{agency}未履行{project}公共服务承诺，拖欠服务费用{amount}万元。",
         "《中华人民共和国民法典》第五百七十七条", "违约毁约", "court"),
    Case("administrative_penalty", Sector.OTHER,
         "{agency}在{project}施工现场未落实安全生产责任，发生一般生产安全事故。",
         "《中华人民共和国安全生产法》第一百一十四条", "安全生产", f"{CITY}应急管理局",
         special_field="work_safety", fined=True),
]  # fmt: skip
PERSON_CASES = [
    Case("disciplinary_sanction", Sector.OTHER,
         "{person}在担任{position}期间，违规干预{project}招标，造成不良影响，给予党内警告处分。",
         "《中国共产党纪律处分条例》第一百二十六条", "纪律处分", f"中共{CITY}纪律检查委员会"),
    Case("government_sanction", Sector.LAW_ENFORCEMENT,
         "{person}在担任{position}期间，对{project}监管失职，给予政务记过处分。",
         "《中华人民共和国公职人员政务处分法》第三十九条", "政务处分", f"{CITY}监察委员会"),
    Case("accountability", Sector.PROCUREMENT,
         "{person}作为{position}，对本单位拖欠{project}供应商账款负有直接责任，予以通报问责。",
         "《中国共产党问责条例》第七条", "问责处理", f"中共{CITY}纪律检查委员会"),
]  # fmt: skip
COURTS = {
    CITY_REGION: f"{CITY}中级人民法院",
    **{district.region: f"{CITY}{district.name}人民法院" for district in DISTRICTS},
}
# 文书号 abbreviations of the deciding bodies (临环罚〔2024〕3号).
DOCUMENT_ABBREVIATIONS = {
    "生态环境局": "环",
    "财政局": "财",
    "公共资源交易监督管理局": "公管",
    "应急管理局": "应急",
    "纪律检查委员会": "纪",
    "监察委员会": "监",
}
RETURN_REASONS = [
    "请补充判决书等证据材料后再报送。",
    "文书号与决定书不一致，请核对。",
    "失信行为发生日期有误，请核实。",
]
CORRECT_REASONS = ["依据更正决定书更正文书笔误。", "经核实，罚款金额录入有误。"]
REVOKE_REASONS = ["原处罚决定已被依法撤销。", "经复核，该记录认定事实不清，予以撤销。"]
ANSWERS = [
    "已召开专题会议研究整改，拖欠款项已全部结清，并建立账款支付台账。",
    "已完成问题整改并建立长效机制，相关责任人已作出书面检查。",
    "已与债权人达成还款协议并按期履行完毕。",
]
SUSPEND_REASON = "主体提出异议，核查期间暂停惩戒措施。"


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


class RecordsBuilder:
    """Records taken through the workflow by the demo users, as the agencies and credit offices would."""

    def __init__(self, rng: random.Random, users: dict[str, User], today: datetime.date) -> None:
        self.rng = rng
        self.users = users
        self.today = today
        city = Agency.objects.get(uscc=CITY_USCC)
        self.agencies = {a.name: a for a in Agency.objects.subtree_of(city).order_by("pk")}
        self.east = self.agencies[f"{CITY}东城区人民政府"]
        self.numbers: Counter[str] = Counter()
        self.outside_codes: dict[str, str] = {}
        self.built: Counter[str] = Counter()

    # Who does what: an agency's own clerk and reviewer where the demo has them, else its region's credit office.

    def actors(self, agency: Agency) -> tuple[User, User, User]:
        """Who enters, who submits and who decides on a record about `agency`. Never one person submitting and
        publishing (record_publish refuses it): for agencies without their own users, a colleague in the credit
        office enters and submits on the agency's behalf, and demo-office (demo-city-office) verifies."""
        clerk, reviewer, office = self.users["demo-clerk"], self.users["demo-reviewer"], self.users["demo-office"]
        city_office, city_colleague = self.users["demo-city-office"], self.users["demo-city-office-2"]
        if agency.pk == clerk.agency_id:
            return clerk, reviewer, office
        if agency.path.startswith(self.east.path):
            colleague = self.users["demo-office-2"]
            return colleague, colleague, office
        if agency.pk == self.users["demo-clerk-2"].agency_id:
            return self.users["demo-clerk-2"], city_colleague, city_office
        return city_colleague, city_colleague, city_office

    # What a record says.

    def plan(self) -> list[tuple[str, Agency, bool]]:
        """(final state, subject agency, about a civil servant) for every record, in a fixed order."""
        remaining = Counter(STATE_COUNTS)
        planned = []
        for name, states in PINNED.items():
            for pinned in states:
                state = pinned.removeprefix("person:")
                planned.append((state, self.agencies[name], pinned != state))
                remaining[state] -= 1
        others = [a for a in self.agencies.values() if a.name not in PINNED and a.parent_id is not None]
        # Records about a civil servant: in agencies whose staff hold a civil-service rank (not committees).
        ranked = [a for a in others if a.kind not in {AgencyKind.RESIDENTS_COMMITTEE, AgencyKind.VILLAGERS_COMMITTEE}]
        free = [state for state, count in sorted(remaining.items()) for _ in range(count)]
        self.rng.shuffle(free)
        people = set(self.rng.sample(range(len(free)), PERSON_RECORDS))
        planned += [
            (state, self.rng.choice(ranked if n in people else others), n in people) for n, state in enumerate(free)
        ]
        return planned

    def decision_date(self, state: str, severity: str) -> datetime.date:
        rng, d = self.rng, datetime.date
        if state == "expired":
            day = _day_between(rng, d(2022, 1, 1), d(2023, 10, 31))
        elif state in {"draft", "awaiting_review", "submitted", "returned"}:
            day = _day_between(rng, d(2026, 7, 1), d(2026, 11, 10))
        elif severity == "minor":
            # The 2026 rule keeps a minor record off the public site and ends it after three months at most.
            day = _day_between(rng, d(2026, 9, 1), d(2026, 10, 31))
        else:
            day = _day_between(rng, d(2024, 1, 1), d(2026, 10, 31))
        return min(day, self.today)

    def outside_body_code(self, name: str, region: str) -> str:
        if name not in self.outside_codes:
            self.outside_codes[name] = make_uscc(
                f"11{region}0{len(self.outside_codes) + 1:02d}{self.rng.randrange(10**6):06d}"
            )
        return self.outside_codes[name]

    def decider(self, case: Case, subject: Agency) -> tuple[Agency | None, str, str]:
        """(deciding agency, name, code) of the body that took the decision."""
        region = subject.region_code
        if case.decided_by == "court":
            name = COURTS.get(region, COURTS[CITY_REGION])
            return None, name, self.outside_body_code(name, region)
        if case.decided_by.startswith((CITY, "中共")):
            return None, case.decided_by, self.outside_body_code(case.decided_by, CITY_REGION)
        prefix = next((dist.name for dist in DISTRICTS if dist.region == region), CITY)
        department = self.agencies.get(f"{prefix}{case.decided_by}")
        if department is None or department.pk == subject.pk:
            department = self.agencies[f"{CITY}{case.decided_by}"]
        return department, department.name, department.uscc

    def document_number(self, case: Case, deciding_name: str, region: str, decided_on: datetime.date) -> str:
        key = f"{deciding_name}{decided_on.year}"
        self.numbers[key] += 1
        number = self.numbers[key] * 7 + self.rng.randrange(7)
        if case.decided_by == "court":
            kind = "执" if case.source == "dishonest_debtor" else "民初"
            return f"（{decided_on.year}）浙{region[2:4]}{kind}{number}号"
        place = next((dist.name[0] for dist in DISTRICTS if deciding_name.startswith(dist.name)), "临")
        short = next((abbr for body, abbr in DOCUMENT_ABBREVIATIONS.items() if deciding_name.endswith(body)), "政")
        return f"{place}{short}{'罚' if case.fined else '决'}〔{decided_on.year}〕{number}号"

    def subject_person(self, agency: Agency, year: int) -> CivilServant | None:
        excellent = AnnualAssessment.objects.filter(year=year, result=AssessmentResult.EXCELLENT)
        candidates = list(
            CivilServant.objects.filter(agency=agency, active=True)
            .exclude(rank="")
            .exclude(pk__in=excellent.values("person_id"))
            .order_by("pk")
        )
        return self.rng.choice(candidates) if candidates else None

    def still_in_force_on_today(self, day: datetime.date, state: str, severity: str) -> datetime.date:
        """A decision day that leaves a general record of a source other than penalties in force today, if its plan
        says in force: outside penalties a general record is public for a year under every rule
        (docs/disclosure-periods.md). Moved into the last eleven months, without drawing on the random sequence."""
        if state not in {"published", "corrected"} or severity != "general" or add_months(day, 12) >= self.today:
            return day
        start, end = self.today - datetime.timedelta(days=330), self.today - datetime.timedelta(days=20)
        return start + datetime.timedelta(days=day.toordinal() % (end - start).days)

    def record_input(self, subject: Agency, state: str, severity: str, about_person: bool) -> RecordInput:
        rng = self.rng
        decided_on = self.decision_date(state, severity)
        if about_person:  # sanctions and accountability: before the person is chosen by the year's assessments
            decided_on = self.still_in_force_on_today(decided_on, state, severity)
        person = self.subject_person(subject, decided_on.year) if about_person else None
        cases = PERSON_CASES if person else [c for c in UNIT_CASES if not (c.special_field and severity == "minor")]
        case = rng.choice(cases)
        if case.special_field and not datetime.date(2023, 5, 1) <= decided_on < datetime.date(2026, 4, 1):
            case = UNIT_CASES[0]  # the special-field minimum belongs to the 2023 rule only
        if case.source != RecordSource.ADMINISTRATIVE_PENALTY:
            decided_on = self.still_in_force_on_today(decided_on, state, severity)
        deciding_agency, deciding_name, deciding_code = self.decider(case, subject)
        amount = Decimal(rng.randrange(50, 50_000)) / 100
        project = rng.choice(PROJECTS)
        text = case.facts.format(
            agency=subject.name, project=project, amount=amount, person=person.name if person else "",
            position=person.position if person else "",
        )  # fmt: skip
        staff = list(CivilServant.objects.filter(agency=subject, is_principal=False).exclude(rank="").order_by("pk"))
        responsible: list[tuple[CivilServant, str]] = (
            [(rng.choice(staff), ResponsibilityKind.DIRECT)] if staff and not person and rng.random() < 0.4 else []
        )
        return RecordInput(
            subject_agency=subject,
            subject_person=person,
            source=case.source,
            sector=case.sector,
            severity=severity,
            special_field=case.special_field,
            document_number=self.document_number(case, deciding_name, subject.region_code, decided_on),
            deciding_agency=deciding_agency,
            deciding_body_name=deciding_name,
            deciding_body_uscc=deciding_code,
            decision_date=decided_on,
            facts=text,
            legal_basis=case.legal_basis,
            categories=case.categories,
            fine_amount=amount / 10 if case.fined else None,
            loss_description=f"造成直接经济损失约{amount}万元。" if case.source != "disciplinary_sanction" else "",
            social_impact=rng.choice(["引发多起投诉，造成一定社会影响。", "被媒体报道，社会影响较大。", ""]),
            data_source_agency=subject,
            responsible=responsible,
        )

    # The workflow.

    def publish_day(self, record: DishonestyRecord) -> datetime.date:
        return min(record.decision_date + datetime.timedelta(days=self.rng.randrange(12, 60)), self.today)

    def take(self, state: str, subject: Agency, about_person: bool, index: int) -> DishonestyRecord:
        enter, submit, decide = self.actors(subject)
        severity = SEVERITY_CYCLE[index % len(SEVERITY_CYCLE)]
        data = self.record_input(subject, state, severity, about_person)
        record = record_create(actor=enter, data=data)
        if state == "draft":
            return record
        if state == "awaiting_review":
            return record_request_review(actor=enter, record=record)
        record = record_submit(actor=submit, record=record)
        if state == "returned" or (state == "submitted" and index % 3 == 0):
            record = record_return(actor=decide, record=record, reason=self.rng.choice(RETURN_REASONS))
            if state == "returned":
                return record
            data.facts += "（已补充证据材料）"
            record = record_update(actor=enter, record=record, data=data)
            record = record_submit(actor=submit, record=record)
        if state == "submitted":
            return record
        record = record_publish(actor=decide, record=record, today=self.publish_day(record))
        if state == "corrected" or (state == "revoked" and index % 2 == 0):
            changes: dict[str, Any] = (
                {"fine_amount": (record.fine_amount or Decimal("1.00")) + Decimal("0.50")}
                if index % 2
                else {"facts": record.facts + "经复核，事实认定无误，补充说明。"}
            )
            record = record_correct(
                actor=decide, record=record, changes=changes, reason=self.rng.choice(CORRECT_REASONS)
            )
        if state == "revoked":
            record = record_revoke(actor=decide, record=record, reason=self.rng.choice(REVOKE_REASONS))
        return record

    def answer_rectifications(self) -> None:
        """About half the units answered their rectification; the rest are overdue (or not yet due)."""
        open_ones = Rectification.objects.filter(submitted_at__isnull=True, measure__state=MeasureState.ACTIVE)
        for rectification in open_ones.select_related("measure__target_agency").order_by("pk"):
            if self.rng.random() < 0.5:
                enter, _submit, _decide = self.actors(rectification.measure.target_agency)
                rectification_submit(actor=enter, rectification=rectification, explanation=self.rng.choice(ANSWERS))

    def suspend_some_measures(self, records: list[DishonestyRecord], count: int = 2) -> None:
        in_force = [r for r in records if r.status == "published"]
        for record in self.rng.sample(in_force, min(count, len(in_force))):
            measure = record.measures.filter(state=MeasureState.ACTIVE).order_by("pk").first()
            if measure is not None:
                _enter, _submit, decide = self.actors(record.subject_agency)
                measure_set_state(actor=decide, measure=measure, to_state=MeasureState.SUSPENDED, reason=SUSPEND_REASON)

    def build(self) -> Counter[str]:
        records = [self.take(state, subject, person, n) for n, (state, subject, person) in enumerate(self.plan())]
        self.answer_rectifications()
        self.suspend_some_measures(records)
        # What the hourly job does: every record whose window has closed leaves public view.
        records_expire_due(on=self.today)
        city = Agency.objects.get(uscc=CITY_USCC)
        in_city = DishonestyRecord.objects.filter(subject_agency__path__startswith=city.path)
        return Counter(dict(in_city.values_list("status").annotate(n=models.Count("pk")).order_by()))


def demo_records_loaded() -> bool:
    city = Agency.objects.filter(uscc=CITY_USCC).only("path").first()
    return city is not None and DishonestyRecord.objects.filter(subject_agency__path__startswith=city.path).exists()


def ensure_users(password: str) -> dict[str, User]:
    """The demo users, created if a city loaded by an earlier version lacks one."""
    existing = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in DEMO_USERS])}
    for username, role, agency_name, sector, full_name in DEMO_USERS:
        if username not in existing:
            existing[username] = user_create(
                username=username,
                password=password,
                role=role,
                agency=Agency.objects.get(name=agency_name),
                sector=sector,
                full_name=full_name,
            )
    return {
        u.username: u for u in User.objects.filter(pk__in=[u.pk for u in existing.values()]).select_related("agency")
    }


def build_records(password: str, seed: int = RECORD_SEED, today: datetime.date | None = None) -> Counter[str]:
    users = ensure_users(password)
    return RecordsBuilder(random.Random(seed), users, today or timezone.localdate()).build()


class Command(BaseCommand):
    help = (
        "Load the demo city 临江市 (≥ 60 agencies, ≥ 200 civil servants with integrity files, one user per role, "
        "some eighty dishonesty records in every state and tier, public commitments of every kind in every state) "
        "through the services, and configure the working-day calendar. Loading twice changes nothing. The demo "
        "users' password is DEMO_PASSWORD, or one generated once "
        "and kept in var/demo-password.txt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet-password", action="store_true", help="Do not print a generated password.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        password, source = demo_password(Path(settings.VAR_DIR))
        # Publishing counts rectification deadlines in working days: the calendar comes first.
        years = calendar_seed_supported_years()
        if years:
            self.stdout.write(f"Working-day calendar configured for {years[0]}–{years[-1]}.")
        if Agency.objects.filter(uscc=CITY_USCC).exists():
            self.stdout.write(f"The demo city {CITY} is already loaded.")
            self._align_passwords(password)
            self._align_id_numbers()
        else:
            with transaction.atomic():
                built = build_city(password)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded the demo city {CITY}: {len(built.agencies)} agencies, {len(built.people)} civil servants "
                    f"({time.monotonic() - started:.1f} s)."
                )
            )
        if demo_records_loaded():
            self.stdout.write("Its dishonesty records are already loaded; nothing added.")
        else:
            started = time.monotonic()
            with transaction.atomic():
                states = build_records(password)
            summary = ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {sum(states.values())} dishonesty records: {summary} ({time.monotonic() - started:.1f} s)."
                )
            )
        city = Agency.objects.get(uscc=CITY_USCC)
        if cases_loaded(city):
            self.stdout.write("Its objections, complaints and repairs are already loaded; nothing added.")
        else:
            with transaction.atomic():
                cases = build_cases(city)
            summary = ", ".join(f"{count} {state}" for state, count in sorted(cases.items()))
            self.stdout.write(self.style.SUCCESS(f"Loaded the cases: {summary}."))
        if commitments_loaded(city):
            self.stdout.write("Its public commitments are already loaded; nothing added.")
        else:
            with transaction.atomic():
                commitments = build_commitments(city, ensure_users(password))
            summary = ", ".join(f"{count} {state}" for state, count in sorted(commitments.items()))
            self.stdout.write(self.style.SUCCESS(f"Loaded {sum(commitments.values())} public commitments: {summary}."))
        if demo_investment_loaded():
            self.stdout.write("Its investment-promotion agreements are already loaded; nothing added.")
        else:
            users = ensure_users(password)
            with transaction.atomic():
                loaded = demo_investment(office=users["demo-office"], today=timezone.localdate())
            self.stdout.write(self.style.SUCCESS(f"Loaded the investment-promotion agreements: {loaded}."))
        if demo_ppp_loaded():
            self.stdout.write("Its PPP projects are already loaded; nothing added.")
        else:
            with transaction.atomic():
                ppp = demo_ppp(ensure_users(password))
            self.stdout.write(self.style.SUCCESS(f"Loaded the PPP projects: {ppp}."))
        if procurement_loaded():
            self.stdout.write("Its procurement contracts are already loaded; nothing added.")
        else:
            with transaction.atomic():
                procurement = demo_procurement()
            summary = ", ".join(f"{count} {kind}" for kind, count in sorted(procurement.items()))
            self.stdout.write(self.style.SUCCESS(f"Loaded procurement: {summary}."))
        if demo_streets_loaded():
            self.stdout.write("Its honest street and town creation is already loaded; nothing added.")
        else:
            with transaction.atomic():
                streets = demo_streets(ensure_users(password))
            self.stdout.write(self.style.SUCCESS(f"Loaded the honest street and town creation: {streets}."))
        if demo_debt_loaded():
            self.stdout.write("Its government debt is already loaded; nothing added.")
        else:
            with transaction.atomic():
                debt = demo_debt(ensure_users(password))
            self.stdout.write(self.style.SUCCESS(f"Loaded the government debt: {debt}."))
        if tendering_loaded():
            self.stdout.write("Its tendering records are already loaded; nothing added.")
        else:
            with transaction.atomic():
                tendering = demo_tendering()
            summary = ", ".join(f"{count} {kind}" for kind, count in sorted(tendering.items()))
            self.stdout.write(self.style.SUCCESS(f"Loaded tendering: {summary}."))
        if demo_supervision_suggestions_loaded():
            self.stdout.write("Its NPC suggestions and court cases are already loaded; nothing added.")
        else:
            with transaction.atomic():
                supervised = demo_supervision_suggestions(ensure_users(password))
            self.stdout.write(self.style.SUCCESS(f"Loaded the NPC suggestions and court cases: {supervised}."))
        if demo_complaints_loaded():
            self.stdout.write("Its breach complaints and 12345 tickets are already loaded; nothing added.")
        else:
            with transaction.atomic():
                complaints = demo_complaints(ensure_users(password))
            summary = ", ".join(f"{count} {state}" for state, count in sorted(complaints.items()))
            self.stdout.write(self.style.SUCCESS(f"Loaded breach complaints and 12345 tickets: {summary}."))
        if demo_ledger_loaded():
            self.stdout.write("Its work ledger is already loaded; nothing added.")
        else:
            with transaction.atomic():
                ledger = demo_ledger(ensure_users(password))
            self.stdout.write(self.style.SUCCESS(f"Loaded the work ledger (seed 004's annex): {ledger}."))
        if demo_inspections_loaded():
            self.stdout.write("Its inspections are already loaded; nothing added.")
        else:
            with transaction.atomic():
                inspections = demo_inspections(ensure_users(password))
            self.stdout.write(self.style.SUCCESS(f"Loaded the inspections: {inspections}."))
        if demo_reports_loaded():
            self.stdout.write("Its credit reports are already issued; nothing added.")
        else:
            with transaction.atomic():
                reports = demo_reports(ensure_users(password))
            self.stdout.write(self.style.SUCCESS(f"Issued the demo credit reports: {reports}."))
        if demo_evaluation_loaded():
            self.stdout.write("Its evaluation is already loaded; nothing added.")
        else:
            with transaction.atomic():
                evaluation = demo_evaluation(ensure_users(password))
            self.stdout.write(self.style.SUCCESS(f"Loaded the evaluation: {evaluation}."))
        self._print_users(password, source, quiet=options["quiet_password"])

    def _align_passwords(self, password: str) -> None:
        # The password printed below must be the one that works, even if DEMO_PASSWORD changed since the first run.
        # The password is not part of the history trail (accounts.User.history excludes it): a plain UPDATE.
        for user in User.objects.filter(username__in=[row[0] for row in DEMO_USERS]):
            if not user.check_password(password):
                User.objects.filter(pk=user.pk).update(password=make_password(password))

    def _align_id_numbers(self) -> None:
        # A city loaded before the fix got check characters from the wrong computation; the same seed now makes the
        # same people with the standard's check character. Only the check character changes (so only the demo's
        # invented numbers), and never onto a number somebody else holds.
        city = Agency.objects.get(uscc=CITY_USCC)
        fixed = 0
        for person in CivilServant.objects.filter(agency__path__startswith=city.path).order_by("pk"):
            number = person.decrypted_id_number()
            try:
                right = number[:17] + id_number_check_digit(number[:17])
            except ValueError:
                continue
            if right != number and not CivilServant.objects.with_id_number(right).exists():
                person.set_id_number(right)
                person.save(update_fields=["id_number_digest", "id_number_cipher", "id_number_masked", "updated_at"])
                fixed += 1
        if fixed:
            self.stdout.write(f"Gave {fixed} demo ID numbers the check character of GB 11643.")

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
