-- Registers the level-3 rules read (domain brief §15). Rows are facts about received messages: append-only.

-- Allocation versions from 301s; the current one is the latest Toewijzingsdatum + Toewijzingstijd (IV013).
-- The client is kept as a keyed pseudonym (shared.bsn.sleutel), never as a BSN.
CREATE TABLE toewijzingen (
    domein            text NOT NULL,
    gemeente          text NOT NULL,
    toewijzingnummer  bigint NOT NULL,
    toewijzingsdatum  date NOT NULL,
    toewijzingstijd   time NOT NULL,
    aanbieder         text NOT NULL,
    client_sleutel    text NOT NULL,
    categorie         text,
    code              text,
    ingangsdatum      date NOT NULL,
    einddatum         date,
    reden_wijziging   text,
    volume            bigint,
    eenheid           text,
    frequentie        text,
    budget            bigint,
    bericht_id        text NOT NULL,
    vastgelegd_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (domein, gemeente, toewijzingnummer, toewijzingsdatum, toewijzingstijd)
);
CREATE TRIGGER toewijzingen_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON toewijzingen
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- TR056: message identifications per sender and message type.
CREATE TABLE berichtidentificaties (
    afzender       text NOT NULL,
    berichttype    text NOT NULL,
    identificatie  text NOT NULL,
    bericht_id     text NOT NULL,
    PRIMARY KEY (afzender, berichttype, identificatie)
);

-- TR333 / TR318: processed declarations (not those treated as not sent).
CREATE TABLE declaraties (
    aanbieder         text NOT NULL,
    domein            text NOT NULL,
    declaratienummer  text NOT NULL,
    gemeente          text NOT NULL,
    periode_begin     date NOT NULL,
    bericht_id        text NOT NULL,
    PRIMARY KEY (aanbieder, domein, declaratienummer)
);
CREATE INDEX declaraties_periode ON declaraties (aanbieder, domein, gemeente, periode_begin);

-- TR314 / TR323 / TR390 / TR389 / TR321 / TR322 / TR369: every line of a processed declaration with its verdict.
CREATE TABLE prestaties (
    aanbieder              text NOT NULL,
    domein                 text NOT NULL,
    referentienummer       text NOT NULL,
    gemeente               text NOT NULL,
    bericht_id             text NOT NULL,
    debet_credit           char(1) NOT NULL,
    goedgekeurd            boolean NOT NULL,
    toewijzingnummer       bigint NOT NULL,
    categorie              text NOT NULL,
    code                   text NOT NULL,
    periode_begin          date NOT NULL,
    periode_eind           date NOT NULL,
    geleverd_volume        bigint NOT NULL,
    eenheid                text NOT NULL,
    bedrag                 bigint NOT NULL,
    vorig_referentienummer text,
    PRIMARY KEY (aanbieder, domein, referentienummer)
);
CREATE INDEX prestaties_toewijzing ON prestaties (domein, gemeente, toewijzingnummer) WHERE goedgekeurd;
-- TR390 made structural: a debit can be credited once, even by two declarations judged at the same moment.
CREATE UNIQUE INDEX prestaties_een_credit ON prestaties (aanbieder, domein, vorig_referentienummer)
    WHERE goedgekeurd AND debet_credit = 'C';
CREATE TRIGGER prestaties_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON prestaties
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER declaraties_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON declaraties
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
