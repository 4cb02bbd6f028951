"""REST endpoints of PPP projects (`/api/v1/sectors/ppp/…`), scoped by accounts.scope.sector_data_q: a project
outside the caller's scope is "not found". Lists and reads are plain generic views; each workflow step is a POST on
its own small view that validates, calls one service and answers with the project as it now is. Errors in the one
shape (accounts/api_support.py): 400 input a rule refused, 403 a role that may not, 404 outside scope, 409 a stage
move the project's stage does not allow."""

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import acting_user
from accounts.permissions import RECORD_READ_SCOPES, RECORD_WRITE_SCOPES
from sectors.models import PppBreach, PppConsultant, PppPaymentObligation, PppProject, PppStageAssignment
from sectors.models.ppp import PppIndustry, PppMode, PppPaymentKind, PppRegime, PppReturn, PppStage
from sectors.services import ppp as services
from subjects.models import Agency, CivilServant

# The stubs make DRF's classes generic; at run time they are not subscriptable.
if TYPE_CHECKING:
    ModelSerializer = serializers.ModelSerializer[Any]
    Serializer = serializers.Serializer[Any]
    ListView = generics.ListAPIView[PppProject]
    DetailView = generics.RetrieveAPIView[PppProject]
else:
    ModelSerializer = serializers.ModelSerializer
    Serializer = serializers.Serializer
    ListView = generics.ListAPIView
    DetailView = generics.RetrieveAPIView


class PppAgencySerializer(ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "uscc"]


class PppPersonSerializer(ModelSerializer):
    class Meta:
        model = CivilServant
        fields = ["id", "name"]


class AssignmentSerializer(ModelSerializer):
    agency = PppAgencySerializer(help_text=_("The unit that held the stage, as it was."))
    person = PppPersonSerializer()

    class Meta:
        model = PppStageAssignment
        fields = ["id", "stage", "agency", "person", "starts_on", "ends_on", "duties", "handover_note"]


class ConsultantSerializer(ModelSerializer):
    class Meta:
        model = PppConsultant
        fields = ["id", "name", "role", "uscc"]


class PppPaymentSerializer(ModelSerializer):
    record = serializers.SerializerMethodField(help_text=_("The candidate record of its breach, if any."))

    class Meta:
        model = PppPaymentObligation
        fields = ["id", "year", "kind", "amount_due", "due_on", "paid_amount", "paid_on", "late", "record"]

    def get_record(self, obj: PppPaymentObligation) -> int | None:
        breach = getattr(obj, "breach", None)
        return breach.record_id if breach is not None else None


class BreachSerializer(ModelSerializer):
    agency = PppAgencySerializer()
    person = PppPersonSerializer(allow_null=True)

    class Meta:
        model = PppBreach
        fields = ["id", "occurred_on", "stage", "agency", "person", "facts", "record", "payment"]


class ProjectSerializer(ModelSerializer):
    agency = PppAgencySerializer()
    has_late_payments = serializers.BooleanField(read_only=True)

    class Meta:
        model = PppProject
        fields = [
            "id",
            "code",
            "name",
            "agency",
            "industry",
            "mode",
            "return_mechanism",
            "regime",
            "term_years",
            "total_investment",
            "partner_name",
            "partner_uscc",
            "company_name",
            "company_uscc",
            "contract_signed_on",
            "stage",
            "identification_on",
            "preparation_on",
            "procurement_on",
            "execution_on",
            "handover_on",
            "published_at",
            "version",
            "has_late_payments",
            "updated_at",
        ]
        read_only_fields = fields


class ProjectDetailSerializer(ProjectSerializer):
    assignments = AssignmentSerializer(many=True, help_text=_("Responsibility per stage, oldest first."))
    consultants = ConsultantSerializer(many=True)
    payments = PppPaymentSerializer(many=True)
    breaches = BreachSerializer(many=True)

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "contract_summary",
            "assignments",
            "consultants",
            "payments",
            "breaches",
        ]
        read_only_fields = fields


# Input: shapes only; the rules are the services' (sectors.services.ppp), which name the keys sent.


class ProjectInputSerializer(Serializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), help_text=_("The implementing agency."))
    name = serializers.CharField(allow_blank=True)
    code = serializers.CharField(allow_blank=True, default="", max_length=40)
    industry = serializers.ChoiceField(choices=PppIndustry.choices)
    mode = serializers.ChoiceField(choices=PppMode.choices)
    return_mechanism = serializers.ChoiceField(choices=PppReturn.choices)
    regime = serializers.ChoiceField(choices=PppRegime.choices)
    term_years = serializers.IntegerField()
    total_investment = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("In 10,000 yuan."))
    identification_on = serializers.DateField()
    partner_name = serializers.CharField(allow_blank=True, default="")
    partner_uscc = serializers.CharField(allow_blank=True, default="", max_length=18)
    company_name = serializers.CharField(allow_blank=True, default="")
    company_uscc = serializers.CharField(allow_blank=True, default="", max_length=18)
    contract_signed_on = serializers.DateField(allow_null=True, default=None)
    contract_summary = serializers.CharField(allow_blank=True, default="")

    def validate_agency(self, agency: Agency) -> Agency:
        # An agency outside the caller's reach reads as one that does not exist.
        if not Agency.objects.visible_to(self.context["request"].user).filter(pk=agency.pk).exists():
            raise serializers.ValidationError(_("No agency in your reach has this id."))
        return agency


class StageInputSerializer(Serializer):
    to_stage = serializers.ChoiceField(choices=PppStage.choices)
    on = serializers.DateField(help_text=_("The day the stage began."))
    reason = serializers.CharField(allow_blank=True, default="", max_length=2000)


class HandoverInputSerializer(Serializer):
    stage = serializers.ChoiceField(choices=PppStage.choices)
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    person = serializers.PrimaryKeyRelatedField(queryset=CivilServant.objects.all())
    on = serializers.DateField(help_text=_("From this day the stage is the person's."))
    note = serializers.CharField(allow_blank=True, default="", help_text=_("Needed when the stage changes hands."))
    duties = serializers.CharField(allow_blank=True, default="", max_length=200)

    def validate_person(self, person: CivilServant) -> CivilServant:
        if not CivilServant.objects.visible_to(self.context["request"].user).filter(pk=person.pk).exists():
            raise serializers.ValidationError(_("No civil servant in your reach has this id."))
        return person


class PppPaymentInputSerializer(Serializer):
    year = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PppPaymentKind.choices)
    amount_due = serializers.DecimalField(max_digits=14, decimal_places=2)
    due_on = serializers.DateField()


class PayInputSerializer(Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid_on = serializers.DateField()


class BreachInputSerializer(Serializer):
    occurred_on = serializers.DateField()
    facts = serializers.CharField(max_length=5000)


def _projects(request: Request, *, detail: bool = False) -> QuerySet[PppProject]:
    projects = (
        PppProject.objects.visible_to(request.user)
        .select_related("agency")
        .annotate(has_late_payments=Exists(PppPaymentObligation.objects.filter(project=OuterRef("pk"), late=True)))
    )
    if detail:
        prefetches: list[Prefetch[Any, Any, Any]] = [
            Prefetch(
                "assignments",
                queryset=PppStageAssignment.objects.select_related("agency", "person").order_by("starts_on", "pk"),
            ),
            Prefetch("consultants", queryset=PppConsultant.objects.order_by("pk")),
            Prefetch("payments", queryset=PppPaymentObligation.objects.select_related("breach").order_by("year", "pk")),
            Prefetch("breaches", queryset=PppBreach.objects.select_related("agency", "person").order_by("pk")),
        ]
        projects = projects.prefetch_related(*prefetches)
    return projects


def _detail(request: Request, project: PppProject, code: int = status.HTTP_200_OK) -> Response:
    return Response(ProjectDetailSerializer(_projects(request, detail=True).get(pk=project.pk)).data, status=code)


STEP_RESPONSES: dict[int, Any] = {
    200: ProjectDetailSerializer,
    403: OpenApiResponse(description="Your role or region may not do this (`not_allowed`)."),
    409: OpenApiResponse(description="The project's stage does not allow this (`illegal_transition`)."),
}


class ProjectListApi(ListView):
    """PPP projects in your scope, paged by id. POST enters a project."""

    serializer_class = ProjectSerializer
    client_read_scopes = RECORD_READ_SCOPES
    client_write_scopes = RECORD_WRITE_SCOPES

    def get_queryset(self) -> QuerySet[PppProject]:
        return _projects(self.request).order_by("pk")

    @extend_schema(
        operation_id="ppp_projects_create", request=ProjectInputSerializer, responses={201: ProjectDetailSerializer}
    )
    def post(self, request: Request) -> Response:
        data = ProjectInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        project = services.ppp_project_create(
            actor=acting_user(request), data=services.PppProjectInput(**data.validated_data)
        )
        return _detail(request, project, status.HTTP_201_CREATED)


class ProjectDetailApi(DetailView):
    """One PPP project with its responsibility per stage, consultants, payments and breaches."""

    serializer_class = ProjectDetailSerializer
    client_read_scopes = RECORD_READ_SCOPES

    def get_queryset(self) -> QuerySet[PppProject]:
        return _projects(self.request, detail=True)


class ProjectStepApi(APIView):
    client_write_scopes = RECORD_WRITE_SCOPES

    def project(self, request: Request, pk: int) -> PppProject:
        return get_object_or_404(PppProject.objects.visible_to(request.user).select_related("agency"), pk=pk)


class ProjectStageApi(ProjectStepApi):
    """Moves the project to its next stage."""

    @extend_schema(operation_id="ppp_projects_stage", request=StageInputSerializer, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        project = self.project(request, pk)
        data = StageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.ppp_stage_advance(actor=acting_user(request), project=project, **data.validated_data)
        return _detail(request, project)


class ProjectHandoverApi(ProjectStepApi):
    """Assigns a stage nobody holds yet, or hands it over (with the note) from the one who holds it."""

    @extend_schema(operation_id="ppp_projects_handover", request=HandoverInputSerializer, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        project = self.project(request, pk)
        data = HandoverInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        held = PppStageAssignment.objects.filter(project=project, stage=values["stage"], ends_on__isnull=True).exists()
        common = {"actor": acting_user(request), "project": project, "stage": values["stage"]}
        if held:
            services.ppp_stage_hand_over(
                **common,
                agency=values["agency"],
                person=values["person"],
                on=values["on"],
                note=values["note"],
                duties=values["duties"],
            )
        else:
            services.ppp_stage_assign(
                **common,
                agency=values["agency"],
                person=values["person"],
                starts_on=values["on"],
                duties=values["duties"],
            )
        return _detail(request, project)


class ProjectPaymentApi(ProjectStepApi):
    """Adds a government payment obligation of a year."""

    @extend_schema(operation_id="ppp_projects_payment_add", request=PppPaymentInputSerializer, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        project = self.project(request, pk)
        data = PppPaymentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.ppp_payment_add(
            actor=acting_user(request), data=services.PppPaymentInput(project=project, **data.validated_data)
        )
        return _detail(request, project, status.HTTP_201_CREATED)


class PaymentPayApi(APIView):
    """Records a payment against an obligation."""

    client_write_scopes = RECORD_WRITE_SCOPES

    @extend_schema(operation_id="ppp_payments_pay", request=PayInputSerializer, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        payment = get_object_or_404(
            PppPaymentObligation.objects.visible_to(request.user).select_related("project__agency"), pk=pk
        )
        data = PayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.ppp_payment_record(actor=acting_user(request), payment=payment, **data.validated_data)
        return _detail(request, payment.project)


class ProjectPublishApi(ProjectStepApi):
    """The PPP authority or the credit office publishes the project card."""

    @extend_schema(operation_id="ppp_projects_publish", request=None, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        project = services.ppp_project_publish(actor=acting_user(request), project=self.project(request, pk))
        return _detail(request, project)


class ProjectBreachApi(ProjectStepApi):
    """Reports a government-side breach on a day: attributed by traceback, it proposes a candidate record."""

    @extend_schema(operation_id="ppp_projects_breach", request=BreachInputSerializer, responses=STEP_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        project = self.project(request, pk)
        data = BreachInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.ppp_breach_propose(actor=acting_user(request), project=project, **data.validated_data)
        return _detail(request, project, status.HTTP_201_CREATED)


urlpatterns: list[URLPattern] = [
    path("ppp/projects/", ProjectListApi.as_view(), name="ppp-project-list"),
    path("ppp/projects/<int:pk>/", ProjectDetailApi.as_view(), name="ppp-project-detail"),
    path("ppp/projects/<int:pk>/stage/", ProjectStageApi.as_view(), name="ppp-project-stage"),
    path("ppp/projects/<int:pk>/handover/", ProjectHandoverApi.as_view(), name="ppp-project-handover"),
    path("ppp/projects/<int:pk>/payments/", ProjectPaymentApi.as_view(), name="ppp-project-payments"),
    path("ppp/projects/<int:pk>/publish/", ProjectPublishApi.as_view(), name="ppp-project-publish"),
    path("ppp/projects/<int:pk>/breaches/", ProjectBreachApi.as_view(), name="ppp-project-breaches"),
    path("ppp/payments/<int:pk>/pay/", PaymentPayApi.as_view(), name="ppp-payment-pay"),
]
