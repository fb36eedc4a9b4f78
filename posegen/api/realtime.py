from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.core.ws_auth import TICKET_TTL_SECONDS, ws_ticket_issue


class WsTicketApi(APIView):
    """A short-lived, single-use ticket for `ws://HOST/ws/pose-generator/?ticket=...`."""

    @extend_schema(
        request=None,
        responses={200: inline_serializer("WsTicket", {"ticket": serializers.CharField(),
                                                       "expiresIn": serializers.IntegerField(),
                                                       "url": serializers.CharField()})},
        tags=["realtime"],
    )
    def post(self, request):
        ticket = ws_ticket_issue(user_id=request.user.pk)
        return Response(
            {"ticket": ticket, "expiresIn": TICKET_TTL_SECONDS, "url": f"/ws/pose-generator/?ticket={ticket}"}
        )
