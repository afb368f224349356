"""A portable, versioned JSON Lines copy of a user's or a namespace's memory: its format, export
and import. See ``docs/export-format.md``."""

from memory_service.transfer.export import export_namespace, export_user, iter_export
from memory_service.transfer.format import FORMAT, FORMAT_VERSION
from memory_service.transfer.importer import ImportReport, import_file, import_lines

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ImportReport",
    "export_namespace",
    "export_user",
    "import_file",
    "import_lines",
    "iter_export",
]
