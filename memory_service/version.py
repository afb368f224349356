"""The service's version, apart from the package's ``__init__``, which re-exports the SDK: the
modules that name the version import it from here, never the package facade that imports them."""

__version__ = "0.1.0"
