-- The audit trail names the device a change came from: its browser and system, read from the
-- User-Agent of the device's first push (empty for devices that pushed before this column).
ALTER TABLE clients ADD COLUMN device TEXT NOT NULL DEFAULT '';
-- The audit page lists changes newest first, and a person's changes.
CREATE INDEX mutations_by_received ON mutations (received_at);
CREATE INDEX mutations_by_user ON mutations (user_id, received_at);
