from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from lumiku.accounts.lockout import login_failure_record, login_lockout_check, login_success_record
from lumiku.accounts.services import user_create
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


@extend_schema(tags=["auth"])
@rate_limited("login")
class TokenApi(TokenObtainPairView):
    """POST {email, password} → {access, refresh}; repeated failures lock the email for a while."""

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


@extend_schema(tags=["auth"])
class TokenRefreshApi(TokenRefreshView):
    """POST {refresh} → {access}."""
