-- Refusals by the permission table carry what was refused (core's `Denial`, JSON), so each device says
-- it in its user's language.
ALTER TABLE mutations ADD COLUMN reject_detail TEXT;

-- People's contact data now reaches only those who manage them: every device downloads its scope again,
-- so copies pulled under the old rule are replaced.
UPDATE accounts SET scope_epoch = scope_epoch + 1;
