from django.urls import path

from toki.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("", views.home, name="home"),
    path("password/", views.password_change, name="password_change"),
    path("audit/", views.audit_log, name="audit_log"),
    path("held-logins/", views.held_logins, name="held_logins"),
    path("held-logins/<int:pk>/unlock/", views.unlock_login, name="unlock_login"),
]
