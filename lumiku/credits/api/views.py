from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.core.pagination import PageInput, page_response, paginate, paginated_serializer
from lumiku.credits.reasons import ledger_reason
from lumiku.credits.selectors import credits_balance, credits_history, credits_unlimited_tier


class UnlimitedTierOutput(serializers.Serializer):
    active = serializers.BooleanField()
    dailyQuota = serializers.IntegerField()  # noqa: N815
    quotaUsed = serializers.IntegerField()  # noqa: N815
    quotaResetAt = serializers.DateTimeField(allow_null=True)  # noqa: N815
    expiresAt = serializers.DateTimeField(allow_null=True)  # noqa: N815


class CreditsOutput(serializers.Serializer):
    balance = serializers.IntegerField()
    unlimitedTier = UnlimitedTierOutput()  # noqa: N815


class LedgerEntryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    amount = serializers.IntegerField()
    kind = serializers.CharField()
    balanceAfter = serializers.IntegerField(source="balance_after")  # noqa: N815
    referenceType = serializers.CharField(source="reference_type")  # noqa: N815
    referenceId = serializers.CharField(source="reference_id")  # noqa: N815
    description = serializers.SerializerMethodField(
        help_text="the row's reason in the reader's language (Accept-Language or the user's setting)")
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815


    def get_description(self, obj) -> str:
        return ledger_reason(kind=obj.kind, reference_type=obj.reference_type, description=obj.description)


class CreditsApi(APIView):
    @extend_schema(responses={200: CreditsOutput}, tags=["credits"])
    def get(self, request):
        return Response(
            {
                "balance": credits_balance(user_id=request.user.pk),
                "unlimitedTier": credits_unlimited_tier(user=request.user),
            }
        )


class CreditsHistoryApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("limit", int)],
        responses={200: paginated_serializer(name="CreditHistoryPage", key="transactions", item=LedgerEntryOutput)},
        tags=["credits"],
    )
    def get(self, request):
        params = PageInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = paginate(queryset=credits_history(user_id=request.user.pk), **params.validated_data)
        return Response(page_response(key="transactions", page=page, serializer_class=LedgerEntryOutput))
