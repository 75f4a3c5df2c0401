"""A faster reader of the buffers the library returns.

Every record, list and enum the library returns crosses as one buffer of big-endian numbers and
UTF-8 strings, which UniFFI's generated Python reads number by number. The generated reader
slices the buffer's ctypes pointer for each number (a new bytes object each time) and unpacks the
slice with a format string looked up on every call. The day's work list of 500 lines is some
6,000 numbers, so that reading cost more than the call itself (scripts/bench-bindings,
docs/adr/0004-bindings.md).

This reader copies the buffer into one bytes object when reading starts (the buffer is read
through before it is freed, so the copy lives no longer than the read) and unpacks each number in
place with a precompiled `struct.Struct`. The wire format, the bounds check and the error on a
read past the end are the generated reader's own. `install` replaces the methods of the
generated stream class; it refuses (at import, loudly) a generated class that does not have the
methods it replaces, so a UniFFI upgrade that changes the class cannot pass unnoticed."""

import ctypes
import struct

# The stream's numbers: method name -> big-endian struct format, as the generated reader has them.
NUMBERS = {
    "read_i8": ">b",
    "read_u8": ">B",
    "read_i16": ">h",
    "read_u16": ">H",
    "read_i32": ">i",
    "read_u32": ">I",
    "read_i64": ">q",
    "read_u64": ">Q",
    "read_float": ">f",
    "read_double": ">d",
}

# What the generated class must have: what is replaced, and the constructor that calls `__init__`.
EXPECTED = ("__init__", "from_rust_buffer", "remaining", "read", *NUMBERS)


def _number_reader(name, fmt, error):
    unpack_from = struct.Struct(fmt).unpack_from
    size = struct.calcsize(fmt)

    def read_number(self):
        offset = self.offset
        end = offset + size
        if end > self.len:
            raise error("read past end of rust buffer")
        self.offset = end
        return unpack_from(self.data, offset)[0]

    read_number.__name__ = name
    return read_number


def install(stream, error):
    """Make `stream` (the generated `_UniffiRustBufferStream`) read with this reader; `error` is
    the generated module's `InternalError`, raised on a read past the end of a buffer."""
    missing = [name for name in EXPECTED if not hasattr(stream, name)]
    if missing:
        raise ImportError(
            "the generated UniFFI buffer stream lacks " + ", ".join(missing)
            + ": bindings/python/package/_reader.py is out of step with the UniFFI version"
        )

    def __init__(self, data, length):
        # One copy of the whole buffer; `data` may be NULL when `length` is 0.
        self.data = ctypes.string_at(data, length) if length else b""
        self.len = length
        self.offset = 0

    def remaining(self):
        return self.len - self.offset

    def read(self, size):
        offset = self.offset
        end = offset + size
        if end > self.len:
            raise error("read past end of rust buffer")
        self.offset = end
        return self.data[offset:end]

    stream.__init__ = __init__
    stream.remaining = remaining
    stream.read = read
    for name, fmt in NUMBERS.items():
        setattr(stream, name, _number_reader(name, fmt, error))


def over_bytes(stream, data):
    """A `stream` (the generated class, with this reader installed) over `data`, as if the
    library had returned it."""
    reader = stream.__new__(stream)
    reader.data = bytes(data)
    reader.len = len(reader.data)
    reader.offset = 0
    return reader
