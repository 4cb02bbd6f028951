from django.urls import URLPattern, URLResolver

app_name = "repair"
urlpatterns: list[URLPattern | URLResolver] = []
