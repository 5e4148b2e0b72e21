"""A batch of messages as a ZIP, the way the provider hub delivers them (pure: bytes in, messages out).

Read defensively: at most 30 messages, only top-level `.xml` entries, each within the 25 MB message limit and all
together within `MAX_BATCH_BYTES` unpacked, sizes checked while decompressing (a ZIP's own size fields can lie), no
encryption, no nested archives.

Why a total cap: a batch is checked whole and stored in one transaction, so every message of it is in memory, read
into its model, at once (a 25 MB declaration costs ~200 MB so). 30 messages of 25 MB would be 6 GB; two messages of
the largest size (the hubs' batches are many small messages) is what a batch may hold."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

MAX_BERICHTEN = 30
MAX_BATCH_BYTES = 50 * 1024 * 1024
ZIP_TYPES = ("application/zip", "application/x-zip-compressed")


@dataclass
class BatchError(Exception):
    status: int
    error: str
    hint: str


def berichten_uit_zip(data: bytes, max_bericht_bytes: int,
                      max_totaal_bytes: int = MAX_BATCH_BYTES) -> list[tuple[str, bytes]]:
    """(entry name, message bytes) in archive order."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise BatchError(400, f"not a readable ZIP archive ({exc})", "send a ZIP of up to 30 XML messages") from None
    if not entries:
        raise BatchError(400, "the ZIP archive holds no messages", "put 1 to 30 .xml messages in it")
    if len(entries) > MAX_BERICHTEN:
        raise BatchError(413, f"the ZIP archive holds {len(entries)} files; at most {MAX_BERICHTEN} per batch",
                         "split the batch")
    berichten: list[tuple[str, bytes]] = []
    totaal = 0
    for info in entries:
        naam = info.filename
        if "/" in naam or "\\" in naam or not naam.lower().endswith(".xml"):
            raise BatchError(400, f"ZIP entry {naam!r}: only .xml files at the top level are read",
                             "put the messages themselves in the archive, without folders or other files")
        if info.flag_bits & 0x1:
            raise BatchError(400, f"ZIP entry {naam!r} is encrypted", "send the archive without a password")
        if info.file_size > max_bericht_bytes:
            raise BatchError(413, f"ZIP entry {naam!r} is larger than 25 MB (OP179)", "split the message")
        ruimte = min(max_bericht_bytes, max_totaal_bytes - totaal)
        try:
            with archive.open(info) as f:
                inhoud = f.read(ruimte + 1)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
            raise BatchError(400, f"ZIP entry {naam!r} cannot be read ({exc})", "make the archive again") from None
        if len(inhoud) > max_bericht_bytes:
            raise BatchError(413, f"ZIP entry {naam!r} unpacks to more than 25 MB (OP179)", "split the message")
        if len(inhoud) > ruimte:
            raise BatchError(413, f"the ZIP archive unpacks to more than {max_totaal_bytes // (1024 * 1024)} MB "
                                  f"(at ZIP entry {naam!r}); at most that much per batch", "split the batch")
        totaal += len(inhoud)
        berichten.append((naam, inhoud))
    if len({n for n, _ in berichten}) != len(berichten):
        raise BatchError(400, "the ZIP archive names one file twice", "give every message its own file name")
    return berichten
