-- The tracker store lives in its own database so that conversation retention and backups are
-- handled separately from the knowledge base and bookings (docs/operations.md).
CREATE DATABASE rasa OWNER haina;
