from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "toki.posts"
    verbose_name = "Posts"
