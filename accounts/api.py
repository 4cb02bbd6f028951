"""REST endpoints about the caller: bearer tokens and who am I."""

from axes.helpers import get_client_ip_address, get_cool_off
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.authentication import BearerTokenAuthentication, api_token_issue, api_token_revoke
from accounts.models import ApiToken, Role, Sector, User
from accounts.permissions import ANY_SCOPE


class InvalidCredentials(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The username or password is wrong.")
    default_code = "invalid_credentials"


class LockedOut(exceptions.APIException):
    """django-axes refused the attempt: too many failures for this username from this address."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Too many failed logins. Try again later.")
    default_code = "locked_out"

    def __init__(self, wait: float | None) -> None:
        super().__init__()
        # DRF's exception handler turns `wait` into the Retry-After header.
        self.wait = wait


class TokenIssueApi(APIView):
    """Exchanges a username and password for a bearer token (a login: django-axes counts the failures)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    # JSON only: the browsable renderer would echo the password back into its form.
    renderer_classes = [JSONRenderer]

    class CredentialsSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)

    class TokenSerializer(serializers.Serializer):
        token = serializers.CharField(help_text=_("Send it as `Authorization: Bearer <token>`. Shown only once."))
        expires_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="auth_token_issue",
        request=CredentialsSerializer,
        responses={
            201: TokenSerializer,
            400: OpenApiResponse(description="Wrong username or password (`invalid_credentials`), or bad input."),
            429: OpenApiResponse(
                description="Too many token requests (`throttled`) or too many failed logins (`locked_out`)."
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = self.CredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        # The DRF request goes to authenticate(): axes records the failure and flags a lockout on it, and the
        # flag stays off the HttpRequest, so AxesMiddleware leaves this JSON answer alone.
        user = authenticate(request=request, username=username, password=data.validated_data["password"])
        if user is None:
            if getattr(request, "axes_locked_out", False):
                cool_off = get_cool_off(request)
                raise LockedOut(cool_off.total_seconds() if cool_off else None)
            raise InvalidCredentials()
        if settings.AXES_RESET_ON_SUCCESS:
            # What axes does on a web login (through user_logged_in, which would also start a session here).
            axes_reset(ip=get_client_ip_address(request), username=username)
        token, key = api_token_issue(user=user)
        return Response(
            self.TokenSerializer({"token": key, "expires_at": token.expires_at}).data, status=status.HTTP_201_CREATED
        )


class TokenRevokeApi(APIView):
    """Revokes the bearer token this request was made with."""

    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="auth_token_revoke", request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        assert isinstance(request.auth, ApiToken)  # the only authentication class of this view
        api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    """Who the caller is: roles, agency, sector, and whether it may see full ID numbers. An API client's service
    account answers with role `api_client`, its client's name and the agency it writes for."""

    client_read_scopes = ANY_SCOPE

    class MeSerializer(serializers.Serializer):
        class MeAgencySerializer(serializers.ModelSerializer):
            class Meta:
                # The agency model through the user's own link: accounts sits below subjects and imports none of it.
                model = User._meta.get_field("agency").related_model
                fields = ["id", "name", "uscc"]

        username = serializers.CharField()
        full_name = serializers.CharField(source="get_full_name")
        roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
        agency = MeAgencySerializer(allow_null=True, help_text=_("Null for an administrator without an agency."))
        sector = serializers.ChoiceField(
            choices=Sector.choices, allow_blank=True, help_text=_("Only a sector authority has one.")
        )
        may_see_full_id_numbers = serializers.BooleanField()

    @extend_schema(operation_id="me", responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.MeSerializer(request.user).data)
