import pytest


def error_fields(response):
    return [error["loc"][-1] for error in response.json().get("detail", [])]


def test_missing_field_is_422_and_not_stored(client):
    before = len(client.get("/products").json()["products"])
    response = client.post("/products", json={"name": "Mystery box"})
    assert response.status_code == 422
    assert "price" in error_fields(response)
    assert len(client.get("/products").json()["products"]) == before


def test_negative_price_is_422(client):
    response = client.post("/products", json={"name": "Refund", "price": -5})
    assert response.status_code == 422
    assert "price" in error_fields(response)


@pytest.mark.parametrize("name", ["", "x" * 101])
def test_name_length_is_checked(client, name):
    response = client.post("/products", json={"name": name, "price": 3})
    assert response.status_code == 422
    assert "name" in error_fields(response)


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"name": "Mug", "price": "cheap"}, "price"), ({"name": 42, "price": 8}, "name")],
)
def test_wrong_type_is_422(client, payload, field):
    response = client.post("/products", json=payload)
    assert response.status_code == 422
    assert field in error_fields(response)


def test_ids_increase_and_are_unique(client):
    first = client.post("/products", json={"name": "Pen", "price": 1.2}).json()
    second = client.post("/products", json={"name": "Pencil", "price": 0.8}).json()
    assert isinstance(first["id"], int) and isinstance(second["id"], int)
    assert second["id"] > first["id"]
    ids = [product["id"] for product in client.get("/products").json()["products"]]
    assert len(ids) == len(set(ids))
    assert client.get(f"/products/{second['id']}").json()["name"] == "Pencil"
