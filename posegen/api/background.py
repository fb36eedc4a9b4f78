"""Background changer API (spec 003 §1C): change, revert, whole generation, backdrop library, uploads."""

from __future__ import annotations

import io

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiTypes, extend_schema, inline_serializer
from PIL import Image
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.core.errors import NotFound
from lumiku.core.storage import storage_url
from lumiku.core.throttling import rate_limited
from lumiku.core.uploads import ASSET_KINDS, user_asset_upload
from posegen.api.generation import GeneratedPoseOutput
from posegen.imaging.backdrops import BACKDROP_LIBRARY, backdrop_get, generate_backdrop
from posegen.models.choices import BackgroundMode
from posegen.services.backgrounds import (
    background_change_start,
    background_request_validate,
    background_revert,
    generation_background_start,
)
from posegen.services.pricing import background_price

AI_GENERATE_NOTE = (
    "Without a generative engine configured, ai_generate paints a studio backdrop: a seamless wall-to-floor "
    "sweep whose colours and light follow the words of your prompt (colours such as 'beige' or 'navy', scenes "
    "such as 'beach' or 'sunset', light such as 'soft', 'dramatic' or 'window light from the left'). It does "
    "not draw objects or places."
)


class BackgroundInput(serializers.Serializer):
    backgroundMode = serializers.ChoiceField(choices=BackgroundMode.choices, required=False,  # noqa: N815
                                             allow_blank=True, default="")
    backgroundColor = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")  # noqa: N815
    backgroundPrompt = serializers.CharField(required=False, allow_blank=True, max_length=2000,  # noqa: N815
                                             default="")
    backgroundImageUrl = serializers.CharField(required=False, allow_blank=True, max_length=2000,  # noqa: N815
                                               default="")
    backgroundImage = serializers.FileField(required=False)  # noqa: N815
    backdropId = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")  # noqa: N815


def _validated(request):
    data = BackgroundInput(data=request.data)
    data.is_valid(raise_exception=True)
    v = data.validated_data
    return background_request_validate(
        user=request.user, mode=v["backgroundMode"], color=v["backgroundColor"], prompt=v["backgroundPrompt"],
        backdrop_id=v["backdropId"], image_upload=v.get("backgroundImage"), image_url=v["backgroundImageUrl"],
    )


class BackgroundAccepted(serializers.Serializer):
    poseId = serializers.UUIDField()  # noqa: N815
    outputImageUrl = serializers.CharField(allow_null=True)  # noqa: N815
    creditCharged = serializers.IntegerField()  # noqa: N815
    creditBalance = serializers.IntegerField()  # noqa: N815


@rate_limited("background_change")
class PoseBackgroundApi(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request={"application/json": BackgroundInput, "multipart/form-data": BackgroundInput},
                   responses={202: BackgroundAccepted}, tags=["background"])
    def post(self, request, pose_id):
        job, balance = background_change_start(user=request.user, pose_id=pose_id, request=_validated(request))
        return Response({"poseId": str(job.pose_id), "outputImageUrl": storage_url(job.pose.output_image.name),
                         "creditCharged": job.credit_charged, "creditBalance": balance},
                        status=status.HTTP_202_ACCEPTED)


class PoseBackgroundRevertApi(APIView):
    @extend_schema(request=None, responses={200: inline_serializer("PoseBackgroundReverted",
                                                                   {"pose": GeneratedPoseOutput()})},
                   tags=["background"])
    def post(self, request, pose_id):
        pose = background_revert(user=request.user, pose_id=pose_id)
        return Response({"pose": GeneratedPoseOutput(pose).data})


class GenerationBackgroundAccepted(serializers.Serializer):
    generationId = serializers.UUIDField()  # noqa: N815
    poses = inline_serializer("GenerationBackgroundPose", {"poseId": serializers.UUIDField(),
                                                           "outputImageUrl": serializers.CharField(allow_null=True)},
                              many=True)
    creditCharged = serializers.IntegerField()  # noqa: N815
    creditBalance = serializers.IntegerField()  # noqa: N815


@rate_limited("background_change")
class GenerationBackgroundApi(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request={"application/json": BackgroundInput, "multipart/form-data": BackgroundInput},
                   responses={202: GenerationBackgroundAccepted}, tags=["background"])
    def post(self, request, generation_id):
        jobs, balance = generation_background_start(user=request.user, generation_id=generation_id,
                                                    request=_validated(request))
        return Response({
            "generationId": str(generation_id),
            "poses": [{"poseId": str(j.pose_id), "outputImageUrl": storage_url(j.pose.output_image.name)}
                      for j in jobs],
            "creditCharged": sum(j.credit_charged for j in jobs),
            "creditBalance": balance,
        }, status=status.HTTP_202_ACCEPTED)


class BackdropOutput(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    prompt = serializers.CharField()
    description = serializers.CharField()
    previewUrl = serializers.CharField()  # noqa: N815


class BackdropLibraryApi(APIView):
    @extend_schema(responses={200: inline_serializer("BackdropLibrary", {
        "backdrops": BackdropOutput(many=True), "price": serializers.IntegerField(),
        "modes": serializers.ListField(child=serializers.CharField()), "aiGenerateNote": serializers.CharField()})},
        tags=["background"])
    def get(self, request):
        return Response({
            "backdrops": [{"id": b.id, "name": b.name, "prompt": b.prompt, "description": b.plan.describe(),
                           "previewUrl": f"{request.path.rstrip('/')}/{b.id}/preview"}
                          for b in BACKDROP_LIBRARY],
            "price": background_price(user=request.user),
            "modes": list(BackgroundMode.values),
            "aiGenerateNote": AI_GENERATE_NOTE,
        })


class BackdropPreviewApi(APIView):
    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY}, tags=["background"])
    def get(self, request, backdrop_id):
        backdrop = backdrop_get(backdrop_id)
        if backdrop is None:
            raise NotFound("Backdrop not found.", code="BACKDROP_NOT_FOUND")
        buf = io.BytesIO()
        Image.fromarray(generate_backdrop(prompt=backdrop.prompt, width=240, height=320)).save(buf, "JPEG", quality=85)
        response = HttpResponse(buf.getvalue(), content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=86400"
        return response


class UploadInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k, k) for k in ASSET_KINDS])
    image = serializers.FileField()


@rate_limited("upload")
class UserAssetUploadApi(APIView):
    """Upload a background image or a logo (validated by content); use the returned URL in later requests."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": UploadInput},
                   responses={201: inline_serializer("UserAssetUploaded", {"url": serializers.CharField(),
                                                                           "kind": serializers.CharField()})},
                   tags=["background"])
    def post(self, request):
        data = UploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        name = user_asset_upload(user=request.user, upload=data.validated_data["image"],
                                 kind=data.validated_data["kind"])
        return Response({"url": storage_url(name), "kind": data.validated_data["kind"]},
                        status=status.HTTP_201_CREATED)
