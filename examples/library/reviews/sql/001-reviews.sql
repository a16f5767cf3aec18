CREATE TABLE reviews (
    isbn TEXT NOT NULL,
    stars INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment TEXT NOT NULL
);
CREATE INDEX reviews_by_isbn ON reviews (isbn);
