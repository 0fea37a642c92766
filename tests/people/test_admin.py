from gridgov.accounts.models import User
from gridgov.people.models import Resident


def test_admin_lists_show_masked_values_only(households, client):
    admin = User.objects.create_superuser(username="root", password="x-test-pass-1")
    client.force_login(admin)
    zhang = Resident.objects.get(name="张秀英")

    listing = client.get("/admin/people/resident/").content.decode()
    detail = client.get(f"/admin/people/resident/{zhang.pk}/change/").content.decode()

    assert "张秀英" in listing and zhang.masked_id_number in listing and "139****5678" in listing
    for page in (listing, detail):
        assert zhang.id_number not in page and "13912345678" not in page
    assert "身份证号" in listing and "居民" in listing
    assert client.get("/admin/people/resident/add/").status_code == 403


def test_every_people_model_is_registered(households, client):
    admin = User.objects.create_superuser(username="root", password="x-test-pass-1")
    client.force_login(admin)
    for model in ("household", "resident", "caremembership", "move", "partyorganisation", "partymember"):
        assert client.get(f"/admin/people/{model}/").status_code == 200, model
