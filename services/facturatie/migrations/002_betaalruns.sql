-- What a journal entry is: a judged declaration line, a payment, or a share of regional costs. Payment runs count
-- prestatie entries up to their cut-off date and every earlier payment.
ALTER TABLE journaalposten ADD COLUMN soort text NOT NULL DEFAULT 'prestatie'
    CHECK (soort IN ('prestatie', 'betaling', 'kostenverdeling'));
CREATE INDEX journaalposten_tegenboeking ON journaalposten (tegenboeking_van) WHERE tegenboeking_van IS NOT NULL;
CREATE INDEX journaalregels_rekening ON journaalregels (rekening_id);

-- A payment run per municipality and cut-off date: immutable once made (the file went to the bank).
CREATE TABLE betaalruns (
    id               bigserial PRIMARY KEY,
    gemeente         text NOT NULL,
    peildatum        date NOT NULL,
    uitvoeringsdatum date NOT NULL,
    aantal           integer NOT NULL CHECK (aantal > 0),
    totaal_cent      bigint NOT NULL CHECK (totaal_cent > 0),
    bestand          text NOT NULL,       -- the pain.001 file as made
    bestand_sha256   text NOT NULL,
    aangemaakt_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (gemeente, peildatum)
);
CREATE TABLE betaalrun_regels (
    betaalrun_id         bigint NOT NULL REFERENCES betaalruns (id),
    domein               text NOT NULL,
    aanbieder            text NOT NULL,
    bedrag_cent          bigint NOT NULL CHECK (bedrag_cent > 0),
    idempotentie_sleutel text NOT NULL UNIQUE,  -- of the payment's journal entry
    end_to_end_id        text NOT NULL,
    PRIMARY KEY (betaalrun_id, domein, aanbieder)
);
CREATE TRIGGER betaalruns_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON betaalruns
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER betaalrun_regels_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON betaalrun_regels
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
