"""The operations dashboard: an app factory, and the app a server imports."""

from flask import Flask

from . import db, views


def create_app(database: str | None = None) -> Flask:
    app = Flask(__name__)
    path = database or db.default_path()
    app.config["DATABASE"] = path
    db.init_db(path)
    app.teardown_appcontext(db.close_db)
    app.register_blueprint(views.bp)
    return app


app = create_app()
