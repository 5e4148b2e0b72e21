-- Messages the back office made that failed its own check against the standard (levels 1 and 2) before they left:
-- a bug. They were never stored as sent or delivered; this says which and why (rule ids and paths, never a value),
-- for /health and for whoever fixes the bug. One row per message and type, however often a retry met it.
CREATE TABLE uitgaand_afgekeurd (
    bericht_id   uuid NOT NULL REFERENCES berichten (id),
    berichttype  text NOT NULL,
    regels       text[] NOT NULL,
    fout         text NOT NULL,
    gezien_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bericht_id, berichttype)
);
