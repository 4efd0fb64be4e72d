-- The inbox's states (issue "The inbox users expect"): seen, archived, category and tags.
-- Portable SQL, run on H2 and PostgreSQL alike.
--
-- seen_at:     when the user's client showed it (the bell's badge counts the unseen ones); a
--              read notification is seen too.
-- archived_at: when the user archived it; archived notifications leave the default feed and
--              every count, and stay listable with archived=true.
-- category:    the publish's category, 1-64 characters, or NULL.
-- tags:        the publish's tags as ",a,b," (each tag 1-64 characters without a comma), so one
--              LIKE '%,a,%' finds a tag along the scan of a user's stream; NULL for none.
ALTER TABLE notifications ADD COLUMN seen_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE notifications ADD COLUMN archived_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE notifications ADD COLUMN category VARCHAR(64);
ALTER TABLE notifications ADD COLUMN tags VARCHAR(1100);

-- The stream row's second counter beside unread: notifications neither seen nor archived.
-- Both counters count only active (not archived) notifications.
ALTER TABLE streams ADD COLUMN unseen BIGINT DEFAULT 0 NOT NULL;

-- What was read before seen existed was seen; what was unread is unseen.
UPDATE notifications SET seen_at = read_at WHERE read_at IS NOT NULL;
UPDATE streams SET unseen = unread;
