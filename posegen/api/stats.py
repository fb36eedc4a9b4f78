from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from posegen.selectors.stats import user_stats


class StatsApi(APIView):
    @extend_schema(
        responses={200: inline_serializer("PoseStats", {
            "totalPosesGenerated": serializers.IntegerField(),
            "totalGenerations": serializers.IntegerField(),
            "activeProjects": serializers.IntegerField(),
            "recentGenerations": serializers.IntegerField(),
            "credits": inline_serializer("PoseStatsCredits", {
                "totalSpent": serializers.IntegerField(), "last30Days": serializers.IntegerField(),
                "averagePerGeneration": serializers.FloatField()}),
            "topPoses": inline_serializer("PoseStatsTopPose", {
                "poseId": serializers.UUIDField(), "name": serializers.CharField(),
                "count": serializers.IntegerField()}, many=True),
        })},
        tags=["generation"],
    )
    def get(self, request):
        return Response(user_stats(user=request.user))
