from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.core.ws_auth import TICKET_TTL_SECONDS, ws_ticket_issue

# The WebSocket itself has no OpenAPI operation: its contract is told here, where API clients read the docs
# (the full tables are docs/WEBSOCKETS.md).
WEBSOCKET_PROTOCOL = """
Open `wss://HOST/ws/pose-generator/?ticket=<ticket>` within 60 s; the ticket is single-use. Clients that
are not browsers send no `Origin` header and are accepted with the ticket; a browser's `Origin` must be an
allowed host. An invalid ticket: the socket closes with code 4401. Send `{"type": "ping"}` for a `pong`.

Server events (JSON, each with `type`; counts are absolute):

- `connection.ready`: `activeGenerations` (list of progress objects)
- progress object fields: `generationId`, `status`, `percentage`, `posesCompleted`, `posesFailed`,
  `totalPosesExpected`
- `generation.progress`: progress fields
- `pose.completed`: progress fields + `poseId`, `outputImageUrl`, `thumbnailUrl`
- `pose.failed`: progress fields + `poseId`, `errorMessage` (English, as stored), `errorMessageByLanguage`
  (`{"en", "id"}`: the reason in each language), `creditRefunded`
- `generation.completed` / `generation.failed`: progress fields + `creditCharged`, `creditRefunded`
- `pose.exports_ready`: `poseId`, `generationId`, `exportFormats` (name → URL)
- `background.completed`: `poseId`, `jobId`, `generationId`, `outputImageUrl`, `originalImageUrl`,
  `thumbnailUrl`, `backgroundPrompt`
- `background.failed`: `poseId`, `jobId`, `errorMessage`, `errorMessageByLanguage`, `creditRefunded`
- `request.status_changed`: `requestId`, `poseName`, `fromStatus`, `toStatus`, `adminNotes`,
  `adminNotesByLanguage` (`{"en", "id"}`: the note in each language), `completedPoseId`, `duplicateOfId`,
  `notificationId`
"""


class WsTicketApi(APIView):
    """A short-lived, single-use ticket for `ws://HOST/ws/pose-generator/?ticket=...`."""

    @extend_schema(
        request=None,
        responses={200: inline_serializer("WsTicket", {"ticket": serializers.CharField(),
                                                       "expiresIn": serializers.IntegerField(),
                                                       "url": serializers.CharField()})},
        tags=["realtime"],
        summary="A ticket for the live-progress WebSocket",
        description=WEBSOCKET_PROTOCOL,
    )
    def post(self, request):
        ticket = ws_ticket_issue(user_id=request.user.pk)
        return Response(
            {"ticket": ticket, "expiresIn": TICKET_TTL_SECONDS, "url": f"/ws/pose-generator/?ticket={ticket}"}
        )
