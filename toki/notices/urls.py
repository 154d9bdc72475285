from django.urls import path

from toki.notices import views, views_manage

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("manage/", views_manage.manage_list, name="manage_list"),
    path("manage/new/", views_manage.manage_create, name="manage_create"),
    path("manage/<int:pk>/", views_manage.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/edit/", views_manage.manage_edit, name="manage_edit"),
    path("manage/<int:pk>/publish/", views_manage.manage_publish, name="manage_publish"),
    path("manage/<int:pk>/unpublish/", views_manage.manage_unpublish, name="manage_unpublish"),
]
