from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "搜索与反馈"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # faq's pages call faq.hooks; this app answers them (faq never imports insights).
        from faq import hooks

        from . import hot, recording

        hooks.listen("search", recording.on_search)
        hooks.listen("entry_view", recording.on_entry_view)
        hooks.provide("hot_entries", hot.hot_entries)
        hooks.provide("popular_searches", hot.popular_searches)
