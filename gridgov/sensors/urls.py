app_name = "sensors"

urlpatterns: list = []
