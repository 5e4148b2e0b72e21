-- One verdict per received declaration message; the primary key makes "exactly one 325" structural.
CREATE TABLE beoordelingen (
    bericht_id      text PRIMARY KEY,
    domein          text NOT NULL,
    aanbieder       text NOT NULL,
    gemeente        text NOT NULL,
    declaratienummer text NOT NULL,
    goedgekeurd     integer NOT NULL,
    afgewezen       integer NOT NULL,
    toegekend_cent  bigint NOT NULL,
    beoordeeld_at   timestamptz NOT NULL DEFAULT now()
);
