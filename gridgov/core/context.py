from django.conf import settings


def site(request):
    return {"site_name": settings.GRIDGOV_SITE_NAME, "demo_mode": settings.DEMO}
