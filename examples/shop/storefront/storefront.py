"""The storefront: one page listing the catalog and the orders, from the other services' URLs.

Its title and an optional banner come from its namespace in Autonomy's config center:
`autonomy config set storefront Banner "Free delivery this week"` shows on the next page view.
"""
import html
import json
import os
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ConfigCenter:
    """This service's namespace in Autonomy's config center, kept current by a background thread.

    Each read is a blocking query: the server answers as soon as the namespace changes (or after the
    wait, with nothing new). Outside Autonomy (no AUTONOMY_URL) it stays empty.
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


config = ConfigCenter()


def fetch(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/health":
            body, kind = b"ok", "text/plain"
        else:
            catalog = fetch(os.environ["CATALOG_URL"] + "/products")
            orders = fetch(os.environ["ORDERS_URL"] + "/orders")
            rows = "".join(f"<li>{html.escape(p['name'])}: {p['price']:.2f}</li>" for p in catalog["products"].values())
            title = html.escape(config.get("Title", "Shop"))
            banner = config.get("Banner")
            banner = f'<p class="banner">{html.escape(banner)}</p>' if banner else ""
            body = (f"<title>{title}</title><h1>{title}</h1>{banner}<ul>{rows}</ul><p>{len(orders)} orders so far</p>"
                    f"<p><small>catalog replica {html.escape(str(catalog['served_by']))}</small></p>").encode()
            kind = "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    port = int(os.environ["PORT"])
    print(f"storefront listening on {port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
