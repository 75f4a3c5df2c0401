"""User story: what the library returns reaches the app exactly as the library wrote it, and
quickly: the day's work list is read through the package's own buffer reader
(bindings/python/package/_reader.py), which must read every number, string and bound exactly as
UniFFI's generated reader does."""

import ctypes
import random
import struct

import pytest

FORMATS = {
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


def stream_over(doorstep, data):
    """A stream as the generated code makes one: over a pointer into memory the library owns."""
    memory = ctypes.create_string_buffer(data, len(data))
    pointer = ctypes.cast(memory, ctypes.POINTER(ctypes.c_char))
    return doorstep._ffi._UniffiRustBufferStream.from_rust_buffer(
        type("Buffer", (), {"data": pointer, "len": len(data)})()), memory


def test_the_package_reads_with_its_own_reader(doorstep):
    stream = doorstep._ffi._UniffiRustBufferStream
    for name in ("__init__", "read", "remaining", *FORMATS):
        assert getattr(stream, name).__module__ == "doorstep._reader", name


def test_random_buffers_read_as_struct_reads_them(doorstep):
    rng = random.Random(20261201)
    for _ in range(500):
        # A random sequence of numbers and byte strings, written as UniFFI writes them.
        steps, data = [], b""
        for _ in range(rng.randrange(1, 30)):
            if rng.random() < 0.2:
                chunk = rng.randbytes(rng.randrange(0, 12))
                steps.append(("read", len(chunk), chunk))
                data += chunk
            else:
                name = rng.choice(sorted(FORMATS))
                size = struct.calcsize(FORMATS[name])
                raw = rng.randbytes(size)
                steps.append((name, None, struct.unpack(FORMATS[name], raw)[0]))
                data += raw
        stream, _memory = stream_over(doorstep, data)
        for name, size, expected in steps:
            got = stream.read(size) if name == "read" else getattr(stream, name)()
            if isinstance(expected, float) and expected != expected:  # NaN
                assert got != got
            else:
                assert got == expected, name
        assert stream.remaining() == 0


def test_a_read_past_the_end_is_refused_and_moves_nothing(doorstep):
    stream, _memory = stream_over(doorstep, b"\x00\x00\x00\x07abc")
    assert stream.read_i32() == 7
    with pytest.raises(doorstep._ffi.InternalError):
        stream.read(7)
    with pytest.raises(doorstep._ffi.InternalError):
        stream.read_i64()
    assert stream.remaining() == 3
    assert stream.read(3) == b"abc"


def test_an_empty_buffer_reads_as_empty(doorstep):
    buffer = type("Buffer", (), {"data": ctypes.POINTER(ctypes.c_char)(), "len": 0})()
    stream = doorstep._ffi._UniffiRustBufferStream.from_rust_buffer(buffer)
    assert stream.remaining() == 0
    with pytest.raises(doorstep._ffi.InternalError):
        stream.read_u8()


def test_chinese_text_from_the_library_reads_whole(doorstep):
    reason = doorstep.WorkReason.INSPECTION_OVERDUE(due_on="2026-11-01", days=27)
    text = doorstep.describe_work_reason(reason, doorstep.Language.ZH)
    assert "27" in text and any("\u4e00" <= c <= "\u9fff" for c in text)
