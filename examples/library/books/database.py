"""This service's own database, wherever DATABASE_URL says it is: sqlite:////path/books.db or
postgres://books:PASSWORD@HOST:PORT/books (psycopg2 reads that URL as it is)."""
import os

URL = os.environ["DATABASE_URL"]
KIND = "postgresql" if URL.startswith(("postgres://", "postgresql://")) else "sqlite"


def connect():
    if KIND == "sqlite":
        import sqlite3
        return sqlite3.connect(URL[len("sqlite:///"):], timeout=30)
    import psycopg2  # Debian: python3-psycopg2
    return psycopg2.connect(URL)


def run(sql, params=(), fetch=False):
    """One statement in a transaction of its own; placeholders are written %s for both engines."""
    connection = connect()
    try:
        cursor = connection.cursor()
        cursor.execute(sql if KIND == "postgresql" else sql.replace("%s", "?"), params)
        rows = cursor.fetchall() if fetch else None
        connection.commit()
        return rows
    finally:
        connection.close()
