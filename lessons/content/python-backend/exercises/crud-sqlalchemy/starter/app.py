from collections.abc import Iterator
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

# The database the server uses: a SQLite file next to this one.
DATABASE_URL = f"sqlite:///{Path(__file__).with_name('products.db')}"


# --- Database models ---------------------------------------------------------


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[float]


# --- Schemas: what the API accepts and returns -------------------------------


class ProductIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    price: float


class ProductPage(BaseModel):
    items: list[ProductOut]
    total: int
    page: int
    per_page: int


# --- One session per request -------------------------------------------------


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.session_factory() as session:
        yield session


def product_get_or_404(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise HTTPException(status_code=404, detail=f"No product with id {product_id}.")
    return product


# --- Endpoints ---------------------------------------------------------------

router = APIRouter()


@router.post("/products", status_code=status.HTTP_201_CREATED, response_model=ProductOut)
def product_create(data: ProductIn, response: Response, session: Session = Depends(get_session)):
    product = Product(name=data.name, price=data.price)
    session.add(product)
    session.flush()  # sends the INSERT, so the database gives the product its id
    response.headers["Location"] = f"/products/{product.id}"
    return product


@router.get("/products", response_model=list[ProductOut])
def product_list(session: Session = Depends(get_session)):
    # TODO: paginate with ?page=1&per_page=10 and answer with
    # {"items": [...], "total": ..., "page": ..., "per_page": ...}
    return session.scalars(select(Product)).all()


@router.get("/products/{product_id}", response_model=ProductOut)
def product_detail(product_id: int, session: Session = Depends(get_session)):
    return product_get_or_404(session, product_id)


# TODO: PUT /products/{product_id} replaces name and price (200, or 404 if unknown).
# TODO: DELETE /products/{product_id} removes the product (204, or 404 if unknown).


# --- The application factory -------------------------------------------------


def create_app(database_url: str = DATABASE_URL) -> FastAPI:
    engine_options = {}
    if database_url.startswith("sqlite"):
        # FastAPI runs plain `def` endpoints in a thread pool.
        engine_options["connect_args"] = {"check_same_thread": False}
        if ":memory:" in database_url:
            # One shared connection, or every new connection gets an empty database.
            engine_options["poolclass"] = StaticPool
    engine = create_engine(database_url, **engine_options)
    Base.metadata.create_all(engine)

    app = FastAPI(title="Products")
    app.state.session_factory = sessionmaker(engine, expire_on_commit=False)
    app.include_router(router)
    return app


# What `uvicorn app:app` serves.
app = create_app()
