from django.urls import path

from toki.lifelines import views

app_name = "lifelines"
urlpatterns = [
    path("", views.index, name="index"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.create, name="create"),
    path("manage/<int:pk>/", views.update_status, name="update_status"),
    path("manage/<int:pk>/edit/", views.edit, name="edit"),
]
