from django.contrib import admin

from requests_community.models import PoseRequest, PoseRequestVote


@admin.register(PoseRequest)
class PoseRequestAdmin(admin.ModelAdmin):
    list_display = ("pose_name", "user", "status", "votes_count", "category", "use_case", "created_at")
    list_filter = ("status", "use_case", "category")
    search_fields = ("pose_name", "description", "user__email")
    readonly_fields = ("votes_count", "normalized_name", "created_at", "updated_at")
    ordering = ("-votes_count", "-created_at")
    list_select_related = ("user", "category")


@admin.register(PoseRequestVote)
class PoseRequestVoteAdmin(admin.ModelAdmin):
    list_display = ("request", "user", "created_at")
    search_fields = ("request__pose_name", "user__email")
    raw_id_fields = ("request", "user")
