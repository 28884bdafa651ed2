import pytest


def resolve(schema, openapi):
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = openapi["components"]["schemas"][name]
    return schema


def test_products_content_type_is_json(client):
    assert client.get("/products").headers["content-type"] == "application/json"


def test_openapi_lists_both_paths(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "get" in paths.get("/hello", {})
    assert "get" in paths.get("/products", {})


def test_openapi_describes_a_list_of_products(client):
    openapi = client.get("/openapi.json").json()
    response = openapi["paths"]["/products"]["get"]["responses"]["200"]
    schema = resolve(response["content"]["application/json"]["schema"], openapi)
    assert schema.get("type") == "array"
    item = resolve(schema["items"], openapi)
    properties = item["properties"]
    assert set(properties) == {"id", "name", "price"}
    assert properties["id"]["type"] == "integer"
    assert properties["name"]["type"] == "string"
    assert properties["price"]["type"] == "number"
    assert set(item.get("required", [])) == {"id", "name", "price"}


def test_product_model_validates_its_fields():
    # Product is called in the process that runs app.py; what comes back here is
    # a handle to the instance, and its model_dump() is plain data.
    from app import Product

    product = Product(id=7, name="Mouse", price=19.99)
    assert product.model_dump() == {"id": 7, "name": "Mouse", "price": 19.99}
    # pydantic.ValidationError, a ValueError, arrives here re-created as a
    # ValueError subclass of the same name: it is not pydantic's own class.
    with pytest.raises(ValueError):
        Product(id=8, name="Keyboard", price="cheap")
    with pytest.raises(ValueError):
        Product(id=9, name="Monitor")
