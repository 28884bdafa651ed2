"""Learner files the tests send."""

# A Flask app that imports and starts: a well-formed submission or draft of
# the hello-world exercise, whatever it then scores.
FLASK_APP = {"app.py": "from flask import Flask\napp = Flask(__name__)\n"}
