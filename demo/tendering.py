"""The demo city's tendering: a scoring scheme (rolling 12 months), bad behaviour in every state the issue names — a
bidder warned, a bidder blacklisted by one serious deduction, an agent suspended, an expert (shown as 王某), a bidder
whose points have expired, one record not yet published, one archived — and tender projects of an agency as
tenderer: one in order, one whose deposits were refunded late and one never signed (candidate records). Written
through the services, relative to `today`."""

import datetime
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from sectors.models import BadBehaviour, ScoringItem, ScoringScheme, TenderParty
from sectors.models.tendering import PartyKind
from sectors.services.tendering import (
    BehaviourInput,
    ItemInput,
    ProjectInput,
    SchemeInput,
    ThresholdInput,
    behaviour_publish,
    behaviour_record,
    current_scheme,
    project_create,
    scheme_version_create,
    tendering_daily_run,
)
from subjects.codes import make_uscc
from subjects.models import Agency
from subjects.personal_data import make_id_number

SCHEME_CODE = "临江招投标记分"
DISTRICT = "临江市东城区人民政府"
TENDERER = "东城区财政局"
DAY = datetime.timedelta(days=1)


def tendering_loaded() -> bool:
    return ScoringScheme.objects.filter(code=SCHEME_CODE).exists()


def demo_scheme_input(effective_from: datetime.date) -> SchemeInput:
    return SchemeInput(
        code=SCHEME_CODE,
        name="临江市招标投标不良行为记分办法",
        cycle="rolling_12",
        effective_from=effective_from,
        basis="《中华人民共和国招标投标法》《中华人民共和国招标投标法实施条例》",
        items=[
            ItemInput("bidder", "B01", "串通投标或者以行贿手段谋取中标", 12, "《招标投标法》第五十三条"),
            ItemInput("bidder", "B02", "以他人名义投标或者弄虚作假骗取中标", 6, "《招标投标法》第五十四条"),
            ItemInput("bidder", "B03", "中标后无正当理由不与招标人订立合同", 3, "《招标投标法实施条例》第七十四条"),
            ItemInput("agent", "A01", "泄露应当保密的与招标投标活动有关的情况和资料", 4, "《招标投标法》第五十条"),
            ItemInput("expert", "E01", "私下接触投标人或者收受财物", 6, "《招标投标法实施条例》第七十二条"),
            ItemInput(
                "tenderer", "T01", "不按照规定退还投标保证金及银行同期存款利息", 2, "《招标投标法实施条例》第六十六条"
            ),
        ],
        thresholds=[
            ThresholdInput("bidder", "cumulative", 6, "warning", 0),
            ThresholdInput("bidder", "cumulative", 10, "suspension", 6),
            ThresholdInput("bidder", "single", 12, "blacklist", 24),
            ThresholdInput("agent", "cumulative", 8, "suspension", 3),
            ThresholdInput("expert", "cumulative", 6, "blacklist", 12),
        ],
    )


def _uscc(n: int) -> str:
    return make_uscc(f"91330100MA{n:07d}")


def demo_tendering(*, office: User | None = None, today: datetime.date | None = None) -> Counter[str]:
    """Loads the tendering demo once (an empty Counter when it is already there)."""
    if tendering_loaded():
        return Counter()
    today = today or timezone.localdate()
    office = office or User.objects.get(username="demo-office")
    district = Agency.objects.get(name__endswith=DISTRICT)
    tenderer = Agency.objects.get(name=TENDERER, path__startswith=district.path)
    counts: Counter[str] = Counter()
    scheme_version_create(actor=office, data=demo_scheme_input(today.replace(year=today.year - 3, month=1, day=1)))
    serial = iter(range(1, 1000))

    def bad(kind: str, name: str, code: str, item: str, days_ago: int, *, publish: bool = True) -> BadBehaviour:
        decided_on = today - days_ago * DAY
        behaviour = behaviour_record(
            actor=office,
            data=BehaviourInput(
                decided_by=district,
                party_kind=kind,
                party_name=name,
                party_uscc=code if kind != PartyKind.EXPERT else "",
                party_id_number=code if kind == PartyKind.EXPERT else "",
                item_code=item,
                document_number=f"东建罚〔{decided_on.year}〕{next(serial):03d}号",
                decided_on=decided_on,
                facts={
                    "B01": "与其他投标人相互约定投标报价，串通投标。",
                    "B02": "投标文件中提供虚假的类似工程业绩证明。",
                    "B03": "中标后无正当理由放弃中标，不与招标人订立合同。",
                    "A01": "向投标人泄露已获取招标文件的潜在投标人名称。",
                    "E01": "评标期间私下接触投标人。",
                }[item],
                project_name="东城区政务服务中心装修工程",
            ),
        )
        counts["bad behaviour"] += 1
        if publish:
            behaviour_publish(actor=office, behaviour=behaviour, today=min(decided_on + 3 * DAY, today))
        return behaviour

    bad("bidder", "临江恒信建设工程有限公司", _uscc(1), "B02", 40)  # warned
    bad("bidder", "临江同舟市政工程有限公司", _uscc(2), "B01", 60)  # blacklisted
    bad("bidder", "临江清源装饰工程有限公司", _uscc(3), "B02", 420)  # warned long ago; points expired
    bad("agent", "临江明德招标代理有限公司", _uscc(4), "A01", 50)
    bad("agent", "临江明德招标代理有限公司", _uscc(4), "A01", 20)  # suspended
    bad("agent", "临江华安工程咨询有限公司", _uscc(5), "A01", 15, publish=False)  # not yet published
    bad("expert", "王建国", make_id_number("330102", datetime.date(1972, 5, 9), 31), "E01", 30)  # blacklisted
    counts["parties"] = TenderParty.objects.count()

    def project(n: int, **values: object) -> None:
        base: dict[str, object] = {
            "agency": tenderer,
            "code": f"临招{today.year}-{n:03d}",
            "name": ["东城区政务服务中心装修工程", "东城区第一小学改扩建工程", "东城区智慧城管平台建设"][n % 3],
            "announced_on": today - 120 * DAY,
            "agent_name": "临江明德招标代理有限公司",
            "agent_uscc": _uscc(4),
            "opened_on": today - 95 * DAY,
            "awarded_on": today - 90 * DAY,
            "winner_name": "临江启航建设有限公司",
            "winner_uscc": _uscc(10 + n),
            "contract_signed_on": today - 70 * DAY,
            "deposits_refunded_on": today - 67 * DAY,
        }
        base.update(values)
        project_create(actor=office, data=ProjectInput(**base))  # type: ignore[arg-type]
        counts["tender projects"] += 1

    project(1)  # in order
    project(2, deposits_refunded_on=today - 55 * DAY)  # deposits refunded 15 days after signing
    project(3, contract_signed_on=None, deposits_refunded_on=None)  # never signed
    run = tendering_daily_run(today=today)
    counts["archived"] = run.archived
    return counts


def create_tendering(*, root: Agency, user: User, behaviours: int, batch_size: int, seed: int = 15) -> int:
    """`behaviours` bad-behaviour records of bidders and agents (one party per ten records), decided over the last
    two years by agencies under `root`, half published. bulk_create (load-test data, no sanctions replayed). Returns
    the rows written."""
    rng = random.Random(seed)
    today = timezone.localdate()
    scheme = current_scheme(today)
    if scheme is None:
        # Load-test data: the scheme is written directly (the scale run's clerk may not keep schemes).
        effective_from = datetime.date(today.year - 3, 1, 1)
        data = demo_scheme_input(effective_from)
        scheme = ScoringScheme.objects.create(
            code=data.code,
            version=1,
            name=data.name,
            cycle=data.cycle,
            effective_from=effective_from,
            created_by=user,
        )
        ScoringItem.objects.bulk_create(
            ScoringItem(
                scheme=scheme,
                party_kind=i.party_kind,
                code=i.code,
                description=i.description,
                points=i.points or 1,
                basis=i.basis,
            )
            for i in data.items
        )
    items = {kind: list(scheme.items.filter(party_kind=kind)) for kind in ("bidder", "agent")}
    agency_ids = list(Agency.objects.filter(path__startswith=root.path).values_list("pk", flat=True))
    start = TenderParty.objects.count()
    with transaction.atomic():
        parties = TenderParty.objects.bulk_create(
            [
                TenderParty(
                    kind="agent" if n % 5 == 0 else "bidder",
                    name=f"规模测试主体{start + n:07d}",
                    uscc=make_uscc(f"91{root.region_code}MB{start + n:07d}"),
                    registered_by_id=rng.choice(agency_ids),
                )
                for n in range(max(behaviours // 10, 1))
            ],
            batch_size=batch_size,
        )
        rows = []
        for n in range(behaviours):
            party = parties[n % len(parties)]
            item = rng.choice(items[party.kind])
            decided_on = today - rng.randint(0, 730) * DAY
            published = decided_on + 3 * DAY if n % 2 == 0 and decided_on + 3 * DAY <= today else None
            rows.append(
                BadBehaviour(
                    party=party,
                    item=item,
                    points=item.points,
                    decided_by_id=party.registered_by_id,
                    document_number=f"规模〔{decided_on.year}〕{start}-{n}号",
                    decided_on=decided_on,
                    facts="规模测试数据。",
                    publish_by=decided_on + 28 * DAY,
                    published_on=published,
                    public_until=(published + 182 * DAY) if published else None,
                    created_by=user,
                )
            )
        BadBehaviour.objects.bulk_create(rows, batch_size=batch_size)
    return len(parties) + len(rows)
