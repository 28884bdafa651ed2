from flask import Flask

app = Flask(__name__)


# This route is at the wrong path and answers with plain text, not JSON.
@app.route("/")
def index():
    return "Hello, World!"
