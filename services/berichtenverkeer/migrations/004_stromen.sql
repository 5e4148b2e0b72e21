-- Mailboxes: a message addressed to a party waits until it is fetched (afgeleverd_at).
ALTER TABLE berichten ADD COLUMN afgeleverd_at timestamptz;
CREATE INDEX berichten_postvak ON berichten (ontvanger, ontvangen_at) WHERE afgeleverd_at IS NULL;
CREATE INDEX berichten_ontvanger ON berichten (ontvanger, ontvangen_at DESC);
-- TR056: an Identificatie is unique per sender per message type; a different message reusing one gets 9056.
CREATE INDEX berichten_identificatie ON berichten (afzender, berichttype, identificatie) WHERE richting = 'in';

-- A provider's request (315/317) is answered by a 301 or 319 that carries its ReferentieAanbieder.
CREATE TABLE verzoek_referenties (
    domein       text NOT NULL,
    gemeente     text NOT NULL,
    aanbieder    text NOT NULL,
    referentie   text NOT NULL,
    bericht_id   uuid NOT NULL REFERENCES berichten (id),
    PRIMARY KEY (domein, gemeente, aanbieder, referentie, bericht_id)
);
