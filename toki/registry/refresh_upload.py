"""The welfare/resident system's file uploaded from the refresh page: read into memory only (never a temporary file
on disk: the file is the register in clear), at most TOKI_REGISTRY_UPLOAD_MAX_MB, then decoded and diffed in the
request (`refresh.stage_refresh`). Nothing goes into a task, a log line or the audit but the file's name and
counts.

Encodings: UTF-8 (with or without a BOM) or CP932 — the Shift_JIS of Windows, which Japanese municipal systems
export (its extra characters: ①, ㈱, 髙, …); "auto" takes UTF-8 when the bytes are valid UTF-8, else CP932.
"""

import csv
from dataclasses import dataclass
from io import BytesIO

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from toki.registry import conf
from toki.registry.importing import RegistryImportError, RowError
from toki.registry.refresh import stage_refresh

ENCODINGS = {"auto": "", "utf-8": "utf-8", "cp932": "cp932", "shift_jis": "cp932"}


class CappedMemoryUpload(FileUploadHandler):
    """Keeps an uploaded file in memory up to `limit` bytes; a larger one is skipped and flagged (`too_large`).
    Takes over from Django's handlers, so no file of the request is written to disk."""

    def __init__(self, request=None, limit: int = 0):
        super().__init__(request)
        self.limit = limit
        self.too_large = False
        self.buffer = BytesIO()

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()

    def receive_data_chunk(self, raw_data, start):
        if self.buffer.tell() + len(raw_data) > self.limit:
            self.too_large = True
            self.buffer = BytesIO()
            raise SkipFile
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.too_large:
            return None
        self.buffer.seek(0)
        return InMemoryUploadedFile(self.buffer, self.field_name, self.file_name, self.content_type, file_size,
                                    self.charset, self.content_type_extra)


def install_handler(request) -> CappedMemoryUpload:
    """Before the request's body is read: the only upload handler is the capped in-memory one."""
    memory = CappedMemoryUpload(request, conf.upload_max_bytes())
    request.upload_handlers = [memory]
    return memory


def body_too_large(request) -> bool:
    """A body far larger than any allowed file (the rest of the form is small) is not read at all."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > conf.upload_max_bytes() + 64 * 1024


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def _file_error(name: str, reason: str) -> RegistryImportError:
    return RegistryImportError([RowError(name or "(no file)", 0, "(file)", reason)])


def decide_encoding(data: bytes, chosen: str, name: str) -> str:
    """The encoding to read the file with; refuses a file that cannot be text in it."""
    if chosen not in ENCODINGS:
        raise _file_error(name, f"encoding {chosen!r} is not one of {', '.join(ENCODINGS)}")
    encoding = ENCODINGS[chosen]
    if not encoding:
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp932"
    try:
        text = data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise _file_error(name, f"line {line} cannot be read as {encoding}"
                          + (" (is it Shift_JIS/CP932?)" if encoding == "utf-8" else " (is it UTF-8?)")) from None
    if "\x00" in text:
        raise _file_error(name, "holds NUL characters: not a CSV text file")
    return encoding


def stage_upload(*, actor, upload: Upload | None, too_large: bool, encoding: str, municipality):
    """Validate the uploaded file and stage its diff (all or nothing); RegistryImportError lists every problem."""
    limit_mb = conf.upload_max_bytes() // (1024 * 1024)
    if too_large:
        raise _file_error(upload.name if upload else "", f"is larger than {limit_mb} MB")
    if upload is None or not upload.data:
        raise _file_error(upload.name if upload else "", "no file, or an empty one: choose the CSV file")
    if not upload.name.lower().endswith((".csv", ".txt")):
        raise _file_error(upload.name, "is not a .csv or .txt file")
    chosen = decide_encoding(upload.data, encoding, upload.name)
    try:
        return stage_refresh(actor=actor, data=upload.data, file_name=upload.name, municipality=municipality,
                             encoding=chosen)
    except csv.Error as error:  # e.g. a field over the csv module's limit; its message holds no cell value
        raise _file_error(upload.name, f"is not a readable CSV ({error})") from None
