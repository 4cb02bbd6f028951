from django.urls import URLPattern, URLResolver

app_name = "disclosure"
urlpatterns: list[URLPattern | URLResolver] = []
