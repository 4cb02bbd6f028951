from django.urls import URLPattern, URLResolver, path

from accounts.api import MeApi, TokenIssueApi, TokenRevokeApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenIssueApi.as_view(), name="token"),
    path("auth/token/revoke/", TokenRevokeApi.as_view(), name="token-revoke"),
    path("me/", MeApi.as_view(), name="me"),
]
