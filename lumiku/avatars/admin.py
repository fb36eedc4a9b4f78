from django.contrib import admin
from django.utils.html import format_html

from lumiku.avatars.models import Avatar, AvatarUsageHistory


@admin.register(Avatar)
class AvatarAdmin(admin.ModelAdmin):
    list_display = ("thumb", "name", "user", "gender", "age_range", "body_type", "style", "usage_count", "created_at")
    list_filter = ("gender", "age_range", "body_type", "style")
    search_fields = ("name", "user__email", "ethnicity")
    readonly_fields = ("image", "image_width", "image_height", "usage_count", "created_at", "updated_at")
    list_select_related = ("user",)

    @admin.display(description="Image")
    def thumb(self, obj):
        return format_html('<img src="{}" style="height:48px;border-radius:4px" alt="">', obj.image.url)


@admin.register(AvatarUsageHistory)
class AvatarUsageHistoryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "avatar", "user", "app_id", "action", "reference_type", "reference_id")
    list_filter = ("app_id", "action")
    search_fields = ("avatar__name", "user__email", "reference_id")
    readonly_fields = [f.name for f in AvatarUsageHistory._meta.fields]
