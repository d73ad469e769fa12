"""The fetch stage: turn a source (a file or folder now; feeds and pages later) into documents.

A document is kept as received and hashed; what is read is bounded, and anything that cannot become a
document is reported as a `DocumentError` with a one-line reason, never as a crash of the batch.
"""

from tidings.fetch.decode import DocumentError, decode, sniff_kind
from tidings.fetch.files import iter_files, read_document

__all__ = ["DocumentError", "decode", "iter_files", "read_document", "sniff_kind"]
