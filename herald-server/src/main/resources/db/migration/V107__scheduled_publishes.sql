-- Scheduled sends (issue "The inbox users expect"): a publish with deliver_at is kept here until
-- it is due, then published by whichever node releases it first. Portable SQL.
--
-- idem_key:    the publish's Idempotency-Key (or one Herald made up); cancels it, and the release
--              publishes with the key "scheduled:" + it, so two nodes releasing one row at once,
--              or a node that dies between publishing and deleting the row, store it once.
-- body:        the publish's body as validated, without deliver_at; parsed again at release, so
--              {"all": true} means the users known then and a ttl counts from then.
-- lease_until: a node that took the row to release it; others leave it alone until then.
CREATE TABLE scheduled_publishes (
    idem_key     VARCHAR(255)             NOT NULL,
    request_hash VARCHAR(255)             NOT NULL,
    deliver_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    body         VARCHAR                  NOT NULL,
    lease_until  TIMESTAMP WITH TIME ZONE,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT scheduled_publishes_pk PRIMARY KEY (idem_key)
);
CREATE INDEX scheduled_publishes_due ON scheduled_publishes (deliver_at);
