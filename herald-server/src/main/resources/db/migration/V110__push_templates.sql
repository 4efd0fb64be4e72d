-- Push templates (issue "Push"): per notification type, how its pushes read when the publish does
-- not say. Texts may hold {{field}} placeholders, filled from the notification's fields when sent.
-- Portable SQL.
CREATE TABLE push_templates (
    notification_type VARCHAR(255)             NOT NULL,
    title             VARCHAR(400),
    body              VARCHAR(2000),
    icon              VARCHAR(1000),
    url               VARCHAR(1000),
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT push_templates_pk PRIMARY KEY (notification_type)
);
