"""The books service: the library's catalogue, as JSON on the port it is given, kept in its own database."""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import database


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
        elif self.path == "/books":
            rows = database.run("SELECT isbn, title, author FROM books ORDER BY title", fetch=True)
            self.reply(200, [{"isbn": i, "title": t, "author": a} for i, t, a in rows])
        elif self.path.startswith("/books/"):
            rows = database.run("SELECT title, author FROM books WHERE isbn = %s", (self.path[7:],), fetch=True)
            if rows:
                self.reply(200, {"isbn": self.path[7:], "title": rows[0][0], "author": rows[0][1]})
            else:
                self.reply(404, {"error": "no such book"})
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):
        # Read first, whatever the answer: on a kept-alive connection, an unread body would pass for the next request.
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/books":
            self.reply(404, {"error": "not found"})
            return
        try:
            book = json.loads(body or b"{}")
        except ValueError:
            self.reply(400, {"error": "the body is not JSON"})
            return
        if not all(isinstance(book.get(k), str) and book[k] for k in ("isbn", "title", "author")):
            self.reply(400, {"error": "a book has an isbn, a title and an author"})
            return
        if database.run("SELECT 1 FROM books WHERE isbn = %s", (book["isbn"],), fetch=True):
            self.reply(409, {"error": "that book is in the catalogue already"})
            return
        database.run("INSERT INTO books (isbn, title, author) VALUES (%s, %s, %s)", (book["isbn"], book["title"], book["author"]))
        self.reply(201, book)


if __name__ == "__main__":
    port = int(os.environ["PORT"])
    print(f"books listening on {port}, its data in {database.KIND}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
