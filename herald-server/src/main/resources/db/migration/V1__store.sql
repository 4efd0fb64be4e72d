-- Herald store schema, version 1. One file for H2 2.x and PostgreSQL: only portable SQL.
-- Timestamps are TIMESTAMP WITH TIME ZONE written in UTC with millisecond precision.

-- One row per stream: the seq counter and the unread count. A publish updates this row in the
-- same transaction as its insert, so the row lock orders commits per stream (see docs/store.md).
-- Rows are never deleted: a cached "this stream exists" stays true.
CREATE TABLE streams (
    stream_key VARCHAR(255) NOT NULL,
    last_seq   BIGINT       NOT NULL,
    unread     BIGINT       NOT NULL,
    CONSTRAINT streams_pk PRIMARY KEY (stream_key)
);

-- The primary key (stream_key, seq) serves list (seq < ? descending) and readSince
-- (seq > ? ascending) as index range scans. A type filter is applied along that scan: no
-- (stream_key, type, seq) index, because every index costs each publish a random page write
-- (measured: ~25% of H2 publish throughput) while a user's stream is short to scan.
-- id is a version 7 (time-ordered) UUID, so its unique index is appended to, not sprayed.
CREATE TABLE notifications (
    stream_key VARCHAR(255)             NOT NULL,
    seq        BIGINT                   NOT NULL,
    id         VARCHAR(36)              NOT NULL,
    type       VARCHAR(255)             NOT NULL,
    body       VARCHAR                  NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    read_at    TIMESTAMP WITH TIME ZONE,
    CONSTRAINT notifications_pk PRIMARY KEY (stream_key, seq)
);
CREATE UNIQUE INDEX notifications_id ON notifications (id);

-- Idempotency keys with the fingerprint of the first request and the ids it stored
-- (comma-separated, in stored order). Kept at least 24 hours; purged by created_at.
CREATE TABLE idempotency_keys (
    idem_key         VARCHAR(255)             NOT NULL,
    request_hash     VARCHAR(255)             NOT NULL,
    notification_ids VARCHAR                  NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT idempotency_keys_pk PRIMARY KEY (idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
