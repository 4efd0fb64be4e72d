-- H2 only. V101 gave chat message ids a sequence cache of 1024 (its text stays as it was
-- applied: Flyway refuses to start on a database whose applied migration changed). With 1024 the
-- sequence's state write was still 6.5% of the chat writer's time: H2 writes it every CACHE
-- values, and that write stores every page the open batch has changed so far, as a commit does.
-- 65536 makes it one per ~130 batches of 500 messages. H2 keeps one cache per database, so ids
-- stay increasing; a crash skips at most the cached ids. (New databases get 65536 from V101's
-- placeholder already, JdbcStore.migrations; this brings the ones created with 1024 level.)
ALTER TABLE chat_messages ALTER COLUMN id SET CACHE 65536;
