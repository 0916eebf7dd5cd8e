from django.apps import AppConfig


class FaqConfig(AppConfig):
    name = "faq"
    verbose_name = "人社知识库"
    default_auto_field = "django.db.models.BigAutoField"
