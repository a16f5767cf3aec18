"""The article's Flask service: answers / and /health on the port it is given."""
import configparser
import os

from flask import Flask, jsonify

app = Flask(__name__)

settings = configparser.ConfigParser()
# FLASK_CONFIG names the rendered config; beside the app is the file it is rendered from.
settings.read([os.path.join(os.path.dirname(os.path.abspath(__file__)), "flask.cfg"), os.environ.get("FLASK_CONFIG", "")])


@app.route("/")
def index():
    return jsonify(greeting=settings["DEFAULT"].get("GREETING", "Hello"))


@app.route("/health")
def health():
    return jsonify(status="ok")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8080")))
