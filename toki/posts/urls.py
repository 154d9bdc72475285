from django.urls import path

from toki.posts import views

app_name = "posts"
urlpatterns = [
    path("", views.post_list, name="list"),
    path("new/", views.new_post, name="new"),
    path("thanks/", views.thanks, name="thanks"),
    path("moderate/", views.moderate, name="moderate"),
    path("moderate/<int:pk>/approve/", views.approve, name="approve"),
    path("moderate/<int:pk>/reject/", views.reject, name="reject"),
    path("moderate/<int:pk>/hide/", views.hide, name="hide"),
]
