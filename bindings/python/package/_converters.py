"""Faster readers for the generated converters: what the library returns, read in fewer calls.

The generated code reads a record field by field, each field through its converter, and each
converter through the stream's number readers: an optional string is four Python calls, a
boolean three, a `WorkOrderStatus` a chain of comparisons. A line of the day's work list is some
thirty calls. The readers here read the same wire format in one call each (`_reader`, installed
first, gives the stream its `data`, `offset`, `len` and its number readers, which serve as the
plain numbers' readers here):

- plain values (strings, booleans, integers, floats) as UniFFI writes them;
- `Optional<T>`: the flag byte, then `T`'s reader;
- `Sequence<T>`: the count, then `T`'s reader that many times;
- enums without data: a table of their members by tag, read from the generated reader's source
  (`variant = buf.read_i32()`, then `if variant == N: return Enum.MEMBER`);
- records, enums with data, errors and custom types (`Timestamp`): one function each, written
  from the generated reader's own source (`_shape` reads it with `ast`, `_fuse` writes the
  function). It keeps the generated reader's order of fields and its constructor calls, and
  reads in place the plain values, strings, options, flat enums and records (to a depth of
  four) among its fields; a list, or a record within itself, it reads by calling that
  converter. A generated reader of any other shape is kept as it is, and so is anything
  `install` does not know. Nothing of the generated code runs to find out what it reads.

Every bound the generated code checks is checked here with the same error (`InternalError`,
with its message). Where a stream stops after an error is not kept (the generated code frees
the buffer at once). Constructors and the module's names are bound at import: a test that
patches `_ffi.WorkItem` afterwards does not reach the fused readers. `install` names what it
replaced in `REPLACED`, with the generated reader (`generated_readers` puts those back for a
while), so tests/test_converters.py compares the two on the same buffers. Each fused reader
keeps its source as `read.source`.

On the 500-line work list the lift took 2.5 ms with `_reader` alone, 1.55 ms with these
(docs/adr/0004-bindings.md)."""

import ast
import contextlib
import enum
import inspect
import re
import struct
import textwrap

_I32 = struct.Struct(">i").unpack_from

# Plain values: converter name -> the stream's reader of it (`_reader`), and its struct format.
_NUMBERS = {
    "UInt8": ("read_u8", ">B"),
    "Int8": ("read_i8", ">b"),
    "UInt16": ("read_u16", ">H"),
    "Int16": ("read_i16", ">h"),
    "UInt32": ("read_u32", ">I"),
    "Int32": ("read_i32", ">i"),
    "UInt64": ("read_u64", ">Q"),
    "Int64": ("read_i64", ">q"),
    "Float32": ("read_float", ">f"),
    "Float64": ("read_double", ">d"),
    "Boolean": ("read_u8", ">B"),
}

# The generated reader, by converter name, of every converter whose reader was replaced.
REPLACED = {}

# The members of each flat enum by tag, by converter name.
TABLES = {}

# The readers `install` put in place, by converter name.
OURS = {}

# The generated code's message for a tag no variant has.
_NO_CASE = "Raw enum value doesn't match any cases"

# What the generated reader of each record, enum with data and custom type reads, by name.
SHAPES = {}

PREFIX = "_UniffiFfiConverter"


def _past_end(error):
    return error("read past end of rust buffer")


def _string(error):
    def read(buf):
        offset = buf.offset
        start = offset + 4
        if start > buf.len:
            raise _past_end(error)
        size = _I32(buf.data, offset)[0]
        end = start + size
        if size < 0 or end > buf.len:
            # Where the generated reader leaves a stream it refuses: past the length.
            buf.offset = start
            if size < 0:
                raise error("Unexpected negative string length")
            raise _past_end(error)
        buf.offset = end
        return buf.data[start:end].decode("utf-8")

    return read


def _optional(inner, error):
    def read(buf):
        flag = buf.read_u8()
        if flag == 0:
            return None
        if flag == 1:
            return inner.read(buf)
        raise error("Unexpected flag byte for optional type")

    return read


def _sequence(inner, error):
    def read(buf):
        offset = buf.offset
        if offset + 4 > buf.len:
            raise _past_end(error)
        count = _I32(buf.data, offset)[0]
        buf.offset = offset + 4
        if count < 0:
            raise error("Unexpected negative sequence length")
        read_item = inner.read
        return [read_item(buf) for _ in range(count)]

    return read


def _flat_enum(members, error):
    get = members.get

    def read(buf):
        offset = buf.offset
        if offset + 4 > buf.len:
            raise _past_end(error)
        buf.offset = offset + 4
        member = get(_I32(buf.data, offset)[0])
        if member is None:
            raise error(_NO_CASE)
        return member

    return read


# How `_fuse` reads a field in place: the struct format of each plain value.
_INLINE_NUMBERS = {name: fmt for name, (_, fmt) in _NUMBERS.items()}

# The locals of a fused reader.
_LOCAL = re.compile(r"d|n|o|buf|size|tag|flag|variant|x[0-9]+")

# How deep `_fuse` writes the readers of records within records in place.
_DEPTH = 4


class _Record:
    """A generated reader `return MADE(ConverterA.read(buf), name=ConverterB.read(buf), …)`."""

    def __init__(self, made, args, keywords):
        self.made, self.args, self.keywords = made, args, keywords


class _Enum:
    """A generated reader `variant = buf.read_i32()`, then `if variant == TAG: return MADE(…)`
    for each variant (each a `_Record`), then a `raise`."""

    def __init__(self, variants):
        self.variants = variants


class _Flat:
    """A generated reader of an enum without data: `variant = buf.read_i32()`, then
    `if variant == TAG: return Enum.MEMBER` for each member, then a `raise`."""

    def __init__(self, members):
        self.members = members


class _Custom:
    """A generated reader of a custom type: `builtin_value = Converter.read(buf)`, then
    `return EXPRESSION` of `builtin_value`."""

    def __init__(self, builtin, expression):
        self.builtin, self.expression = builtin, expression


class _Fused:
    """The source of one fused reader, built line by line. Its locals: `d` the buffer's bytes
    (all of them: `_reader` copies the whole buffer), `n` their length, `o` the offset read
    to; `buf.offset` is brought up to date before any call and before returning. The names it
    refers to start with `_f_`, so they never hide a name of the generated module (the source
    runs among the module's names, as the generated readers do)."""

    def __init__(self, module, tables, shapes):
        self.module = module
        self.tables = tables
        self.shapes = shapes
        self.names = {}
        self.count = 0

    def refer(self, value, hint):
        # One name a value, whichever reader refers to it.
        for name, known in self.names.items():
            if known is value:
                return name
        name = f"_f_{hint}{len(self.names)}"
        self.names[name] = value
        return name

    def local(self):
        self.count += 1
        return f"x{self.count}"

    def field(self, converter, lines, indent, within, x=None):
        """Lines that read one value with `converter` (its name after the prefix) into the
        local `x` (a new one if None); the local's name. `within`: the converters being written
        in place around it. A number, flag or tag past the end raises `IndexError` or
        `struct.error`, which the reader turns into the generated reader's error."""
        x = x or self.local()
        shape = self.shapes.get(converter)
        if converter in _INLINE_NUMBERS:
            self.numbers([converter], [x], lines, indent)
        elif converter == "String":
            lines.append(f"{indent}size = _f_I32(d, o)[0]; o += 4")
            lines.append(f"{indent}if size < 0: raise _f_NEGATIVE_STRING()")
            lines.append(f"{indent}if o + size > n: raise _f_PAST_END()")
            lines.append(f"{indent}{x} = d[o:o + size].decode('utf-8'); o += size")
        elif converter.startswith("Optional") and hasattr(
            self.module, PREFIX + converter[len("Optional"):]
        ):
            lines.append(f"{indent}flag = d[o]; o += 1")
            lines.append(f"{indent}if flag == 0:")
            lines.append(f"{indent}    {x} = None")
            lines.append(f"{indent}elif flag == 1:")
            self.field(converter[len("Optional"):], lines, indent + "    ", within, x)
            lines.append(f"{indent}else:")
            lines.append(f"{indent}    raise _f_BAD_FLAG()")
        elif converter in self.tables:
            members = self.refer(self.tables[converter].get, "members")
            lines.append(f"{indent}{x} = {members}(_f_I32(d, o)[0]); o += 4")
            lines.append(f"{indent}if {x} is None:")
            lines.append(f"{indent}    raise _f_NO_CASE()")
        elif shape is not None and converter not in within and len(within) < _DEPTH:
            within = within + (converter,)
            if isinstance(shape, _Record):
                self.record(shape, x, lines, indent, within)
            elif isinstance(shape, _Enum):
                lines.append(f"{indent}variant = _f_I32(d, o)[0]; o += 4")
                for i, (tag, record) in enumerate(shape.variants):
                    lines.append(f"{indent}{'if' if i == 0 else 'elif'} variant == {tag}:")
                    self.record(record, x, lines, indent + "    ", within)
                lines.append(f"{indent}else:")
                lines.append(f"{indent}    raise _f_NO_CASE()")
            else:
                builtin = self.field(shape.builtin, lines, indent, within)
                expression = _renamed(shape.expression, "builtin_value", builtin)
                lines.append(f"{indent}{x} = {ast.unparse(expression)}")
        else:
            other = self.refer(getattr(self.module, PREFIX + converter), "converter")
            lines.append(f"{indent}buf.offset = o")
            lines.append(f"{indent}{x} = {other}.read(buf)")
            lines.append(f"{indent}o = buf.offset")
        return x

    def numbers(self, converters, xs, lines, indent):
        """Lines that read plain values lying one after another with one `struct` unpack."""
        if converters == ["Boolean"]:
            lines.append(f"{indent}{xs[0]} = d[o] != 0; o += 1")
            return
        # `?` reads any byte but 0 as true, as the generated reader does.
        fmt = ">" + "".join(
            "?" if c == "Boolean" else _INLINE_NUMBERS[c][1:] for c in converters
        )
        unpack = self.refer(struct.Struct(fmt).unpack_from, "unpack")
        targets = "".join(f"{x}, " for x in xs)
        lines.append(f"{indent}{targets}= {unpack}(d, o); o += {struct.calcsize(fmt)}")

    def record(self, record, x, lines, indent, within):
        fields = list(record.args) + [c for _, c in record.keywords]
        values = [self.local() for _ in fields]
        run = []  # plain values not yet read, one after another
        for converter, value in zip(fields, values):
            if converter in _INLINE_NUMBERS:
                run.append((converter, value))
                continue
            if run:
                self.numbers(*map(list, zip(*run)), lines, indent)
                run = []
            self.field(converter, lines, indent, within, value)
        if run:
            self.numbers(*map(list, zip(*run)), lines, indent)
        args = values[: len(record.args)]
        keywords = [f"{k}={v}" for (k, _), v in zip(record.keywords, values[len(record.args):])]
        made = self.refer(record.made, "made")
        lines.append(f"{indent}{x} = {made}({', '.join(args + keywords)})")


def _renamed(expression, old, new):
    """`expression` with the name `old` read as `new`."""

    class Rename(ast.NodeTransformer):
        def visit_Name(self, node):
            if node.id == old:
                return ast.copy_location(ast.Name(id=new, ctx=node.ctx), node)
            return node

    return Rename().visit(ast.parse(ast.unparse(expression), mode="eval")).body


def _field_converter(node):
    """`X` of a generated `_UniffiFfiConverterX.read(buf)`, else None."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "read"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id.startswith(PREFIX)
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == "buf"
        and not node.keywords
    ):
        return node.func.value.id[len(PREFIX):]
    return None


def _evaluate(module, node):
    """What a generated constructor (`WorkItem`, `WorkTask.ORDER`) names in `module`."""
    if isinstance(node, ast.Name):
        return getattr(module, node.id)
    if isinstance(node, ast.Attribute):
        return getattr(_evaluate(module, node.value), node.attr)
    raise ValueError("not a name")


def _record(module, call):
    """The `_Record` of a generated constructor call, or None if an argument is not one
    converter's `read(buf)`."""
    if not isinstance(call, ast.Call):
        return None
    args = [_field_converter(a) for a in call.args]
    keywords = [(k.arg, _field_converter(k.value)) for k in call.keywords]
    if None in args or any(k is None or c is None for k, c in keywords):
        return None
    try:
        made = _evaluate(module, call.func)
    except (ValueError, AttributeError):
        return None
    return _Record(made, args, keywords)


def _is_read_i32(node):
    """`buf.read_i32()`"""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "read_i32"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "buf"
        and not node.args
        and not node.keywords
    )


def _assigns(statement, name):
    """The value of `name = VALUE`, or None."""
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and statement.targets[0].id == name
    ):
        return statement.value
    return None


def _raises_no_case(statement):
    """`raise InternalError("Raw enum value doesn't match any cases")`"""
    return (
        isinstance(statement, ast.Raise)
        and isinstance(statement.exc, ast.Call)
        and isinstance(statement.exc.func, ast.Name)
        and statement.exc.func.id == "InternalError"
        and len(statement.exc.args) == 1
        and isinstance(statement.exc.args[0], ast.Constant)
        and statement.exc.args[0].value == _NO_CASE
    )


def _tag(statement):
    """(TAG, what it returns) of `if variant == TAG: return …`, or None."""
    if not (
        isinstance(statement, ast.If)
        and not statement.orelse
        and len(statement.body) == 1
        and isinstance(statement.body[0], ast.Return)
        and isinstance(statement.test, ast.Compare)
        and isinstance(statement.test.left, ast.Name)
        and statement.test.left.id == "variant"
        and len(statement.test.ops) == 1
        and isinstance(statement.test.ops[0], ast.Eq)
        and isinstance(statement.test.comparators[0], ast.Constant)
        and type(statement.test.comparators[0].value) is int
    ):
        return None
    return statement.test.comparators[0].value, statement.body[0].value


def _member(module, statement):
    """(tag, member) of `if variant == TAG: return Enum.MEMBER` (a member of a Python enum),
    or None."""
    tagged = _tag(statement)
    if tagged is None or not isinstance(tagged[1], ast.Attribute):
        return None
    try:
        member = _evaluate(module, tagged[1])
    except (ValueError, AttributeError):
        return None
    return (tagged[0], member) if isinstance(member, enum.Enum) else None


def _variant(module, statement):
    """(tag, `_Record`) of `if variant == TAG: return CALL`, or None."""
    tagged = _tag(statement)
    if tagged is None:
        return None
    record = _record(module, tagged[1])
    return None if record is None else (tagged[0], record)


def _shape(module, converter):
    """What the generated reader of `converter` reads (`_Record`, `_Enum`, `_Custom`), or None
    for a reader of any other shape."""
    try:
        source = textwrap.dedent(inspect.getsource(converter.read))
    except (OSError, TypeError):
        return None
    tree = ast.parse(source).body[0]
    if not isinstance(tree, ast.FunctionDef) or [a.arg for a in tree.args.args] != ["buf"]:
        return None
    body = tree.body
    if len(body) == 1 and isinstance(body[0], ast.Return):
        return _record(module, body[0].value)
    if len(body) >= 3 and _is_read_i32(_assigns(body[0], "variant")):
        if not _raises_no_case(body[-1]):
            return None
        members = [_member(module, s) for s in body[1:-1]]
        if None not in members:
            return _Flat(dict(members))
        variants = [_variant(module, s) for s in body[1:-1]]
        return None if None in variants else _Enum(variants)
    if len(body) == 2 and isinstance(body[1], ast.Return) and body[1].value is not None:
        builtin = _field_converter(_assigns(body[0], "builtin_value"))
        names = {n.id for n in ast.walk(body[1].value) if isinstance(n, ast.Name)}
        # Read among the fused reader's own locals, the expression must not use their names.
        if builtin is not None and not any(_LOCAL.fullmatch(n) for n in names - {"builtin_value"}):
            return _Custom(builtin, body[1].value)
    return None


def _fuse(name, fused, names):
    """One function that reads what the generated reader of the converter `name` reads, made in
    the namespace `names` (the generated module's names and what `fused` refers to)."""
    lines = ["def read(buf):", "    d = buf.data; n = buf.len; o = buf.offset", "    try:"]
    x = fused.field(name, lines, "        ", ())
    lines += [
        "    except (IndexError, _f_struct_error):",
        "        raise _f_PAST_END() from None",
        "    buf.offset = o",
        f"    return {x}",
    ]
    names.update(fused.names)
    source = "\n".join(lines)
    exec(compile(source, f"<doorstep fused reader of {name}>", "exec"), names)
    read = names.pop("read")
    read.source = source
    return read


def _replace(module, name, read):
    converter = getattr(module, PREFIX + name)
    REPLACED[name] = inspect.getattr_static(converter, "read")
    OURS[name] = staticmethod(read)
    converter.read = OURS[name]


def install(module):
    """Give the converters of the generated `module` these readers (once: a second call, say
    after a reload of the package, finds them in place and does nothing)."""
    if getattr(module, "_doorstep_converters", False):
        return
    error = module.InternalError
    names = [n[len(PREFIX):] for n in dir(module) if n.startswith(PREFIX)]
    for name in names:
        if not hasattr(getattr(module, PREFIX + name), "read"):
            raise ImportError(f"the generated converter {PREFIX}{name} has no reader")
    if "String" not in names:
        raise ImportError(f"the generated module has no {PREFIX}String")

    # What the generated readers read, all found before any reader is replaced.
    shapes, tables = {}, {}
    for name in names:
        if name.startswith("Type"):
            shape = _shape(module, getattr(module, PREFIX + name))
            if isinstance(shape, _Flat):
                tables[name] = TABLES[name] = shape.members
            elif shape is not None:
                shapes[name] = SHAPES[name] = shape

    # A plain value is the stream's own reader of it (`_reader`); a boolean, its byte not 0.
    stream = module._UniffiRustBufferStream
    for name, (method, _) in _NUMBERS.items():
        if name in names:
            read_number = getattr(stream, method)
            if name == "Boolean":
                _replace(module, name, lambda buf, read_u8=read_number: read_u8(buf) != 0)
            else:
                _replace(module, name, read_number)
    read_string = _string(error)
    _replace(module, "String", read_string)
    for name, members in tables.items():
        _replace(module, name, _flat_enum(members, error))

    # Records, enums with data and custom types.
    fused = _Fused(module, tables, shapes)
    namespace = dict(vars(module))
    namespace.update(
        _f_I32=_I32,
        _f_struct_error=struct.error,
        _f_PAST_END=lambda: error("read past end of rust buffer"),
        _f_BAD_FLAG=lambda: error("Unexpected flag byte for optional type"),
        _f_NEGATIVE_STRING=lambda: error("Unexpected negative string length"),
        _f_NO_CASE=lambda: error(_NO_CASE),
    )
    readers = {name: _fuse(name, fused, namespace) for name in shapes}
    for name, read in readers.items():
        _replace(module, name, read)

    # Innermost first: `SequenceSequenceX` reads through `SequenceX`, already replaced.
    for name in sorted(names, key=len):
        for kind, make in (("Optional", _optional), ("Sequence", _sequence)):
            if not name.startswith(kind):
                continue
            inner = getattr(module, PREFIX + name[len(kind):], None)
            if inner is None:
                raise ImportError(f"no converter of the items of {PREFIX}{name}")
            _replace(module, name, make(inner, error))
    module._doorstep_converters = True


@contextlib.contextmanager
def generated_readers(module):
    """Within: every converter of `module` reads with its generated reader again (for the
    tests, which compare the two). Not for use from several threads at once."""
    for name, read in REPLACED.items():
        setattr(getattr(module, PREFIX + name), "read", read)
    try:
        yield
    finally:
        for name, read in OURS.items():
            setattr(getattr(module, PREFIX + name), "read", read)
