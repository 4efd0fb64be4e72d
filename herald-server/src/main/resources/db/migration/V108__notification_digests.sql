-- Digests (issue "The inbox users expect"): a publish with a group_key joins the user's unread,
-- active notification of the same group (its latest event within the publish's window): that row
-- is replaced by one with the new event, a new seq, and the group's count. Portable SQL.
--
-- group_key:   the publish's group, or NULL.
-- group_count: events the row stands for (1 for the first), or NULL outside groups.
-- The lookup scans the user's newest notifications along the primary key (the last 1000 seqs),
-- so no index is added: every index costs every publish a write.
ALTER TABLE notifications ADD COLUMN group_key VARCHAR(128);
ALTER TABLE notifications ADD COLUMN group_count INT;
