-- What a party owes in answer to a message, by when (Dutch date, the last day in time), and when it was met.
CREATE TABLE verplichtingen (
    bericht_id   uuid NOT NULL REFERENCES berichten (id),
    soort        text NOT NULL,
    partij       text NOT NULL,          -- who must act: a CBS code (municipality) or AGB code (provider)
    uiterlijk    date NOT NULL,
    vervuld_at   timestamptz,
    vervuld_door uuid REFERENCES berichten (id),
    PRIMARY KEY (bericht_id, soort)
);
CREATE INDEX verplichtingen_open ON verplichtingen (partij, uiterlijk) WHERE vervuld_at IS NULL;
CREATE INDEX verplichtingen_partij ON verplichtingen (partij, uiterlijk DESC);
