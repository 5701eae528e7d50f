"""Datasets sent to the API: received into a private file, within a size limit.

The API cannot stream a multi-GB file through one request the way the CLI
does, so it takes up to `transfer_upload_max_bytes` (settings), written as it
arrives into a directory of its own under `<data_dir>/transfer-uploads`
(mode 0700, the file 0600) and deleted when the request ends. The limit is
enforced while reading, so an oversized body is cut off, not stored. The
format comes from the Content-Type (or, in a multipart upload, the file
name); the streaming pass then validates the content itself (UTF-8, CSV
structure, one JSON object per line) and names the line that fails.

Export outputs stay in `<data_dir>/transfer-exports/<assessment ref>.<kind>`
(0600) for `GET /v1/transfer/exports/{ref}/download`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from complydesk.errors import InvalidInput, NotFound
from complydesk.transfer.stream import KINDS, Kind

MEDIA_TYPES: dict[str, Kind] = {
    "text/csv": "csv",
    "application/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
    "application/jsonlines": "jsonl",
}
DOWNLOAD_TYPES: dict[str, str] = {"csv": "text/csv", "jsonl": "application/x-ndjson"}
UPLOADS = "transfer-uploads"
EXPORTS = "transfer-exports"


class TooLarge(InvalidInput):
    status = 413
    title = "Payload too large"


class UnsupportedType(InvalidInput):
    status = 415
    title = "Unsupported media type"


def kind_of_media(content_type: str | None) -> Kind:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    kind = MEDIA_TYPES.get(media)
    if kind is None:
        raise UnsupportedType(
            "send the dataset as text/csv or application/x-ndjson (JSON lines), "
            "or as multipart/form-data with a .csv or .jsonl file named `file`"
        )
    return kind


def kind_of_filename(name: str | None) -> Kind:
    suffix = Path(name or "").suffix.lower()
    kind = KINDS.get(suffix)
    if kind is None:
        raise UnsupportedType("the uploaded file must be a .csv or .jsonl file")
    return kind


def private_dir(data_dir: Path, name: str) -> Path:
    path = data_dir / name
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


class Upload:
    """One received dataset in its own private directory; `close` deletes it."""

    def __init__(self, data_dir: Path, kind: Kind, limit: int) -> None:
        self.directory = Path(tempfile.mkdtemp(dir=private_dir(data_dir, UPLOADS)))
        self.path = self.directory / f"upload.{kind}"
        self.kind = kind
        self.limit = limit
        self.size = 0

    def declared(self, length: str | None) -> None:
        """Refuse at once when Content-Length already says too much."""
        if length is not None and length.isdigit() and int(length) > self.limit:
            raise TooLarge(f"the dataset is larger than {self.limit:,} bytes")

    async def receive(self, chunks: AsyncIterator[bytes]) -> Path:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            async for chunk in chunks:
                self.size += len(chunk)
                if self.size > self.limit:
                    raise TooLarge(
                        f"the dataset is larger than {self.limit:,} bytes; "
                        "export bigger files with the CLI"
                    )
                handle.write(chunk)
        if self.size == 0:
            raise InvalidInput("the dataset is empty")
        return self.path

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def export_path(data_dir: Path, ref: str, kind: str) -> Path:
    return private_dir(data_dir, EXPORTS) / f"{ref}.{kind}"


def find_export(data_dir: Path, ref: str) -> tuple[Path, str]:
    """The stored output of an allowed export (ref already validated)."""
    for kind, media in DOWNLOAD_TYPES.items():
        path = data_dir / EXPORTS / f"{ref}.{kind}"
        if path.is_file():
            return path, media
    raise NotFound(f"no stored output for {ref}")


__all__ = [
    "DOWNLOAD_TYPES",
    "TooLarge",
    "UnsupportedType",
    "Upload",
    "export_path",
    "find_export",
    "kind_of_filename",
    "kind_of_media",
]
