-- PostgreSQL too no longer checks chat_messages.conversation_id with a foreign key (H2 dropped it
-- in V102, db/migration-h2, hence IF EXISTS). Its only writer, the chat writer
-- (AppendTransaction), locks the conversation row with the UPDATE that allocates the seqs, in the
-- same transaction and before the insert, and stops the batch if the row is missing; nothing
-- deletes conversations. The key checked that row again for every message, a trigger and an
-- index lookup per row: 11 of the 35 us a message's insert cost PostgreSQL at 12,500 chat
-- messages/s. Whoever adds conversation deletion deletes its messages in the same transaction.
ALTER TABLE chat_messages DROP CONSTRAINT IF EXISTS chat_messages_conversation;
