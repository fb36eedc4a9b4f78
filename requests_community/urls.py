"""Pages under /pose-requests/."""

from django.urls import path

from requests_community import views

app_name = "requests_community"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.submit, name="submit"),
    path("mine/", views.mine, name="mine"),
    path("<uuid:request_id>/", views.detail, name="detail"),
    path("<uuid:request_id>/vote/", views.vote, name="vote"),
    path("<uuid:request_id>/delete/", views.delete, name="delete"),
]
