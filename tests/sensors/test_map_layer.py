"""The devices layer end to end: the territory map points at it and the API serves it, scoped."""

def test_the_map_page_names_the_devices_layer_and_the_device_page(devices, client_for):
    html = client_for("community_staff").get("/territory/map/").content.decode()
    assert 'data-devices-url="/api/v1/sensors/devices.geojson"' in html
    assert 'data-device-url="/sensors/devices/0/"' in html
    assert '<p class="hint map-legend device-legend" hidden>' in html
    assert "/static/css/sensors.css" in html


def test_an_area_page_asks_for_the_devices_under_it(devices, area, client_for):
    html = client_for("community_staff").get(f"/territory/areas/{area['grid_b'].pk}/").content.decode()
    assert f'data-devices-url="/api/v1/sensors/devices.geojson?under={area["grid_b"].pk}"' in html


def test_the_api_serves_the_devices_under_an_area(devices, area, client_for):
    client = client_for("community_staff")
    body = client.get(f"/api/v1/sensors/devices.geojson?under={area['grid_b'].pk}").json()
    assert [(f["properties"]["serial"], f["properties"]["state"]) for f in body["features"]] == [
        ("WM-B-1", "silent")]


def test_an_area_out_of_scope_is_not_found(devices, area, client_for):
    response = client_for("worker_a").get(f"/api/v1/sensors/devices.geojson?under={area['grid_b'].pk}")
    assert response.status_code == 404


def test_a_map_reader_who_may_not_see_devices_gets_an_empty_layer(devices, area, client_for):
    from gridgov.accounts.enums import Role
    from gridgov.accounts.models import User

    volunteer = User.objects.create_user(username="volunteer", role=Role.VOLUNTEER, area=area["community"])
    client = client_for(None)
    client.force_login(volunteer)
    assert client.get("/territory/map/").status_code == 200
    assert client.get("/api/v1/sensors/devices.geojson").json() == {"type": "FeatureCollection", "features": []}
