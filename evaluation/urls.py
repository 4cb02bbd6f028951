from evaluation.views import indicators, periods, scores

app_name = "evaluation"

urlpatterns = [*scores.urlpatterns, *periods.urlpatterns, *indicators.urlpatterns]
