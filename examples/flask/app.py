"""The article's Flask service: answers / and /health on the port it is given."""
import configparser
import json
import os
import sys
import threading
import time
import urllib.parse
import urllib.request

from flask import Flask, jsonify


class ConfigCenter:
    """This service's namespace in Autonomy's config center, kept current by a background thread.

    Each read is a blocking query: the server answers as soon as the namespace changes (or after the
    wait, with nothing new), so `autonomy config set web GREETING ...` is seen at once, without a
    restart. Outside Autonomy (no AUTONOMY_URL) it stays empty.
    """

    def __init__(self):
        self.values = {}
        url, token, service = (os.environ.get(name) for name in ("AUTONOMY_URL", "AUTONOMY_TOKEN", "AUTONOMY_SERVICE"))
        if not (url and token and service):
            return
        self._url = f"{url}/v1/config/{urllib.parse.quote(service, safe='')}"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._revision = None
        try:
            self._read(timeout=5)
        except (OSError, ValueError, KeyError):
            pass  # the thread keeps trying
        threading.Thread(target=self._follow, name="config-center", daemon=True).start()

    def get(self, key, default=None):
        return self.values.get(key, default)

    def _read(self, timeout):
        query = "" if self._revision is None else f"?index={self._revision}&wait=30s"
        request = urllib.request.Request(self._url + query, headers=self._headers)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.load(response)
        # A new dict, swapped in whole: a request never sees half an update.
        self.values = {entry["key"]: entry["value"] for entry in body["entries"]}
        self._revision = body["revision"]

    def _follow(self):
        delay = 0.5
        while True:
            try:
                self._read(timeout=45)
                delay = 0.5
            except (OSError, ValueError, KeyError) as error:
                if delay == 0.5:
                    print(f"config center: {error}; trying again", file=sys.stderr, flush=True)
                time.sleep(delay)
                delay = min(delay * 2, 30)


app = Flask(__name__)

settings = configparser.ConfigParser()
# FLASK_CONFIG names the rendered config; beside the app is the file it is rendered from.
settings.read([os.path.join(os.path.dirname(os.path.abspath(__file__)), "flask.cfg"), os.environ.get("FLASK_CONFIG", "")])
config_center = ConfigCenter()


@app.route("/")
def index():
    # The config center's GREETING, when it has one, wins over the file's.
    return jsonify(greeting=config_center.get("GREETING", settings["DEFAULT"].get("GREETING", "Hello")))


@app.route("/health")
def health():
    return jsonify(status="ok")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8080")))
