-- What finance and control count per verdict, written in the same transaction as the verdict's booking (one row
-- per declaration message; a verdict delivered again adds nothing). Counts from the moment this migration runs:
-- verdicts booked before it are in the ledger but not here.
CREATE TABLE beoordelingen (
    bericht_id         text PRIMARY KEY,
    gemeente           text NOT NULL,
    domein             text NOT NULL,
    aanbieder          text NOT NULL,
    declaratienummer   text NOT NULL,
    beoordeeld_at      timestamptz NOT NULL,   -- when declaratie judged it
    maand              date NOT NULL,          -- first day of that Dutch month
    geheel_afgewezen   boolean NOT NULL,       -- a header or declaration RetourCode: no line assessed
    regels_goedgekeurd integer NOT NULL CHECK (regels_goedgekeurd >= 0),
    regels_afgekeurd   integer NOT NULL CHECK (regels_afgekeurd >= 0),
    goedgekeurd_cent   bigint NOT NULL,        -- net expense booked for it, debit positive
    regionaal_cent     bigint NOT NULL,        -- … of which under a regional contract
    lokaal_cent        bigint NOT NULL,        -- … under a local one
    verwerkt_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX beoordelingen_gemeente_maand ON beoordelingen (gemeente, maand);
CREATE INDEX beoordelingen_maand ON beoordelingen (maand);

-- Rejections per verdict, level, RetourCode and rule. `reden` is the rule's fixed Dutch text, never a value
-- from the declaration.
CREATE TABLE afkeuringen (
    bericht_id text NOT NULL REFERENCES beoordelingen (bericht_id),
    niveau     text NOT NULL CHECK (niveau IN ('header', 'declaratie', 'regel')),
    retourcode text NOT NULL,
    regel      text,
    reden      text,
    aantal     integer NOT NULL CHECK (aantal > 0)
);
CREATE INDEX afkeuringen_bericht ON afkeuringen (bericht_id);

CREATE TRIGGER beoordelingen_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON beoordelingen
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER afkeuringen_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON afkeuringen
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
