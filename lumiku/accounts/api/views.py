from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from lumiku.accounts.services import user_create
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
class TokenApi(TokenObtainPairView):
    """POST {email, password} → {access, refresh}."""


@extend_schema(tags=["auth"])
class TokenRefreshApi(TokenRefreshView):
    """POST {refresh} → {access}."""
