-- The archive as per-party hash chains (domain/archief.py): each archived message is link `volgnummer` of the
-- chain of the party it was exchanged with; `archief_ketens` keeps each chain's head, so cutting links off the
-- end is detected too. `bewaren_tot`: the retention period, after which only the content may be erased.
ALTER TABLE archief
    ADD COLUMN partij       text,
    ADD COLUMN volgnummer   bigint,
    ADD COLUMN berichttype  text,
    ADD COLUMN bewaren_tot  date,
    ADD COLUMN vorige_hash  text,
    ADD COLUMN keten_hash   text,
    ALTER COLUMN inhoud DROP NOT NULL;

CREATE TABLE archief_ketens (
    partij      text PRIMARY KEY,
    volgnummer  bigint NOT NULL DEFAULT 0,
    kop_hash    text NOT NULL DEFAULT repeat('0', 64)
);

-- Archives written before the chain existed become the first links of their chains, in the order they were stored
-- (7 years' retention); the hash is the one domain/archief.py computes.
DROP TRIGGER archief_append_only ON archief;
DO $$
DECLARE
    r record;
    kop record;
    h text;
BEGIN
    FOR r IN SELECT a.id, a.bericht_id, a.richting, a.sha256, a.opgeslagen_at, b.berichttype,
                    CASE WHEN a.richting = 'in' THEN b.afzender ELSE b.ontvanger END AS partij
             FROM archief a JOIN berichten b ON b.id = a.bericht_id ORDER BY a.id LOOP
        INSERT INTO archief_ketens (partij) VALUES (r.partij)
            ON CONFLICT (partij) DO UPDATE SET partij = EXCLUDED.partij RETURNING volgnummer, kop_hash INTO kop;
        h := encode(sha256(convert_to(concat_ws(E'\x1f', r.partij, (kop.volgnummer + 1)::text, r.bericht_id::text,
                 r.richting, r.berichttype, r.sha256,
                 ((extract(epoch FROM r.opgeslagen_at) * 1000000)::bigint)::text,
                 to_char((r.opgeslagen_at AT TIME ZONE 'Europe/Amsterdam')::date + interval '7 years', 'YYYY-MM-DD'),
                 kop.kop_hash), 'UTF8')), 'hex');
        UPDATE archief SET partij = r.partij, volgnummer = kop.volgnummer + 1, berichttype = r.berichttype,
               bewaren_tot = (r.opgeslagen_at AT TIME ZONE 'Europe/Amsterdam')::date + interval '7 years',
               vorige_hash = kop.kop_hash, keten_hash = h
         WHERE id = r.id;
        UPDATE archief_ketens SET volgnummer = kop.volgnummer + 1, kop_hash = h WHERE partij = r.partij;
    END LOOP;
END $$;

ALTER TABLE archief
    ALTER COLUMN partij SET NOT NULL, ALTER COLUMN volgnummer SET NOT NULL, ALTER COLUMN berichttype SET NOT NULL,
    ALTER COLUMN bewaren_tot SET NOT NULL, ALTER COLUMN vorige_hash SET NOT NULL,
    ALTER COLUMN keten_hash SET NOT NULL;
CREATE UNIQUE INDEX archief_keten ON archief (partij, volgnummer);

-- Append-only, with one exception: once a message's retention has ended its content may be erased (set NULL),
-- and nothing else about it may change.
CREATE FUNCTION archief_alleen_wissen_na_termijn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.bewaren_tot < current_date AND NEW.inhoud IS NULL
       AND (NEW.id, NEW.bericht_id, NEW.richting, NEW.sha256, NEW.opgeslagen_at, NEW.partij, NEW.volgnummer,
            NEW.berichttype, NEW.bewaren_tot, NEW.vorige_hash, NEW.keten_hash)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.bericht_id, OLD.richting, OLD.sha256, OLD.opgeslagen_at, OLD.partij, OLD.volgnummer,
            OLD.berichttype, OLD.bewaren_tot, OLD.vorige_hash, OLD.keten_hash) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'archief is append-only: only the content of a message past its retention (%) may be erased',
        OLD.bewaren_tot USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER archief_wissen BEFORE UPDATE ON archief FOR EACH ROW EXECUTE FUNCTION archief_alleen_wissen_na_termijn();
CREATE TRIGGER archief_append_only BEFORE DELETE OR TRUNCATE ON archief
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
