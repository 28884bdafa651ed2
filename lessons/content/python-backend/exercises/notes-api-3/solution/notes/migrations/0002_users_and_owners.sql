-- Accounts, the tokens they log in with, and an owner for every note.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username VARCHAR(30) NOT NULL UNIQUE,
    password_hash TEXT NOT NULL
);
-- Only a digest of each token is stored: a copy of this table logs nobody in.
CREATE TABLE tokens (
    digest CHAR(64) PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
-- Notes from before accounts existed have no owner, so nobody sees them.
ALTER TABLE notes ADD COLUMN owner_id INTEGER REFERENCES users (id);
CREATE INDEX notes_owner_newest_first ON notes (owner_id, created_at DESC, id DESC);
