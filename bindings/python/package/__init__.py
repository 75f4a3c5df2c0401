"""Doorstep's core from Python: the UniFFI bindings of the doorstep-ffi library.

scripts/bindings generates the bindings into `_ffi` (never committed) and puts this file and
`_reader` and `_converters` next to it; everything public of `_ffi` is public here. Reading what
the library returns goes through `_reader` and `_converters`, which do what the generated readers
do, faster."""

from . import _converters, _ffi, _reader
from ._ffi import *  # noqa: F401,F403  (the generated module's __all__)
from ._ffi import __all__  # noqa: F401

_reader.install(_ffi._UniffiRustBufferStream, _ffi.InternalError)
_converters.install(_ffi)
