from django.http import HttpResponseRedirect
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.core.pagination import PageInput, page_response, paginate, paginated_serializer
from lumiku.core.serializers import StorageUrlField
from lumiku.core.storage import storage_url
from lumiku.core.throttling import rate_limited
from posegen.format_labels import export_failure_text
from posegen.imaging.export_formats import EXPORT_FORMATS
from posegen.models.choices import BackgroundMode, GenerationType
from posegen.selectors.generations import (
    generated_pose_get,
    generation_eta_seconds,
    generation_get,
    generation_progress,
    generation_results,
    project_generations,
)
from posegen.selectors.projects import project_get
from posegen.services.generations.cancel import generation_cancel
from posegen.services.generations.start import estimated_seconds, generation_start, request_fingerprint
from posegen.services.results import generated_pose_download, generated_pose_set_favorite
from posegen.services.validation import validate_generate_request


class ReaderLanguageField(serializers.CharField):
    """Stored English the web layer knows as a msgid (e.g. the quality gate's reasons), said in the
    reader's language; any other text as stored."""

    def to_representation(self, value):
        return gettext(value) if value else value


class GenerationOutput(serializers.Serializer):
    id = serializers.UUIDField()
    projectId = serializers.UUIDField(source="project_id")  # noqa: N815
    generationType = serializers.CharField(source="generation_type")  # noqa: N815
    textPrompt = serializers.CharField(source="text_prompt")  # noqa: N815
    generatedPoseStructure = serializers.JSONField(source="generated_pose_structure")  # noqa: N815
    avatarId = serializers.UUIDField(source="avatar_id", allow_null=True)  # noqa: N815
    avatarAttributes = serializers.JSONField(source="avatar_attributes")  # noqa: N815
    batchSize = serializers.IntegerField(source="batch_size")  # noqa: N815
    totalExpectedPoses = serializers.IntegerField(source="total_expected_poses")  # noqa: N815
    seed = serializers.IntegerField(allow_null=True)
    useBackgroundChanger = serializers.BooleanField(source="use_background_changer")  # noqa: N815
    backgroundMode = serializers.CharField(source="background_mode")  # noqa: N815
    backgroundColor = serializers.CharField(source="background_color")  # noqa: N815
    backgroundPrompt = serializers.CharField(source="background_prompt")  # noqa: N815
    exportFormats = serializers.JSONField(source="export_formats")  # noqa: N815
    status = serializers.CharField()
    progress = serializers.IntegerField()
    posesCompleted = serializers.IntegerField(source="poses_completed")  # noqa: N815
    posesFailed = serializers.IntegerField(source="poses_failed")  # noqa: N815
    posesCancelled = serializers.IntegerField(source="poses_cancelled")  # noqa: N815
    paymentMethod = serializers.CharField(source="payment_method")  # noqa: N815
    creditCharged = serializers.IntegerField(source="credit_charged")  # noqa: N815
    creditRefunded = serializers.IntegerField(source="credit_refunded")  # noqa: N815
    queueJobId = serializers.CharField(source="queue_job_id")  # noqa: N815
    errorMessage = ReaderLanguageField(source="error_message")  # noqa: N815
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    startedAt = serializers.DateTimeField(source="started_at", allow_null=True)  # noqa: N815
    completedAt = serializers.DateTimeField(source="completed_at", allow_null=True)  # noqa: N815
    avgGenerationTime = serializers.FloatField(source="avg_generation_time", allow_null=True)  # noqa: N815
    totalProcessingTime = serializers.FloatField(source="total_processing_time", allow_null=True)  # noqa: N815


@extend_schema_field({"type": "object",
                      "additionalProperties": {"type": "string", "format": "uri-reference", "nullable": True}})
class ExportUrlsField(serializers.Field):
    def to_representation(self, value):
        return {name: storage_url(stored) for name, stored in (value or {}).items()}


class ExportFailuresField(serializers.DictField):
    """``{format: reason}``, each stored English reason said in the reader's language (format_labels)."""

    def to_representation(self, value):
        return {name: export_failure_text(format_name=name, message=message) for name, message in (value or {}).items()}


class GeneratedPoseOutput(serializers.Serializer):
    id = serializers.UUIDField()
    generationId = serializers.UUIDField(source="generation_id")  # noqa: N815
    poseLibraryId = serializers.UUIDField(source="pose_library_id", allow_null=True)  # noqa: N815
    poseName = serializers.CharField(source="pose_library.name", default=None, allow_null=True)  # noqa: N815
    sequence = serializers.IntegerField()
    variationIndex = serializers.IntegerField(source="variation_index")  # noqa: N815
    outputImageUrl = StorageUrlField(source="output_image")  # noqa: N815
    thumbnailUrl = StorageUrlField(source="thumbnail")  # noqa: N815
    originalImageUrl = StorageUrlField(source="original_image")  # noqa: N815
    exportFormats = ExportUrlsField(source="export_formats")  # noqa: N815
    exportFailures = ExportFailuresField(  # noqa: N815
        source="export_failures", child=serializers.CharField(),
        help_text="formats whose latest export failed, with the reason (the other formats were delivered)")
    backgroundChanged = serializers.BooleanField(source="background_changed")  # noqa: N815
    backgroundPrompt = serializers.CharField(source="background_prompt")  # noqa: N815
    promptUsed = serializers.CharField(source="prompt_used")  # noqa: N815
    seedUsed = serializers.IntegerField(source="seed_used", allow_null=True)  # noqa: N815
    controlnetWeight = serializers.FloatField(source="controlnet_weight")  # noqa: N815
    generationTime = serializers.FloatField(source="generation_time", allow_null=True)  # noqa: N815
    aiConfidenceScore = serializers.FloatField(source="ai_confidence_score", allow_null=True)  # noqa: N815
    isFavorite = serializers.BooleanField(source="is_favorite")  # noqa: N815
    downloadCount = serializers.IntegerField(source="download_count")  # noqa: N815
    status = serializers.CharField()
    errorMessage = ReaderLanguageField(source="error_message")  # noqa: N815
    refunded = serializers.BooleanField()
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    completedAt = serializers.DateTimeField(source="completed_at", allow_null=True)  # noqa: N815


class GenerateAccepted(serializers.Serializer):
    generationId = serializers.UUIDField()  # noqa: N815
    status = serializers.CharField()
    totalPosesExpected = serializers.IntegerField()  # noqa: N815
    creditCharged = serializers.IntegerField()  # noqa: N815
    estimatedCompletionTime = serializers.IntegerField(help_text="seconds")  # noqa: N815


@rate_limited("generate")
class GenerateApi(APIView):
    class GenerateInput(serializers.Serializer):
        projectId = serializers.UUIDField()  # noqa: N815
        generationType = serializers.ChoiceField(choices=GenerationType.choices)  # noqa: N815
        selectedPoseIds = serializers.ListField(child=serializers.UUIDField(), required=False,  # noqa: N815
                                                max_length=200)
        batchSize = serializers.IntegerField(required=False, default=1)  # noqa: N815
        textPrompt = serializers.CharField(required=False, allow_blank=True, max_length=2000,  # noqa: N815
                                           trim_whitespace=False)
        variationCount = serializers.IntegerField(required=False, default=1)  # noqa: N815
        useBackgroundChanger = serializers.BooleanField(required=False, default=False)  # noqa: N815
        backgroundMode = serializers.ChoiceField(choices=BackgroundMode.choices, required=False,  # noqa: N815
                                                 allow_blank=True, default="")
        backgroundColor = serializers.CharField(required=False, allow_blank=True, max_length=20,  # noqa: N815
                                                default="")
        backgroundPrompt = serializers.CharField(required=False, allow_blank=True, max_length=2000,  # noqa: N815
                                                 default="")
        backgroundImage = serializers.FileField(required=False)  # noqa: N815
        backgroundImageUrl = serializers.CharField(  # noqa: N815
            required=False, allow_blank=True, max_length=2000, default="",
            help_text="instead of backgroundImage: a URL that POST /uploads (kind backgrounds) returned to you")
        referenceImage = serializers.FileField(required=False)  # noqa: N815
        referenceImageUrl = serializers.CharField(  # noqa: N815
            required=False, allow_blank=True, max_length=2000, default="",
            help_text="instead of referenceImage: a URL that POST /uploads (kind references) returned to you")
        outputFormats = serializers.ListField(child=serializers.CharField(max_length=40), required=False,  # noqa: N815
                                              default=list, max_length=50)
        seed = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2**31 - 1)

    @extend_schema(
        request={"application/json": GenerateInput, "multipart/form-data": GenerateInput},
        responses={202: GenerateAccepted},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
        tags=["generation"],
    )
    def post(self, request):
        data = self.GenerateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        plan = validate_generate_request(
            generation_type=v["generationType"], selected_pose_ids=v.get("selectedPoseIds"),
            batch_size=v["batchSize"], text_prompt=v.get("textPrompt"), variation_count=v["variationCount"],
            use_background_changer=v["useBackgroundChanger"], background_mode=v["backgroundMode"],
            background_color=v["backgroundColor"], background_prompt=v["backgroundPrompt"],
            has_background_upload="backgroundImage" in v or bool(v["backgroundImageUrl"].strip()),
            has_reference_image="referenceImage" in v or bool(v["referenceImageUrl"].strip()),
            output_formats=v["outputFormats"], seed=v.get("seed"),
        )
        fingerprint_payload = {k: val for k, val in v.items() if k not in ("backgroundImage", "referenceImage")}
        generation, _created = generation_start(
            user=request.user, project_id=v["projectId"], plan=plan, background_image=v.get("backgroundImage"),
            reference_image=v.get("referenceImage"), background_image_url=v["backgroundImageUrl"],
            reference_image_url=v["referenceImageUrl"],
            idempotency_key=request.headers.get("Idempotency-Key", "")[:200],
            fingerprint=request_fingerprint(fingerprint_payload),
        )
        body = {
            "generationId": str(generation.pk),
            "status": generation.status,
            "totalPosesExpected": generation.total_expected_poses,
            "creditCharged": generation.credit_charged,
            "estimatedCompletionTime": estimated_seconds(images=generation.total_expected_poses),
        }
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ProgressOutput(serializers.Serializer):
    percentage = serializers.IntegerField()
    posesCompleted = serializers.IntegerField()  # noqa: N815
    posesFailed = serializers.IntegerField()  # noqa: N815
    estimatedTimeRemaining = serializers.IntegerField(allow_null=True)  # noqa: N815


class GenerationStatusApi(APIView):
    @extend_schema(
        responses={200: inline_serializer("GenerationStatus", {"generation": GenerationOutput(),
                                                              "progress": ProgressOutput()})},
        tags=["generation"],
    )
    def get(self, request, generation_id):
        generation = generation_get(user=request.user, generation_id=generation_id)
        progress = generation_progress(generation=generation)
        return Response({
            "generation": GenerationOutput(generation).data,
            "progress": {
                "percentage": progress["percentage"],
                "posesCompleted": progress["posesCompleted"],
                "posesFailed": progress["posesFailed"],
                "estimatedTimeRemaining": generation_eta_seconds(generation=generation),
            },
        })


class GenerationResultsApi(APIView):
    @extend_schema(
        responses={200: inline_serializer("GenerationResults", {"generation": GenerationOutput(),
                                                               "results": GeneratedPoseOutput(many=True)})},
        tags=["generation"],
    )
    def get(self, request, generation_id):
        generation = generation_get(user=request.user, generation_id=generation_id)
        results = generation_results(generation=generation)
        return Response({"generation": GenerationOutput(generation).data,
                         "results": GeneratedPoseOutput(results, many=True).data})


class GenerationCancelApi(APIView):
    @extend_schema(request=None, responses={200: inline_serializer("GenerationCancelled",
                                                                   {"generation": GenerationOutput()})},
                   tags=["generation"])
    def post(self, request, generation_id):
        generation = generation_cancel(user=request.user, generation_id=generation_id)
        return Response({"generation": GenerationOutput(generation).data})


class ProjectGenerationsApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("limit", int)],
        responses={200: paginated_serializer(name="GenerationPage", key="generations", item=GenerationOutput)},
        tags=["generation"],
    )
    def get(self, request, project_id):
        project = project_get(user=request.user, project_id=project_id)
        params = PageInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = paginate(queryset=project_generations(project=project), **params.validated_data)
        return Response(page_response(key="generations", page=page, serializer_class=GenerationOutput))


class PoseFavoriteApi(APIView):
    @extend_schema(request=None, responses={200: inline_serializer("PoseFavorite", {"pose": GeneratedPoseOutput()})},
                   tags=["generation"])
    def post(self, request, pose_id):
        pose = generated_pose_set_favorite(pose=generated_pose_get(user=request.user, pose_id=pose_id),
                                           favorite=True)
        return Response({"pose": GeneratedPoseOutput(pose).data})

    @extend_schema(request=None, responses={200: inline_serializer("PoseUnfavorite",
                                                                   {"pose": GeneratedPoseOutput()})},
                   tags=["generation"])
    def delete(self, request, pose_id):
        pose = generated_pose_set_favorite(pose=generated_pose_get(user=request.user, pose_id=pose_id),
                                           favorite=False)
        return Response({"pose": GeneratedPoseOutput(pose).data})


class PoseDownloadApi(APIView):
    """Counts the download, then redirects to the file (`?format=` one of the pose's exports)."""

    def perform_content_negotiation(self, request, force=False):
        # `format` is this endpoint's documented parameter (the export's name), not DRF's renderer override,
        # which would answer 404 for every name that is not a renderer; errors are JSON like everywhere.
        renderer = self.get_renderers()[0]
        return renderer, renderer.media_type

    @extend_schema(parameters=[OpenApiParameter("format", str, enum=list(EXPORT_FORMATS))],
                   responses={302: None}, tags=["generation"])
    def get(self, request, pose_id):
        pose = generated_pose_get(user=request.user, pose_id=pose_id)
        return HttpResponseRedirect(generated_pose_download(pose=pose,
                                                            format_name=request.query_params.get("format", "original")))
