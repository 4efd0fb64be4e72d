-- Message ids come from the identity's sequence. H2 writes a sequence's state to the file every
-- CACHE values, and that write stores every page the batch has changed so far, as a commit does:
-- with the default (32) it was 23% of the chat writer's time in the chat benchmark (16 extra
-- store writes per batch of 500 messages), with 1024 still 6.5%; with 65536, one per ~130 batches.
-- H2 keeps one cache per database, so ids stay increasing; a crash skips at most the cached ids.
-- PostgreSQL keeps the default (1): its cache is per connection and would interleave ids.
-- ${messageIdCache} is set by JdbcStore.migrationPlaceholders: 65536 on H2, 1 on PostgreSQL.
ALTER TABLE chat_messages ALTER COLUMN id SET CACHE ${messageIdCache};
