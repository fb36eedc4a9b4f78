from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.views import TokenObtainPairView

from lumiku.accounts.lockout import login_failure_record, login_lockout_check, login_success_record
from lumiku.accounts.services import user_create
from lumiku.accounts.tokens import token_pair_issue, token_refresh, user_logout_everywhere
from lumiku.core.throttling import rate_limited
from lumiku.credits.selectors import credits_balance, credits_unlimited_tier


class UserOutput(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    name = serializers.CharField()
    role = serializers.CharField()
    language = serializers.CharField()
    enterpriseUnlimited = serializers.BooleanField(source="enterprise_unlimited")  # noqa: N815
    dateJoined = serializers.DateTimeField(source="date_joined")  # noqa: N815


class UserEnvelope(serializers.Serializer):
    user = UserOutput()


@rate_limited("register")
class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class Input(serializers.Serializer):
        email = serializers.CharField(max_length=254)
        password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
        name = serializers.CharField(max_length=150, allow_blank=True, required=False, default="")

    @extend_schema(request=Input, responses={201: UserEnvelope}, tags=["auth"])
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_create(**data.validated_data)
        return Response({"user": UserOutput(user).data}, status=status.HTTP_201_CREATED)


class MeApi(APIView):
    class Envelope(serializers.Serializer):
        user = serializers.DictField()

    @extend_schema(responses={200: Envelope}, tags=["auth"])
    def get(self, request):
        user = request.user
        payload = dict(UserOutput(user).data)
        payload["creditBalance"] = credits_balance(user_id=user.pk)
        payload["unlimitedTier"] = credits_unlimited_tier(user=user)
        return Response({"user": payload})


class TokenPairInput(TokenObtainPairSerializer):
    @classmethod
    def get_token(cls, user):
        return token_pair_issue(user=user)  # a new refresh family, stamped with the password


@extend_schema(tags=["auth"])
@rate_limited("login")
class TokenApi(TokenObtainPairView):
    """POST {email, password} → {access, refresh}; repeated failures lock the email for a while."""

    serializer_class = TokenPairInput

    def post(self, request, *args, **kwargs):
        body = request.data if isinstance(request.data, dict) else {}  # a JSON list or string is a 400, not a 500
        email = str(body.get("email", ""))[:254]
        login_lockout_check(email=email)
        try:
            response = super().post(request, *args, **kwargs)
        except exceptions.AuthenticationFailed:
            login_failure_record(email=email)
            raise
        login_success_record(email=email)
        return response


class TokenRefreshApi(APIView):
    """POST {refresh} → {access, refresh}. Each refresh token works once: keep the new one. Presenting a
    spent one again revokes the login's whole token family (401 for both holders)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    class RefreshInput(serializers.Serializer):
        refresh = serializers.CharField(max_length=4096)

    class RefreshOutput(serializers.Serializer):
        access = serializers.CharField()
        refresh = serializers.CharField()

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'  # a refused refresh token is a 401 (DRF makes it 403 without a header)

    @extend_schema(request=RefreshInput, responses={200: RefreshOutput}, tags=["auth"])
    def post(self, request):
        data = self.RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(self.RefreshOutput(token_refresh(raw=data.validated_data["refresh"])).data)


class LogoutEverywhereApi(APIView):
    """POST → 204: every session and API token of this account stops working, this one included."""

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request):
        user_logout_everywhere(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
