from django.urls import path

from gridgov.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("board/", views.board, name="board"),
    path("stats/", views.stats, name="stats"),
    path("<int:case_id>/", views.case_detail, name="case"),
    path("<int:case_id>/do/<slug:action>/", views.case_act, name="act"),
    path("<int:case_id>/orders/<int:order_id>/rate/", views.rate_department, name="rate_department"),
    path("orders/", views.orders_mine, name="orders"),
    path("claim/", views.orders_claimable, name="claimable"),
    path("orders/<int:order_id>/", views.order_detail, name="order"),
    path("report/", views.report, name="report"),
    path("report/buildings/", views.buildings, name="buildings"),
    path("mine/", views.my_reports, name="mine"),
    path("t/<str:token>/", views.track, name="track"),
    path("public/", views.public_board, name="public"),
    path("photos/<int:attachment_id>/", views.photo, name="photo"),
]
