"""The reviews service: what readers thought of each book, kept in its own database. It asks the
books service (at BOOKS_URL) whether a book exists; it never reads the books' database."""
import json
import os
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import database

BOOKS_URL = os.environ["BOOKS_URL"]


def book(isbn):
    try:
        with urllib.request.urlopen(f"{BOOKS_URL}/books/{isbn}", timeout=5) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


class Handler(BaseHTTPRequestHandler):
    # Keep-alive: a client may send its next request on the same connection, which a proxy in between keeps open.
    protocol_version = "HTTP/1.1"

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
            database.run("SELECT 1")
            self.reply(200, {"status": "ok", "database": database.KIND})
        elif self.path.startswith("/reviews/"):
            isbn = self.path[9:]
            found = book(isbn)
            if found is None:
                self.reply(404, {"error": "no such book"})
                return
            rows = database.run("SELECT stars, comment FROM reviews WHERE isbn = %s ORDER BY stars DESC", (isbn,), fetch=True)
            stars = [s for s, _ in rows]
            self.reply(200, {"book": found, "average": sum(stars) / len(stars) if stars else None,
                             "reviews": [{"stars": s, "comment": c} for s, c in rows]})
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):
        # Read first, whatever the answer: on a kept-alive connection, an unread body would pass for the next request.
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not self.path.startswith("/reviews/"):
            self.reply(404, {"error": "not found"})
            return
        isbn = self.path[9:]
        try:
            review = json.loads(body or b"{}")
        except ValueError:
            self.reply(400, {"error": "the body is not JSON"})
            return
        if not (isinstance(review.get("stars"), int) and 1 <= review["stars"] <= 5 and isinstance(review.get("comment"), str)):
            self.reply(400, {"error": "a review has stars (1 to 5) and a comment"})
            return
        if book(isbn) is None:
            self.reply(404, {"error": "no such book"})
            return
        database.run("INSERT INTO reviews (isbn, stars, comment) VALUES (%s, %s, %s)", (isbn, review["stars"], review["comment"]))
        self.reply(201, review)


if __name__ == "__main__":
    port = int(os.environ["PORT"])
    print(f"reviews listening on {port}, its data in {database.KIND}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
