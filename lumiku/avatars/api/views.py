from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.avatars.models import AgeRange, BodyType, Gender, Style
from lumiku.avatars.selectors import avatar_get, avatar_list
from lumiku.avatars.services import avatar_create, avatar_delete, avatar_update
from lumiku.core.pagination import PageInput, page_response, paginate, paginated_serializer
from lumiku.core.storage import storage_url
from lumiku.core.throttling import rate_limited


class AvatarOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    imageUrl = serializers.SerializerMethodField()  # noqa: N815
    width = serializers.IntegerField(source="image_width")
    height = serializers.IntegerField(source="image_height")
    gender = serializers.CharField()
    ageRange = serializers.CharField(source="age_range")  # noqa: N815
    ethnicity = serializers.CharField()
    bodyType = serializers.CharField(source="body_type")  # noqa: N815
    style = serializers.CharField()
    usageCount = serializers.IntegerField(source="usage_count")  # noqa: N815
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    updatedAt = serializers.DateTimeField(source="updated_at")  # noqa: N815

    def get_imageUrl(self, obj) -> str:  # noqa: N802
        return storage_url(obj.image.name)


class AvatarEnvelope(serializers.Serializer):
    avatar = AvatarOutput()


def _to_model_fields(data: dict) -> dict:
    mapping = {"ageRange": "age_range", "bodyType": "body_type", "imageUrl": "image_url"}
    return {mapping.get(k, k): v for k, v in data.items()}


class AvatarAttributes(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    gender = serializers.ChoiceField(choices=Gender.choices, default=Gender.UNISEX)
    ageRange = serializers.ChoiceField(choices=AgeRange.choices, required=False, allow_blank=True)  # noqa: N815
    ethnicity = serializers.CharField(max_length=50, required=False, allow_blank=True)
    bodyType = serializers.ChoiceField(choices=BodyType.choices, required=False, allow_blank=True)  # noqa: N815
    style = serializers.ChoiceField(choices=Style.choices, required=False, allow_blank=True)


@rate_limited("upload", methods=("POST",))
class AvatarListCreateApi(APIView):
    class AvatarCreateInput(AvatarAttributes):
        # One of the two (lumiku.core.uploads): a file, or the URL of the user's own `avatars` upload.
        image = serializers.FileField(required=False)
        imageUrl = serializers.CharField(required=False, allow_blank=True, max_length=2000)  # noqa: N815

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("limit", int)],
        responses={200: paginated_serializer(name="AvatarPage", key="avatars", item=AvatarOutput)},
        tags=["avatars"],
        operation_id="avatars_list",
    )
    def get(self, request):
        params = PageInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = paginate(queryset=avatar_list(user=request.user), **params.validated_data)
        return Response(page_response(key="avatars", page=page, serializer_class=AvatarOutput))

    @extend_schema(
        request={"multipart/form-data": AvatarCreateInput, "application/json": AvatarCreateInput},
        responses={201: AvatarEnvelope}, tags=["avatars"]
    )
    def post(self, request):
        data = self.AvatarCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        avatar = avatar_create(user=request.user, **_to_model_fields(data.validated_data))
        return Response({"avatar": AvatarOutput(avatar).data}, status=status.HTTP_201_CREATED)


class AvatarDetailApi(APIView):
    class AvatarUpdateInput(AvatarAttributes):
        name = serializers.CharField(max_length=100, required=False)
        gender = serializers.ChoiceField(choices=Gender.choices, required=False)

    @extend_schema(responses={200: AvatarEnvelope}, tags=["avatars"])
    def get(self, request, avatar_id):
        return Response({"avatar": AvatarOutput(avatar_get(user=request.user, avatar_id=avatar_id)).data})

    @extend_schema(request=AvatarUpdateInput, responses={200: AvatarEnvelope}, tags=["avatars"])
    def patch(self, request, avatar_id):
        avatar = avatar_get(user=request.user, avatar_id=avatar_id)
        data = self.AvatarUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        avatar = avatar_update(avatar=avatar, **_to_model_fields(data.validated_data))
        return Response({"avatar": AvatarOutput(avatar).data})

    @extend_schema(responses={204: None}, tags=["avatars"])
    def delete(self, request, avatar_id):
        avatar_delete(avatar=avatar_get(user=request.user, avatar_id=avatar_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
