"""User story: the app reads the day's work list and a household's file exactly as the library
wrote them, and quickly. The package reads records, enums, options, lists and plain values with
its own readers (bindings/python/package/_converters.py); these tests hold them to UniFFI's
generated readers on the same buffers: random values of every type the library returns, the
same buffers cut short, and the same buffers with bytes changed."""

import random
import struct

import pytest

# Converters the benchmark's calls go through: they must have been made faster, not left alone.
HOT = (
    "TypeWorkItem",
    "TypeWorkTask",
    "TypeWorkReason",
    "TypeHouseholdFile",
    "TypeHousehold",
    "TypeWorkOrder",
    "TypePoint",
    "TypeTimestamp",
    "TypeWorkOrderStatus",
    "SequenceTypeWorkItem",
    "OptionalString",
    "String",
    "Boolean",
)

TEXTS = ["", "a", "燃气", "张三 13800000000", "x" * 40, "文三路 1 号 301 室", "🔥"]


class Writer:
    """Random, well-formed buffers of any converter, in UniFFI's wire format, following the
    shapes the package found in the generated readers (what is compared is the reading)."""

    def __init__(self, doorstep, rng, wild=True):
        self.c = doorstep._converters
        self.ffi = doorstep._ffi
        self.rng = rng
        # Numbers of any value (times far out of datetime's range among them), or sane ones.
        self.wild = wild

    def shape(self, name):
        return self.c.SHAPES.get(name)

    def write(self, name, depth=0):
        rng = self.rng
        if name == "Boolean":
            return bytes([rng.choice((0, 1, 1, 2))])  # a non-zero byte other than 1 is true too
        if name in self.c._INLINE_NUMBERS:
            fmt = self.c._INLINE_NUMBERS[name]
            if fmt[1] in "fd":
                return struct.pack(fmt, rng.choice((0.0, -1.5, 120.08, rng.uniform(-1e6, 1e6))))
            bits = struct.calcsize(fmt) * 8
            low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if fmt[1].islower() else (
                0, (1 << bits) - 1)
            if name == "Int64":  # times in milliseconds mostly, sometimes any number
                value = rng.randrange(0, 4_000_000_000_000)
                if self.wild and rng.random() < 0.3:
                    value = rng.randint(low, high)
            else:
                value = rng.choice((low, high, 0, rng.randint(low, high)))
            return struct.pack(fmt, value)
        if name == "String":
            data = rng.choice(TEXTS).encode()
            return struct.pack(">i", len(data)) + data
        if name.startswith("Optional"):
            if rng.random() < 0.3 or depth > 6:
                return b"\x00"
            return b"\x01" + self.write(name[len("Optional"):], depth + 1)
        if name.startswith("Sequence"):
            count = 0 if depth > 6 else rng.randrange(0, 4)
            return struct.pack(">i", count) + b"".join(
                self.write(name[len("Sequence"):], depth + 1) for _ in range(count))
        if name in self.c.TABLES:
            return struct.pack(">i", rng.choice(sorted(self.c.TABLES[name])))
        shape = self.shape(name)
        if isinstance(shape, self.c._Record):
            return self.record(shape, depth)
        if isinstance(shape, self.c._Enum):
            tag, record = rng.choice(shape.variants)
            return struct.pack(">i", tag) + self.record(record, depth)
        if isinstance(shape, self.c._Custom):
            return self.write(shape.builtin, depth + 1)
        raise LookupError(name)

    def record(self, record, depth):
        fields = list(record.args) + [c for _, c in record.keywords]
        return b"".join(self.write(c, depth + 1) for c in fields)


def plain(value):
    """A value as plain data, every field of every record and variant in it (the generated
    classes' own `repr` names no fields)."""
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return repr(value)  # NaN equals itself as text
    # The class itself, not its name: a variant's class and the class its name is given to
    # share a name.
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return (type(value), {k: plain(v) for k, v in vars(value).items()})
    return (type(value), repr(value))


def outcome(doorstep, name, data):
    """What reading `data` with the converter `name` gives: its value (as text, with its type)
    and where the stream stopped, or the error's type and message."""
    stream = doorstep._reader.over_bytes(doorstep._ffi._UniffiRustBufferStream, data)
    converter = getattr(doorstep._ffi, doorstep._converters.PREFIX + name)
    try:
        value = converter.read(stream)
    except Exception as e:  # noqa: BLE001  (compared, not handled)
        return ("error", type(e).__name__, str(e))
    return ("value", plain(value), stream.offset)  # after an error, where it stopped is not kept


def both(doorstep, name, data):
    ours = outcome(doorstep, name, data)
    with doorstep._converters.generated_readers(doorstep._ffi):
        generated = outcome(doorstep, name, data)
    return ours, generated


def returned_types(doorstep):
    """Every converter the package replaced, but the optional progress observer: a callback
    the app passes in, never a value the library returns."""
    return sorted(set(doorstep._converters.REPLACED) - {"OptionalTypeSyncObserver"})


def test_the_calls_of_the_day_go_through_the_packages_readers(doorstep):
    c = doorstep._converters
    for name in HOT:
        assert name in c.REPLACED, name
        read = getattr(doorstep._ffi, c.PREFIX + name).read
        made_in = read.__code__.co_filename
        assert made_in == c.__file__ or made_in.startswith("<doorstep fused reader"), name


def test_random_values_of_every_type_read_as_the_generated_readers_read_them(doorstep):
    rng = random.Random(20261201)
    writer = Writer(doorstep, rng)
    names = returned_types(doorstep)
    assert len(names) > 40
    for name in names:
        for _ in range(40):
            data = writer.write(name)
            ours, generated = both(doorstep, name, data)
            assert ours == generated, (name, data)
            # Well-formed: read to the end, not refused (a time out of range excepted).
            assert ours[0] == "value" or ours[1] in ("OverflowError", "ValueError", "OSError"), (
                name, ours)


def test_buffers_cut_short_or_changed_are_refused_as_the_generated_readers_refuse_them(doorstep):
    rng = random.Random(7)
    writer = Writer(doorstep, rng)
    for name in returned_types(doorstep):
        for _ in range(100 if name in HOT else 25):
            data = writer.write(name)
            if data:
                cut = data[: rng.randrange(len(data))]
                ours, generated = both(doorstep, name, cut)
                assert ours == generated, (name, cut)
                changed = bytearray(data)
                for _ in range(rng.randrange(1, 4)):
                    byte = rng.choice((0, 1, 2, 255, rng.randrange(256)))
                    changed[rng.randrange(len(changed))] = byte
                ours, generated = both(doorstep, name, bytes(changed))
                assert ours == generated, (name, bytes(changed))


def test_flat_enums_read_every_tag_as_generated(doorstep):
    c = doorstep._converters
    flat = sorted(c.TABLES)
    assert "TypeWorkOrderStatus" in flat and "TypeCategory" in flat
    for name in flat:
        for tag in (-1, *range(max(c.TABLES[name]) + 2), 1 << 20):
            data = struct.pack(">i", tag)
            ours, generated = both(doorstep, name, data)
            assert ours == generated, (name, tag)
        ours, generated = both(doorstep, name, b"\x00\x00")
        assert ours == generated and ours[0] == "error", name


def test_a_long_list_reads_whole(doorstep):
    rng = random.Random(3)
    writer = Writer(doorstep, rng, wild=False)
    items = [writer.write("TypeWorkItem") for _ in range(500)]
    data = struct.pack(">i", len(items)) + b"".join(items)
    ours, generated = both(doorstep, "SequenceTypeWorkItem", data)
    assert ours == generated and ours[0] == "value" and ours[2] == len(data)
    assert len(ours[1]) == 500


@pytest.mark.parametrize("name", ["TypeWorkItem", "TypeHouseholdFile"])
def test_fused_readers_are_one_function_with_their_source_kept(doorstep, name):
    converter = getattr(doorstep._ffi, doorstep._converters.PREFIX + name)
    source = converter.read.source
    assert source.startswith("def read(buf):")
    compile(source, name, "exec")


def test_the_generated_readers_come_back_for_the_comparison_and_ours_after(doorstep):
    c, ffi = doorstep._converters, doorstep._ffi

    def made_in(name):
        return getattr(ffi, c.PREFIX + name).read.__code__.co_filename

    with c.generated_readers(ffi):
        assert all(made_in(name) == ffi.__file__ for name in ("TypeWorkItem", "String"))
        with c.generated_readers(ffi):
            pass
    assert made_in("TypeWorkItem").startswith("<doorstep fused reader")
    assert made_in("String") == c.__file__


def test_installing_twice_changes_nothing(doorstep):
    c, ffi = doorstep._converters, doorstep._ffi
    before = dict(c.REPLACED)
    c.install(ffi)
    assert c.REPLACED == before
    assert all(
        getattr(read, "__func__", read).__code__.co_filename == ffi.__file__
        for read in c.REPLACED.values()
    )
