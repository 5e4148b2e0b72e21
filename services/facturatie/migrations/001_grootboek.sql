-- Per-municipality ledgers. Journal rows are append-only (enforced below); balances are a projection
-- updated in the same transaction as the journal rows.
CREATE TABLE rekeningen (
    id        bigserial PRIMARY KEY,
    gemeente  text NOT NULL,
    domein    text NOT NULL,
    code      text NOT NULL,
    saldo_cent bigint NOT NULL DEFAULT 0,   -- debit positive
    UNIQUE (gemeente, domein, code)
);

CREATE TABLE journaalposten (
    id                  bigserial PRIMARY KEY,
    idempotentie_sleutel text NOT NULL UNIQUE,
    inhoud_hash         text NOT NULL,
    gemeente            text NOT NULL,
    domein              text NOT NULL,
    bericht_id          text NOT NULL,
    omschrijving        text NOT NULL,
    tegenboeking_van    text,
    geboekt_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX journaalposten_gemeente ON journaalposten (gemeente, domein, id);
CREATE INDEX journaalposten_bericht ON journaalposten (bericht_id);

CREATE TABLE journaalregels (
    journaalpost_id bigint NOT NULL REFERENCES journaalposten (id),
    rekening_id     bigint NOT NULL REFERENCES rekeningen (id),
    debet_cent      bigint NOT NULL CHECK (debet_cent >= 0),
    credit_cent     bigint NOT NULL CHECK (credit_cent >= 0)
);
CREATE INDEX journaalregels_post ON journaalregels (journaalpost_id);

-- Same key, different content: refused and kept for finance to look at.
CREATE TABLE geweigerde_boekingen (
    id                   bigserial PRIMARY KEY,
    idempotentie_sleutel text NOT NULL,
    bericht_id           text NOT NULL,
    reden                text NOT NULL,
    at                   timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER journaalposten_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON journaalposten
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER journaalregels_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON journaalregels
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
