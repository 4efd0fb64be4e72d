-- Message ids come from the identity's sequence. H2 writes a sequence's state to the file every
-- CACHE values in a commit of its own; with the default (32) and WRITE_DELAY=0, that was 23% of
-- the chat writer's time in the chat benchmark (16 extra commits per batch of 500 messages).
-- H2 keeps one cache per database, so ids stay increasing; a crash skips at most the cached ids.
-- PostgreSQL keeps the default (1): its cache is per connection and would interleave ids.
-- ${messageIdCache} is set by JdbcStore.MIGRATION_PLACEHOLDERS: 1024 on H2, 1 on PostgreSQL.
ALTER TABLE chat_messages ALTER COLUMN id SET CACHE ${messageIdCache};
