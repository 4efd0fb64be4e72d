-- Preferences (issue "The inbox users expect"). Portable SQL.
--
-- inbox_categories: an app backend's settings per category: the channels' defaults for users
-- who did not choose, and whether users may mute it at all (critical).
CREATE TABLE inbox_categories (
    category    VARCHAR(64)              NOT NULL,
    in_app      BOOLEAN                  NOT NULL,
    push        BOOLEAN                  NOT NULL,
    critical    BOOLEAN                  NOT NULL,
    description VARCHAR(200)             NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT inbox_categories_pk PRIMARY KEY (category)
);

-- One user's preferences document (validated JSON), keyed by the user's stream.
CREATE TABLE user_preferences (
    stream_key VARCHAR(255)             NOT NULL,
    body       VARCHAR(32768)           NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT user_preferences_pk PRIMARY KEY (stream_key)
);

-- 0 while the user has no preferences; bumped by every change of them, in the same transaction.
-- A publish reads it with the stream row it locks anyway, so a user without preferences costs
-- the publish nothing more, and a writer's memory of a user's document is right when the
-- version matches.
ALTER TABLE streams ADD COLUMN prefs_version BIGINT DEFAULT 0 NOT NULL;
