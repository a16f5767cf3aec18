"""The storefront: one page listing the catalog and the orders, from the other services' URLs."""
import html
import json
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
            body = (f"<h1>Shop</h1><ul>{rows}</ul><p>{len(orders)} orders so far</p>"
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
