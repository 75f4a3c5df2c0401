"""Doorstep's core from Python: the UniFFI bindings of the doorstep-ffi library.

scripts/bindings generates the bindings into `_ffi` (never committed) and puts this file and
`_reader` next to it; everything public of `_ffi` is public here. Reading what the library
returns goes through `_reader`, which does what the generated reader does, faster."""

from . import _ffi, _reader
from ._ffi import *  # noqa: F401,F403  (the generated module's __all__)
from ._ffi import __all__  # noqa: F401

_reader.install(_ffi._UniffiRustBufferStream, _ffi.InternalError)
