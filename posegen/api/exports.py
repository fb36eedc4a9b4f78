"""Export API: the format catalogue, ZIP downloads (streamed), re-export of one format."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.core.throttling import rate_limited
from posegen.imaging.export import CORNERS
from posegen.imaging.export_formats import (
    EXPORT_FORMATS,
    RECOMMENDED,
    estimated_size,
    formats_by_category,
)
from posegen.services.exports import generation_export_zip, pose_export_regenerate


class ExportFormatOutput(serializers.Serializer):
    name = serializers.CharField()
    displayName = serializers.CharField()  # noqa: N815
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    aspectRatio = serializers.CharField()  # noqa: N815
    format = serializers.CharField()
    quality = serializers.IntegerField()
    category = serializers.CharField()
    estimatedSize = serializers.CharField()  # noqa: N815


def _format_row(spec) -> dict:
    return {"name": spec.name, "displayName": spec.display_name, "width": spec.width, "height": spec.height,
            "aspectRatio": spec.aspect_ratio, "format": spec.file_format, "quality": spec.quality,
            "category": spec.category, "estimatedSize": estimated_size(spec)}


class ExportFormatsApi(APIView):
    """Spec 000 §2.3 getAvailableFormats + getFormatsByCategory + getRecommendedFormats in one answer."""

    @extend_schema(responses={200: inline_serializer("ExportFormatCatalogue", {
        "formats": ExportFormatOutput(many=True),
        "categories": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        "recommended": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    })}, tags=["export"])
    def get(self, request):
        return Response({
            "formats": [_format_row(spec) for spec in EXPORT_FORMATS.values()],
            "categories": formats_by_category(),
            "recommended": {use: list(names) for use, names in RECOMMENDED.items()},
        })


class GenerationExportZipApi(APIView):
    """A ZIP of the chosen formats of every finished image, streamed as it is built."""

    @extend_schema(
        parameters=[OpenApiParameter("formats", str, description="comma-separated format names or custom:WxH; "
                                     "default: the generation's outputFormats, else original")],
        responses={(200, "application/zip"): OpenApiTypes.BINARY}, tags=["export"],
    )
    def get(self, request, generation_id):
        raw = request.query_params.get("formats", "")
        names = [n for n in raw.split(",") if n.strip()] if raw else []
        filename, chunks = generation_export_zip(user=request.user, generation_id=generation_id, format_names=names)
        response = StreamingHttpResponse(chunks, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response


class RegenerateExportInput(serializers.Serializer):
    format = serializers.CharField(max_length=40)
    logoUrl = serializers.CharField(  # noqa: N815
        required=False, allow_blank=True, max_length=2000, default="",
        help_text="a URL that POST /uploads (kind logos) returned to you; or send the file as `logo`")
    logo = serializers.FileField(required=False, help_text="the logo as a file (multipart), instead of logoUrl")
    corner = serializers.ChoiceField(choices=[(c, c) for c in CORNERS], required=False, default="bottom_right")
    opacity = serializers.FloatField(required=False, default=0.8, min_value=0.05, max_value=1.0)


@rate_limited("export_regenerate")
class PoseRegenerateExportApi(APIView):
    @extend_schema(request={"application/json": RegenerateExportInput, "multipart/form-data": RegenerateExportInput},
                   responses={200: inline_serializer("ExportRegenerated", {"exportUrl": serializers.CharField()})},
                   tags=["export"])
    def post(self, request, pose_id):
        data = RegenerateExportInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        url = pose_export_regenerate(user=request.user, pose_id=pose_id, format_name=v["format"],
                                     logo_url=v["logoUrl"], corner=v["corner"], opacity=v["opacity"],
                                     logo=v.get("logo"))
        return Response({"exportUrl": url})
