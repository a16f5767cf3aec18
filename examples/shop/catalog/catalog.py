"""The catalog service: products as JSON on the port it is given."""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PRODUCTS = {
    "tea": {"name": "Green tea", "price": 4.5},
    "mug": {"name": "Stoneware mug", "price": 12.0},
    "pot": {"name": "Cast-iron teapot", "price": 39.0},
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            self.reply(200, {"status": "ok"})
        elif self.path == "/products":
            self.reply(200, {"served_by": os.environ.get("AUTONOMY_INSTANCE"), "products": PRODUCTS})
        elif self.path.startswith("/products/") and self.path[10:] in PRODUCTS:
            self.reply(200, PRODUCTS[self.path[10:]])
        else:
            self.reply(404, {"error": "not found"})


if __name__ == "__main__":
    port = int(os.environ["PORT"])
    print(f"catalog listening on {port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
