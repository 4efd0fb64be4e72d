-- Expiry (issue "The inbox users expect"): a publish may give expires_at (or a ttl). Portable SQL.
--
-- notifications.expires_at: after it, the notification is out of every feed, count and replay
-- (the reads filter on it), and the purge deletes it soon after.
-- notification_expiry: the same deadline, kept only for notifications that have one, so the
-- purge finds what is due through a small index, and a publish without expiry pays nothing
-- (an index on notifications.expires_at would cost every publish an index write).
ALTER TABLE notifications ADD COLUMN expires_at TIMESTAMP WITH TIME ZONE;

CREATE TABLE notification_expiry (
    stream_key VARCHAR(255)             NOT NULL,
    seq        BIGINT                   NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT notification_expiry_pk PRIMARY KEY (stream_key, seq)
);
CREATE INDEX notification_expiry_due ON notification_expiry (expires_at);
