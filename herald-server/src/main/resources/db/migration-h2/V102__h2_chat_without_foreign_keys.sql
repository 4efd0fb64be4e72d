-- H2 only (db/migration-h2; PostgreSQL keeps these constraints and creates no index for them).
--
-- H2 gives every foreign key an index on exactly its columns, even when an index that starts with
-- them exists. Chat had three such extra indexes: chat_messages(conversation_id),
-- chat_members(conversation_id) and chat_reactions(message_id), each already the first column of
-- chat_messages_seq, of the members' primary key and of the reactions' primary key. Each cost a
-- write per row and a referential check per insert, and H2's planner chose the messages' one for
-- the chat writer's client id lookup (a join on conversation, sender and client id, planned with
-- its arrays unknown): every lookup read every message of its conversation. In the curves
-- benchmark, where conversations keep their messages from one point to the next, that was 58% of
-- the writer's time and chat fell from 11.9k to 4-6k messages/s.
--
-- Nothing in Herald deletes conversations, members or messages, and every insert runs in a
-- transaction that has just read (members) or locked (messages, via last_seq) the row it refers
-- to, so the constraints guarded nothing the code does not. Dropping a constraint drops its index.
ALTER TABLE chat_messages DROP CONSTRAINT chat_messages_conversation;
ALTER TABLE chat_members DROP CONSTRAINT chat_members_conversation;
ALTER TABLE chat_reactions DROP CONSTRAINT chat_reactions_message;
