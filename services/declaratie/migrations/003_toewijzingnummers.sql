-- TR332 made structural: an allocation number belongs to one client at one provider per domain and municipality.
-- Claimed with INSERT … ON CONFLICT DO NOTHING, so two 301s judged at the same moment on different partitions
-- cannot both take a number: the second waits for the first's commit and then sees its owner.
CREATE TABLE toewijzingnummers (
    domein            text NOT NULL,
    gemeente          text NOT NULL,
    toewijzingnummer  bigint NOT NULL,
    aanbieder         text NOT NULL,
    client_sleutel    text NOT NULL,
    bericht_id        text NOT NULL,
    PRIMARY KEY (toewijzingnummer, domein, gemeente)
);
INSERT INTO toewijzingnummers
SELECT DISTINCT ON (domein, gemeente, toewijzingnummer) domein, gemeente, toewijzingnummer, aanbieder, client_sleutel,
       bericht_id
FROM toewijzingen ORDER BY domein, gemeente, toewijzingnummer, toewijzingsdatum, toewijzingstijd;
CREATE TRIGGER toewijzingnummers_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON toewijzingnummers
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- Look-ups match a batch of numbers with `= ANY($n)`. With the number as the leading index column that is an index
-- condition whatever the statistics say; behind two equality columns, a table that grew since its last ANALYZE
-- gets a plan that filters every row of the provider or municipality (measured: 1 ms instead of 0.05 ms per query).
ALTER TABLE toewijzingen DROP CONSTRAINT toewijzingen_pkey,
    ADD PRIMARY KEY (toewijzingnummer, domein, gemeente, toewijzingsdatum, toewijzingstijd);
ALTER TABLE prestaties DROP CONSTRAINT prestaties_pkey, ADD PRIMARY KEY (referentienummer, aanbieder, domein);
DROP INDEX prestaties_toewijzing;
CREATE INDEX prestaties_toewijzing ON prestaties (toewijzingnummer, gemeente, domein) WHERE goedgekeurd;
DROP INDEX prestaties_een_credit;
CREATE UNIQUE INDEX prestaties_een_credit ON prestaties (vorig_referentienummer, aanbieder, domein)
    WHERE goedgekeurd AND debet_credit = 'C';
