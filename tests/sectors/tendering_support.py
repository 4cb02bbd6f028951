"""Shared helpers of the tendering tests: a scoring scheme, bad behaviour and tender projects, through the services."""

import datetime
from typing import Any

from accounts.models import Role, Sector, User
from sectors.models import BadBehaviour, ScoringScheme, TenderProject
from sectors.services.tendering import (
    BehaviourInput,
    ItemInput,
    ProjectInput,
    SchemeInput,
    ThresholdInput,
    behaviour_record,
    project_create,
    scheme_version_create,
)
from subjects.models import Agency
from subjects.personal_data import make_id_number
from tests.factories import make_user, next_uscc

D = datetime.date
BIDDER_USCC = next_uscc("91")
SCHEME_START = D(2025, 1, 1)


def tendering_authority(agency: Agency) -> User:
    return make_user(Role.SECTOR_AUTHORITY, agency, username=f"tender-{agency.pk}", sector=Sector.TENDERING)


def make_scheme(
    actor: User, *, cycle: str = "calendar_year", effective_from: datetime.date = SCHEME_START, **overrides: Any
) -> ScoringScheme:
    values: dict[str, Any] = {
        "code": "ZTB",
        "name": "招标投标不良行为记分办法",
        "cycle": cycle,
        "effective_from": effective_from,
        "items": [
            ItemInput("bidder", "B01", "串通投标", 12, "《招标投标法》第五十三条"),
            ItemInput("bidder", "B02", "提供虚假材料", 6, "《招标投标法》第五十四条"),
            ItemInput("bidder", "B03", "无正当理由放弃中标", 3, "《招标投标法实施条例》第七十四条"),
            ItemInput("agent", "A01", "泄露应当保密的资料", 4, "《招标投标法》第五十条"),
            ItemInput("expert", "E01", "私下接触投标人", 6, "《招标投标法实施条例》第七十二条"),
            ItemInput("tenderer", "T01", "不按规定退还投标保证金", 2, "《招标投标法实施条例》第六十六条"),
        ],
        "thresholds": [
            ThresholdInput("bidder", "cumulative", 6, "warning", 0),
            ThresholdInput("bidder", "cumulative", 10, "suspension", 6),
            ThresholdInput("bidder", "single", 12, "blacklist", 24),
            ThresholdInput("agent", "cumulative", 8, "suspension", 3),
            ThresholdInput("expert", "cumulative", 6, "blacklist", 12),
        ],
    }
    values.update(overrides)
    return scheme_version_create(actor=actor, data=SchemeInput(**values))


def behaviour_input(decided_by: Agency, **overrides: Any) -> BehaviourInput:
    values: dict[str, Any] = {
        "decided_by": decided_by,
        "party_kind": "bidder",
        "party_name": "临江市某建设工程有限公司",
        "party_uscc": BIDDER_USCC,
        "party_id_number": "",
        "item_code": "B02",
        "document_number": f"临建罚〔2026〕{next_uscc()[-4:]}号",
        "decided_on": D(2026, 3, 2),
        "facts": "在投标文件中提供虚假业绩证明。",
        "project_name": "东城区第一小学改扩建工程",
    }
    values.update(overrides)
    return BehaviourInput(**values)


def record(actor: User, decided_by: Agency, **overrides: Any) -> BadBehaviour:
    return behaviour_record(actor=actor, data=behaviour_input(decided_by, **overrides))


def expert_id(sequence: int = 11) -> str:
    return make_id_number("330102", D(1975, 4, 3), sequence)


def project_input(agency: Agency, **overrides: Any) -> ProjectInput:
    values: dict[str, Any] = {
        "agency": agency,
        "code": f"ZB-{next_uscc()[-6:]}",
        "name": "东城区政务服务中心装修工程",
        "announced_on": D(2026, 6, 1),
        "agent_name": "临江市某招标代理有限公司",
        "agent_uscc": next_uscc("91"),
        "opened_on": D(2026, 6, 22),
        "awarded_on": D(2026, 7, 1),
        "winner_name": "临江市某装饰有限公司",
        "winner_uscc": next_uscc("91"),
        "contract_signed_on": D(2026, 7, 20),
        "deposits_refunded_on": D(2026, 7, 23),
    }
    values.update(overrides)
    return ProjectInput(**values)


def make_project(actor: User, agency: Agency, **overrides: Any) -> TenderProject:
    return project_create(actor=actor, data=project_input(agency, **overrides))
