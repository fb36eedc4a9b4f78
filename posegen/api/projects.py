from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.core.pagination import PageInput, page_response, paginate, paginated_serializer
from lumiku.core.throttling import rate_limited
from posegen.api.serializers import ProjectEnvelope, ProjectOutput
from posegen.models.choices import AvatarSource, ProjectStatus
from posegen.selectors.projects import project_get, project_list
from posegen.services.projects import project_create, project_delete, project_update


@rate_limited("upload", methods=("POST",))
class ProjectListCreateApi(APIView):
    class ProjectFilterInput(PageInput):
        status = serializers.ChoiceField(choices=[ProjectStatus.ACTIVE, ProjectStatus.ARCHIVED], required=False)

    class ProjectCreateInput(serializers.Serializer):
        projectName = serializers.CharField(max_length=100)  # noqa: N815
        description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
        avatarSource = serializers.ChoiceField(choices=AvatarSource.choices)  # noqa: N815
        avatarId = serializers.UUIDField(required=False, allow_null=True)  # noqa: N815
        avatarImage = serializers.FileField(required=False)  # noqa: N815
        avatarImageUrl = serializers.CharField(  # noqa: N815
            required=False, allow_blank=True, max_length=2000, default="",
            help_text="instead of avatarImage: a URL that POST /uploads (kind avatars) returned to you")

    @extend_schema(
        parameters=[
            OpenApiParameter("page", int),
            OpenApiParameter("limit", int),
            OpenApiParameter("status", str, enum=[ProjectStatus.ACTIVE, ProjectStatus.ARCHIVED]),
        ],
        responses={200: paginated_serializer(name="ProjectPage", key="projects", item=ProjectOutput)},
        tags=["projects"],
        operation_id="projects_list",
    )
    def get(self, request):
        params = self.ProjectFilterInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        qs = project_list(user=request.user, status=params.validated_data.get("status"))
        page = paginate(queryset=qs, page=params.validated_data["page"], limit=params.validated_data["limit"])
        return Response(page_response(key="projects", page=page, serializer_class=ProjectOutput))

    @extend_schema(
        request={"multipart/form-data": ProjectCreateInput, "application/json": ProjectCreateInput},
        responses={201: ProjectEnvelope},
        tags=["projects"],
    )
    def post(self, request):
        data = self.ProjectCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        project = project_create(
            user=request.user,
            project_name=v["projectName"],
            description=v["description"],
            avatar_source=v["avatarSource"],
            avatar_id=v.get("avatarId"),
            avatar_image=v.get("avatarImage"),
            avatar_image_url=v["avatarImageUrl"],
        )
        return Response({"project": ProjectOutput(project).data}, status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    class ProjectUpdateInput(serializers.Serializer):
        projectName = serializers.CharField(max_length=100, required=False)  # noqa: N815
        description = serializers.CharField(max_length=500, required=False, allow_blank=True)
        status = serializers.ChoiceField(choices=[ProjectStatus.ACTIVE, ProjectStatus.ARCHIVED], required=False)

    @extend_schema(responses={200: ProjectEnvelope}, tags=["projects"])
    def get(self, request, project_id):
        return Response({"project": ProjectOutput(project_get(user=request.user, project_id=project_id)).data})

    @extend_schema(request=ProjectUpdateInput, responses={200: ProjectEnvelope}, tags=["projects"])
    def put(self, request, project_id):
        project = project_get(user=request.user, project_id=project_id)
        data = self.ProjectUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        project = project_update(
            project=project,
            project_name=v.get("projectName"),
            description=v.get("description"),
            status=v.get("status"),
        )
        return Response({"project": ProjectOutput(project).data})

    @extend_schema(request=ProjectUpdateInput, responses={200: ProjectEnvelope}, tags=["projects"])
    def patch(self, request, project_id):
        return self.put(request, project_id)

    @extend_schema(responses={204: None}, tags=["projects"])
    def delete(self, request, project_id):
        project_delete(project=project_get(user=request.user, project_id=project_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
