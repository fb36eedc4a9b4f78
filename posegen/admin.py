from django.contrib import admin
from django.utils.html import format_html

from lumiku.core.admin import ReadOnlyAdminMixin
from posegen.models import (
    GeneratedPose,
    PoseCategory,
    PoseGeneration,
    PoseGeneratorProject,
    PoseLibrary,
    PoseSelection,
)
from posegen.models.library import PoseFavorite
from posegen.services.library import (
    library_pose_admin_save,
    library_poses_delete,
    library_poses_visibility_set,
)


def _thumb(file_field, height=48):
    if not file_field:
        return "—"
    return format_html('<img src="{}" style="height:{}px;border-radius:4px" alt="">', file_field.url, height)


@admin.register(PoseCategory)
class PoseCategoryAdmin(admin.ModelAdmin):
    list_display = ("display_name", "slug", "parent", "pose_count", "display_order", "is_active")
    list_filter = ("is_active", "parent")
    search_fields = ("name", "display_name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("pose_count",)
    ordering = ("parent__display_order", "display_order")


@admin.register(PoseLibrary)
class PoseLibraryAdmin(admin.ModelAdmin):
    list_display = ("thumb", "name", "category", "difficulty", "gender_suitability", "usage_count",
                    "favorite_count", "is_featured", "is_public")
    list_filter = ("difficulty", "gender_suitability", "is_featured", "is_public", "is_premium", "source_type",
                   "category")
    search_fields = ("name", "description")
    readonly_fields = ("usage_count", "favorite_count", "popularity_score", "created_at", "updated_at")
    list_select_related = ("category",)
    list_per_page = 50
    actions = ["hide_from_library", "show_in_library"]

    @admin.display(description="Preview")
    def thumb(self, obj):
        return _thumb(obj.thumbnail)

    # Every change to what the library lists goes through posegen's library writer: category counts stay
    # right and the list cache is bumped on commit (an edit here used to show only after the cache expired).
    def save_model(self, request, obj, form, change):
        was = None
        if change:
            was = PoseLibrary.objects.filter(pk=obj.pk).values_list("category_id", "is_public").first()
        library_pose_admin_save(pose=obj, was=was)

    def delete_model(self, request, obj):
        library_poses_delete(pose_ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        library_poses_delete(pose_ids=list(queryset.values_list("pk", flat=True)))

    @admin.action(description="Hide selected poses from the library")
    def hide_from_library(self, request, queryset):
        changed = library_poses_visibility_set(pose_ids=queryset.values_list("pk", flat=True), is_public=False)
        self.message_user(request, f"{changed} pose(s) hidden from the library.")

    @admin.action(description="Show selected poses in the library again")
    def show_in_library(self, request, queryset):
        changed = library_poses_visibility_set(pose_ids=queryset.values_list("pk", flat=True), is_public=True)
        self.message_user(request, f"{changed} pose(s) shown in the library.")


@admin.register(PoseGeneratorProject)
class PoseGeneratorProjectAdmin(admin.ModelAdmin):
    list_display = ("project_name", "user", "avatar_source", "status", "total_generations", "created_at")
    list_filter = ("status", "avatar_source")
    search_fields = ("project_name", "user__email")
    readonly_fields = ("total_generations", "total_poses_generated", "created_at", "updated_at")
    list_select_related = ("user",)


class GeneratedPoseInline(admin.TabularInline):
    model = GeneratedPose
    extra = 0
    can_delete = False
    fields = ("sequence", "pose_library", "status", "error_message", "refunded", "generation_time")
    readonly_fields = fields
    show_change_link = True


@admin.register(PoseGeneration)
class PoseGenerationAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "generation_type", "status", "progress", "poses_completed", "poses_failed",
                    "credit_charged", "credit_refunded", "created_at")
    list_filter = ("status", "generation_type", "payment_method", "use_background_changer")
    search_fields = ("id", "user__email", "project__project_name", "queue_job_id")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    inlines = [GeneratedPoseInline]

    def get_readonly_fields(self, request, obj=None):
        # Money and progress are written by services only.
        return [f.name for f in PoseGeneration._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(GeneratedPose)
class GeneratedPoseAdmin(admin.ModelAdmin):
    list_display = ("thumb", "generation", "sequence", "status", "is_favorite", "download_count", "created_at")
    list_filter = ("status", "background_changed", "is_favorite")
    search_fields = ("id", "generation__id")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in GeneratedPose._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Image")
    def thumb(self, obj):
        return _thumb(obj.thumbnail or obj.output_image)


@admin.register(PoseSelection)
class PoseSelectionAdmin(admin.ModelAdmin):
    list_display = ("generation", "pose_library", "created_at")
    search_fields = ("generation__id", "pose_library__name")
    raw_id_fields = ("generation", "pose_library")


@admin.register(PoseFavorite)
class PoseFavoriteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Favourites change only through the library services, which keep favoriteCount in step."""

    list_display = ("pose", "user", "created_at")
    search_fields = ("pose__name", "user__email")
    list_select_related = ("pose", "user")
