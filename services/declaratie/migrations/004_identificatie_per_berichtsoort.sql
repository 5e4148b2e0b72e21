-- TR056: an Identificatie is unique per sender per berichtsoort, and JW323 and WMO323 are different kinds. The
-- register was keyed by (sender, '323', Identificatie), so a provider serving both domains with overlapping
-- numbering got a false 9056 on its iWmo declaration. Every registered identification belongs to a judged message,
-- whose verdict row names its domain.
ALTER TABLE berichtidentificaties ADD COLUMN domein text;
UPDATE berichtidentificaties i SET domein = b.domein FROM beoordelingen b WHERE b.bericht_id = i.bericht_id;
-- A row whose verdict is missing keeps no domain and, to be safe, still counts in both (the look-up allows NULL).
ALTER TABLE berichtidentificaties DROP CONSTRAINT berichtidentificaties_pkey;
CREATE UNIQUE INDEX berichtidentificaties_per_soort ON berichtidentificaties (afzender, domein, berichttype,
                                                                              identificatie);
