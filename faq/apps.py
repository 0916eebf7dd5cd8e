from django.apps import AppConfig


class FaqConfig(AppConfig):
    name = "faq"
    verbose_name = "人社知识库"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Load jieba and the domain dictionary once per process, before the first request needs them.
        from .search.analysis import ensure_jieba

        ensure_jieba()

        from .revisions import register_models

        register_models()
