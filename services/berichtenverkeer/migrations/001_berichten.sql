-- Every message in and out: metadata, lifecycle status and the byte-exact raw message (archive).
CREATE TABLE berichten (
    id              uuid PRIMARY KEY,
    richting        text NOT NULL CHECK (richting IN ('in', 'uit')),
    domein          text NOT NULL,
    berichttype     text NOT NULL,
    afzender        text NOT NULL,
    ontvanger       text NOT NULL,
    identificatie   text NOT NULL,
    sha256          text NOT NULL,
    status          text NOT NULL,
    ontvangen_at    timestamptz NOT NULL DEFAULT now(),
    bijgewerkt_at   timestamptz NOT NULL DEFAULT now(),
    samenvatting    jsonb
);
-- Resubmitting the identical message returns the same id.
CREATE UNIQUE INDEX berichten_idempotent ON berichten (afzender, richting, sha256);
CREATE INDEX berichten_afzender ON berichten (afzender, ontvangen_at DESC);

CREATE TABLE archief (
    id          bigserial PRIMARY KEY,
    bericht_id  uuid NOT NULL REFERENCES berichten (id),
    richting    text NOT NULL,
    inhoud      bytea NOT NULL,
    sha256      text NOT NULL,
    opgeslagen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX archief_bericht ON archief (bericht_id);

CREATE TABLE antwoorden (
    bericht_id   uuid PRIMARY KEY REFERENCES berichten (id),   -- exactly one 325 per 323
    antwoord_id  uuid NOT NULL REFERENCES berichten (id)
);

CREATE TABLE tijdlijn (
    id          bigserial PRIMARY KEY,
    bericht_id  uuid NOT NULL REFERENCES berichten (id),
    stap        text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    trace_id    text,
    detail      jsonb
);
CREATE INDEX tijdlijn_bericht ON tijdlijn (bericht_id, id);

CREATE SEQUENCE antwoord_volgnummer;

CREATE TRIGGER archief_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON archief
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
