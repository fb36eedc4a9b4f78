"""Pose library API (spec 000 §2.1 getPoseLibrary / getPoseById / getCategories, plus favourites and
the pose tools). Under /api/apps/pose-generator/:

- ``GET library`` (public): filters ``category`` (slug or id, descendants included), ``difficulty``,
  ``genderSuitability``, ``featured``, ``search``, ``favorites=true`` (signed in), ``sort``
  (popular | newest | name; by relevance when searching without a sort), ``page``, ``limit`` (<= 100).
- ``GET library/<id>`` (public): the pose with keypoints, OpenPose JSON and structure; counts a use.
- ``GET library/<id>/openpose.json`` (public): the OpenPose JSON as a download.
- ``POST|DELETE library/<id>/favorite`` (signed in): idempotent.
- ``GET categories`` (public): the category tree; a category's poseCount includes its descendants.
- ``POST library/extract`` (signed in): a photo (``image``) or OpenPose JSON (``openposeJson``) -> pose.
- ``POST library/text-to-pose`` (signed in): a description -> pose.

Browsing is public so the gallery can be shown before sign-up (the spec's library is shared, curated
content); anything personal (favourites) or costly (pose detection, rendering) needs an account.

Speed. A list page is rendered once per query (same filters, page, limit and language) by
posegen/services/library_pages.py and cached: the gallery's pages are the same for everyone, so a cache
hit touches no database at all (posegen/library_cache.py: fresh for 30 s, then served stale while one
reader renders it again; anonymous hits are answered by library_asgi.py before Django). Only ``isFavorite`` is personal;
it is looked up for the page's poses on every request by a signed-in user, and ``favorites=true``
pages are never cached. Counters in a cached page may lag by up to the cache lifetime; the detail
and favourite responses are always exact. The serializers below describe the shapes for OpenAPI.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from django.http import HttpResponse, JsonResponse, QueryDict
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.core.pagination import MAX_LIMIT, PageInput, paginated_serializer
from lumiku.core.throttling import rate_limited
from posegen.library_cache import library_cache_key, library_page_lookup
from posegen.library_i18n import category_text_for_reader
from posegen.models.choices import Difficulty, GenderSuitability
from posegen.selectors.library import SORTS, category_tree, library_favorite_ids, library_pose_openpose
from posegen.services.feasibility import pose_items_annotate_support
from posegen.services.library_favourites import library_pose_favorite, library_pose_open, library_pose_unfavorite
from posegen.services.library_pages import library_page_render, list_page_cache_parts, pose_item
from posegen.services.library_tools import library_pose_extract, library_text_to_pose, png_base64


def _choice(choices: list[str] | tuple[str, ...], name: str) -> serializers.ChoiceField:
    allowed = ", ".join(choices)
    return serializers.ChoiceField(
        choices=list(choices), required=False,
        error_messages={"invalid_choice": f"“{{input}}” is not a valid {name}; use one of: {allowed}."},
    )


def _boolean() -> serializers.BooleanField:
    return serializers.BooleanField(required=False, allow_null=True, default=None,
                                    error_messages={"invalid": "Must be true or false."})


# ---- schema-only serializers (the views build the same dicts directly) ------------------------


class LibraryCategoryRefOutput(serializers.Serializer):
    id = serializers.UUIDField()
    slug = serializers.CharField()
    name = serializers.CharField()
    displayName = serializers.CharField()  # noqa: N815


class LibraryPoseOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField()
    categoryId = serializers.UUIDField()  # noqa: N815
    category = LibraryCategoryRefOutput()
    previewImageUrl = serializers.URLField(allow_null=True)  # noqa: N815
    referenceImageUrl = serializers.URLField(allow_null=True)  # noqa: N815
    controlnetImageUrl = serializers.URLField(allow_null=True)  # noqa: N815
    thumbnailUrl = serializers.URLField(allow_null=True)  # noqa: N815
    difficulty = serializers.ChoiceField(choices=Difficulty.values)
    genderSuitability = serializers.ChoiceField(choices=GenderSuitability.values)  # noqa: N815
    tags = serializers.ListField(child=serializers.CharField())
    sourceType = serializers.CharField()  # noqa: N815
    sourceCredit = serializers.CharField()  # noqa: N815
    licenseType = serializers.CharField()  # noqa: N815
    usageCount = serializers.IntegerField()  # noqa: N815
    favoriteCount = serializers.IntegerField()  # noqa: N815
    ratingAvg = serializers.FloatField()  # noqa: N815
    popularityScore = serializers.IntegerField()  # noqa: N815
    isPublic = serializers.BooleanField()  # noqa: N815
    isFeatured = serializers.BooleanField()  # noqa: N815
    isPremium = serializers.BooleanField()  # noqa: N815
    isFavorite = serializers.BooleanField()  # noqa: N815
    createdAt = serializers.DateTimeField()  # noqa: N815
    supported = serializers.BooleanField(required=False, help_text="Only with ?projectId=.")
    unsupportedReason = serializers.CharField(  # noqa: N815
        required=False, allow_null=True, help_text="Only with ?projectId=: why the pose cannot be made.")
    adjustedReason = serializers.CharField(  # noqa: N815
        required=False, allow_null=True,
        help_text="Only with ?projectId=: how a supported pose is adjusted for this photo (e.g. the hand holding "
                  "a bag kept as it is); null when it is made as is.")


class LibraryPoseDetailOutput(LibraryPoseOutput):
    keypoints = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    openposeJson = serializers.JSONField()  # noqa: N815
    poseStructure = serializers.JSONField()  # noqa: N815


class LibraryPoseEnvelope(serializers.Serializer):
    pose = LibraryPoseDetailOutput()


class LibraryCategoryOutput(serializers.Serializer):
    id = serializers.UUIDField()
    slug = serializers.CharField()
    name = serializers.CharField()
    displayName = serializers.CharField()  # noqa: N815
    description = serializers.CharField()
    icon = serializers.CharField()
    color = serializers.CharField()
    displayOrder = serializers.IntegerField()  # noqa: N815
    poseCount = serializers.IntegerField(help_text="Public poses in this category and all its descendants.")  # noqa: N815
    children = serializers.ListField(child=serializers.DictField(), help_text="The same shape, nested.")


class LibraryCategoriesEnvelope(serializers.Serializer):
    categories = LibraryCategoryOutput(many=True)


class LibraryFavoriteOutput(serializers.Serializer):
    poseId = serializers.UUIDField()  # noqa: N815
    isFavorite = serializers.BooleanField()  # noqa: N815
    favoriteCount = serializers.IntegerField()  # noqa: N815
    popularityScore = serializers.IntegerField()  # noqa: N815


class LibraryExtractOutput(serializers.Serializer):
    keypoints = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()),
                                      help_text="COCO-18 [x, y, confidence], x and y normalised to the photo.")
    openposeJson = serializers.JSONField()  # noqa: N815
    controlnetMapPng = serializers.CharField(help_text="Base64 PNG, the photo's aspect, at most 1024 px.")  # noqa: N815
    peopleDetected = serializers.IntegerField()  # noqa: N815
    warnings = serializers.ListField(child=serializers.CharField())
    imageWidth = serializers.IntegerField()  # noqa: N815
    imageHeight = serializers.IntegerField()  # noqa: N815


class LibraryTextPoseVariationOutput(serializers.Serializer):
    poseStructure = serializers.JSONField()  # noqa: N815
    keypoints = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))


class LibraryTextPoseOutput(serializers.Serializer):
    understood = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField())
    poseStructure = serializers.JSONField(help_text="The body-model pose (posekit pose dict).")  # noqa: N815
    parts = serializers.JSONField(help_text="Stance, arms, head, view as understood.")
    keypoints = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    openposeJson = serializers.JSONField()  # noqa: N815
    controlnetMapPng = serializers.CharField(help_text="Base64 PNG of the ControlNet OpenPose map.")  # noqa: N815
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    variations = LibraryTextPoseVariationOutput(many=True)


def _category_json(node) -> dict[str, Any]:
    name, display_name, description = category_text_for_reader(
        slug=node.slug, name=node.name, display_name=node.display_name, description=node.description)
    return {
        "id": str(node.id), "slug": node.slug, "name": name, "displayName": display_name,
        "description": description, "icon": node.icon, "color": node.color,
        "displayOrder": node.display_order, "poseCount": node.pose_count,
        "children": [_category_json(child) for child in node.children],
    }


# ---- views -------------------------------------------------------------------------------------


class LibraryListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("page", int),
            OpenApiParameter("limit", int, description=f"1..{MAX_LIMIT}, default 20"),
            OpenApiParameter("category", str, description="Category slug or id; descendants are included."),
            OpenApiParameter("difficulty", str, enum=Difficulty.values),
            OpenApiParameter("genderSuitability", str, enum=GenderSuitability.values),
            OpenApiParameter("featured", bool),
            OpenApiParameter("favorites", bool, description="Only your favourites (signed in)."),
            OpenApiParameter("search", str, description="Words in the name, description or tags."),
            OpenApiParameter("sort", str, enum=list(SORTS)),
            OpenApiParameter("projectId", OpenApiTypes.UUID,
                             description="Your project (signed in): each pose gets `supported`, "
                                         "`unsupportedReason` and `adjustedReason` for its avatar and the "
                                         "engine in use."),
        ],
        responses={200: paginated_serializer(name="LibraryPosePage", key="poses", item=LibraryPoseOutput)},
        tags=["library"],
        operation_id="library_list",
    )
    def get(self, request):
        filters, page_number, limit = list_query(request.META.get("QUERY_STRING", ""))
        user = request.user if request.user.is_authenticated else None
        if filters["favorites"] and user is None:
            raise NotAuthenticated("Sign in to see your favourites.")
        project_id = _project_param(request)
        if project_id is not None and user is None:
            raise NotAuthenticated(gettext("Sign in to check poses against your project."))
        parts = list_page_cache_parts(filters=filters, page=page_number, limit=limit)
        key = library_cache_key(kind="page", parts=parts) if parts else None
        encoded, refresh = library_page_lookup(key) if key else (None, True)
        if refresh:
            owner = user if filters["favorites"] else None  # whose favourites to filter by
            encoded = library_page_render(filters=filters, page_number=page_number, limit=limit, owner=owner,
                                          key=key)
        if user is None:
            return HttpResponse(encoded, content_type="application/json")
        body = json.loads(encoded)
        if body["poses"]:
            ids = [p["id"] for p in body["poses"]]
            favorite_ids = {str(i) for i in library_favorite_ids(user=user, pose_ids=ids)}
            for item in body["poses"]:
                item["isFavorite"] = item["id"] in favorite_ids
        if project_id is not None:  # personal: added per request, after the shared page cache
            pose_items_annotate_support(user=user, project_id=project_id, items=body["poses"])
        return Response(body)


class _ProjectParamInput(serializers.Serializer):
    projectId = serializers.UUIDField(required=False)  # noqa: N815


def _project_param(request):
    """``?projectId=``: each pose then says whether the engine can make it from that project's avatar."""
    if "projectId" not in request.query_params:
        return None
    params = _ProjectParamInput(data={"projectId": request.query_params.get("projectId")})
    params.is_valid(raise_exception=True)
    return params.validated_data["projectId"]


class _LibraryFilterInput(PageInput):
    category = serializers.CharField(required=False, max_length=120)
    difficulty = _choice(Difficulty.values, "difficulty")
    genderSuitability = _choice(GenderSuitability.values, "genderSuitability")  # noqa: N815
    featured = _boolean()
    favorites = _boolean()
    search = serializers.CharField(required=False, max_length=200, allow_blank=True)
    sort = _choice(SORTS, "sort")


@lru_cache(maxsize=4096)
def _validated_list_params(query_string: str) -> tuple[tuple[str, Any], ...]:
    params = _LibraryFilterInput(data=QueryDict(query_string))
    params.is_valid(raise_exception=True)
    return tuple(params.validated_data.items())


def list_query(query_string: str) -> tuple[dict[str, Any], int, int]:
    """(filters for ``library_browse``, page, limit) of a list query string; a query string seen
    before skips the serializer (400s are not kept: they raise the ValidationError every time)."""
    v = dict(_validated_list_params(query_string))
    filters = {
        "category": v.get("category") or None, "difficulty": v.get("difficulty"),
        "gender_suitability": v.get("genderSuitability"), "featured": v.get("featured"),
        "search": (v.get("search") or "").strip() or None, "sort": v.get("sort"),
        "favorites": bool(v.get("favorites")),
    }
    return filters, v["page"], v["limit"]


class LibraryDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: LibraryPoseEnvelope}, tags=["library"], operation_id="library_retrieve")
    def get(self, request, pose_id):
        user = request.user if request.user.is_authenticated else None
        row, is_favorite = library_pose_open(pose_id=pose_id, user=user)
        item = pose_item(row, favorite_ids={row["id"]} if is_favorite else set())
        item.update(keypoints=row["keypoints"], openposeJson=row["openpose_json"], poseStructure=row["pose_structure"])
        return Response({"pose": item})


class LibraryOpenPoseApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT}, tags=["library"],
                   operation_id="library_openpose_download")
    def get(self, request, pose_id):
        name, document = library_pose_openpose(pose_id=pose_id)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80] or "pose"
        response = JsonResponse(document)
        response["Content-Disposition"] = f'attachment; filename="{slug}.openpose.json"'
        return response


class LibraryFavoriteApi(APIView):
    permission_classes = [IsAuthenticated]

    @staticmethod
    def _body(state) -> dict[str, Any]:
        return {"poseId": str(state.pose_id), "isFavorite": state.is_favorite, "favoriteCount": state.favorite_count,
                "popularityScore": state.popularity_score}

    @extend_schema(request=None, responses={200: LibraryFavoriteOutput, 201: LibraryFavoriteOutput},
                   tags=["library"], operation_id="library_favorite_add")
    def post(self, request, pose_id):
        state = library_pose_favorite(user=request.user, pose_id=pose_id)
        return Response(self._body(state), status=status.HTTP_201_CREATED if state.changed else status.HTTP_200_OK)

    @extend_schema(request=None, responses={200: LibraryFavoriteOutput}, tags=["library"],
                   operation_id="library_favorite_remove")
    def delete(self, request, pose_id):
        return Response(self._body(library_pose_unfavorite(user=request.user, pose_id=pose_id)))


class CategoryListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: LibraryCategoriesEnvelope}, tags=["library"], operation_id="categories_list")
    def get(self, request):
        return Response({"categories": [_category_json(node) for node in category_tree()]})


@rate_limited("library_extract")
class LibraryExtractApi(APIView):
    permission_classes = [IsAuthenticated]

    class ExtractInput(serializers.Serializer):
        image = serializers.FileField(required=False, help_text="A photo of one person (JPEG, PNG or WebP).")
        imageUrl = serializers.CharField(  # noqa: N815
            required=False, allow_blank=True, max_length=2000, default="",
            help_text="instead of image: a URL that POST /uploads (kind references) returned to you")
        openposeJson = serializers.JSONField(  # noqa: N815
            required=False, help_text="OpenPose JSON (an object, or a .json file in multipart) instead of a photo.")

    @extend_schema(
        request={"multipart/form-data": ExtractInput, "application/json": ExtractInput},
        responses={200: LibraryExtractOutput}, tags=["library"], operation_id="library_extract",
    )
    def post(self, request):
        upload = request.FILES.get("openposeJson")
        if upload is not None:
            result = library_pose_extract(openpose_json=upload)
        else:
            data = self.ExtractInput(data=request.data)
            data.is_valid(raise_exception=True)
            v = data.validated_data
            result = library_pose_extract(image=v.get("image"), openpose_json=v.get("openposeJson"),
                                          image_url=v["imageUrl"], user=request.user)
        return Response({
            "keypoints": result.keypoints, "openposeJson": result.openpose,
            "controlnetMapPng": png_base64(result.controlnet_png), "peopleDetected": result.people_detected,
            "warnings": result.warnings, "imageWidth": result.image_width, "imageHeight": result.image_height,
        })


@rate_limited("text_to_pose")
class LibraryTextToPoseApi(APIView):
    permission_classes = [IsAuthenticated]

    class TextToPoseInput(serializers.Serializer):
        textPrompt = serializers.CharField(max_length=500)  # noqa: N815
        variations = serializers.IntegerField(min_value=0, max_value=8, default=0)
        seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, default=0)
        width = serializers.IntegerField(min_value=64, max_value=2048, default=768)
        height = serializers.IntegerField(min_value=64, max_value=2048, default=1024)

    @extend_schema(request=TextToPoseInput, responses={200: LibraryTextPoseOutput}, tags=["library"],
                   operation_id="library_text_to_pose")
    def post(self, request):
        data = self.TextToPoseInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = library_text_to_pose(text=v["textPrompt"], variations=v["variations"], seed=v["seed"],
                                      width=v["width"], height=v["height"])
        return Response({
            "understood": result.understood, "notes": result.notes, "poseStructure": result.pose_structure,
            "parts": result.parts, "keypoints": result.keypoints, "openposeJson": result.openpose,
            "controlnetMapPng": png_base64(result.controlnet_png), "width": result.width, "height": result.height,
            "variations": result.variations,
        })


# The query parameters the list understands; the ASGI fast path leaves any other to Django (DRF's ``format``).
LIST_QUERY_PARAMS = frozenset(_LibraryFilterInput().fields)
