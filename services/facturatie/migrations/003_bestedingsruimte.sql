-- Spending ceilings (maximale bestedingsruimte) count a provider's payable per year of care: the year of the
-- declared period, kept per entry (a reversal takes its original's). NULL for entries before this migration and
-- for payments and cost sharing.
ALTER TABLE journaalposten ADD COLUMN prestatiejaar smallint;
