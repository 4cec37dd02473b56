-- A target's parent, denormalised from its fields like the owner: approving a target's breakdown
-- reads its children (the targets whose parent it is) by this index. Written for every record that
-- names a parent; rows stored before this column get it from the `record_parents` fix-up.
ALTER TABLE records ADD COLUMN parent_id TEXT;
CREATE INDEX records_by_parent ON records (collection, parent_id);
