"""(A copy of tests/deploy_parse.py, for the hidden phase.) How the tests read
your Dockerfile and gunicorn.conf.py: as text, without building the image or
running the file.

The Dockerfile is read the way Docker reads it: comment lines and blank lines
are skipped, a line ending in a backslash continues on the next one, and each
instruction is its keyword and the rest of its (joined) line.

gunicorn.conf.py is parsed as Python, never run. The value of a setting such as
`workers` is worked out from its assignment at the top level of the file,
following simple expressions: numbers and strings, f-strings, arithmetic,
`int()`, other top-level names, `os.environ.get(name, default)`,
`os.environ[name]`, `os.getenv(name, default)` and `multiprocessing.cpu_count()`
or `os.cpu_count()` (taken as 2). The environment is whatever the test chooses,
so a test can ask "what does workers come to with WEB_CONCURRENCY unset?".
"""

import ast
import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

CPU_COUNT = 2  # what cpu_count() is taken to return


# --- Dockerfile ---------------------------------------------------------------------


@dataclass
class Instruction:
    line: int  # where it starts in the Dockerfile
    keyword: str  # upper case: FROM, RUN, COPY...
    args: str  # the rest, continuation lines joined with a space

    def __str__(self) -> str:
        text = f"{self.keyword} {self.args}"
        return text if len(text) <= 70 else text[:67] + "..."


@dataclass
class Stage:
    image: str  # what FROM names
    name: str  # the AS name, lower case, or ""
    instructions: list[Instruction] = field(default_factory=list)

    def last(self, keyword: str) -> Instruction | None:
        found = [i for i in self.instructions if i.keyword == keyword]
        return found[-1] if found else None

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


HEREDOC = re.compile(r"<<(-?)[\"']?([A-Za-z_]\w*)[\"']?")


def dockerfile_instructions(text: str) -> list[Instruction]:
    lines = text.splitlines()
    escape = "\\"
    # A parser directive (# escape=`) may only come first.
    for raw in lines:
        directive = re.fullmatch(r"#\s*(\w+)\s*=\s*(\S+)\s*", raw.strip())
        if not directive:
            break
        if directive[1].lower() == "escape" and directive[2] in ("`", "\\"):
            escape = directive[2]
    instructions: list[Instruction] = []
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        start = index + 1
        index += 1
        if not stripped or stripped.startswith("#"):
            continue
        parts = []
        current = stripped
        while current.endswith(escape):
            parts.append(current[: -len(escape)].strip())
            current = ""
            while index < len(lines):
                following = lines[index].strip()
                index += 1
                if following.startswith("#"):
                    continue  # comment lines inside a continuation are dropped
                if following:
                    current = following
                    break
            if not current:
                break
        parts.append(current.strip())
        logical = " ".join(part for part in parts if part)
        keyword, _, args = logical.partition(" ")
        args = args.strip()
        heredoc = HEREDOC.search(args) if keyword.upper() in ("RUN", "COPY") else None
        if heredoc:  # RUN <<EOF ... EOF: the body belongs to the instruction
            body = []
            while index < len(lines):
                following = lines[index]
                index += 1
                check = following.strip() if heredoc[1] else following
                if check == heredoc[2]:
                    break
                body.append(following.strip())
            args = " ".join([args, *body])
        instructions.append(Instruction(start, keyword.upper(), args))
    return instructions


def stages(text: str) -> list[Stage]:
    found: list[Stage] = []
    for instruction in dockerfile_instructions(text):
        if instruction.keyword == "FROM":
            _, words = flags_and_words(instruction.args)
            image = words[0] if words else ""
            name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else ""
            found.append(Stage(image, name))
        elif found:
            found[-1].instructions.append(instruction)
    return found


def flags_and_words(args: str) -> tuple[dict[str, str], list[str]]:
    """`--chown=app:app src dest` gives ({"chown": "app:app"}, ["src", "dest"])."""
    try:
        words = shlex.split(args, comments=False, posix=True)
    except ValueError:
        words = args.split()
    flags: dict[str, str] = {}
    while words and words[0].startswith("--"):
        name, _, value = words.pop(0)[2:].partition("=")
        flags[name.lower()] = value
    return flags, words


@dataclass
class Command:
    """What a CMD, ENTRYPOINT or HEALTHCHECK CMD runs."""

    words: list[str]
    exec_form: bool  # a JSON array: run directly, not through /bin/sh -c
    bad_json: bool = False  # looks like an array, but is not valid JSON

    @property
    def text(self) -> str:
        return " ".join(self.words)


def command_of(args: str) -> Command:
    args = args.strip()
    if args.startswith("["):
        try:
            words = json.loads(args)
        except ValueError:
            words = None
        if isinstance(words, list) and all(isinstance(word, str) for word in words):
            return Command(words, exec_form=True)
        return Command(split_shell(args), exec_form=False, bad_json=True)
    return Command(split_shell(args), exec_form=False)


def split_shell(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def env_pairs(instruction: Instruction) -> list[tuple[str, str]]:
    """The (name, value) pairs an ENV or ARG instruction sets (value "" when none)."""
    words = split_shell(instruction.args)
    if not words:
        return []
    if instruction.keyword == "ENV" and "=" not in words[0]:
        # The old form: ENV NAME the rest of the line is the value
        name, _, value = instruction.args.strip().partition(" ")
        return [(name, " ".join(split_shell(value)))]
    pairs = []
    for word in words:
        name, _, value = word.partition("=")
        pairs.append((name, value))
    return pairs


# --- gunicorn.conf.py ----------------------------------------------------------------


class Unknown(Exception):
    """A value the tests cannot work out without running the file."""


class MissingVariable(Unknown):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"os.environ[{name!r}] raises KeyError when {name} is not set: "
            "give it a default with os.environ.get(name, default)"
        )
        self.name = name


@dataclass(frozen=True)
class Ref:
    """A module or function the file imported: "os.environ.get"."""

    path: str


SAFE_FUNCTIONS = {"int": int, "str": str, "float": float, "max": max, "min": min}
ENV_GETTERS = {"os.environ.get", "os.getenv"}
CPU_COUNTS = {"multiprocessing.cpu_count", "os.cpu_count"}
OPERATORS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Div: lambda a, b: a / b,
    ast.Mod: lambda a, b: a % b,
}
COMPARISONS = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}


class GunicornConf:
    def __init__(self, text: str) -> None:
        self.error = ""
        self.assignments: dict[str, ast.expr] = {}
        self.imports: dict[str, str] = {}
        try:
            tree = ast.parse(text, "gunicorn.conf.py")
        except SyntaxError as error:
            self.error = f"gunicorn.conf.py is not valid Python (line {error.lineno}: {error.msg})"
            return
        for statement in tree.body:
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    if alias.asname:
                        self.imports[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.imports[top] = top
            elif isinstance(statement, ast.ImportFrom) and statement.module:
                for alias in statement.names:
                    self.imports[alias.asname or alias.name] = f"{statement.module}.{alias.name}"
            elif isinstance(statement, ast.Assign):
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        self.assignments[target.id] = statement.value
            elif (
                isinstance(statement, ast.AnnAssign)
                and statement.value is not None
                and isinstance(statement.target, ast.Name)
            ):
                self.assignments[statement.target.id] = statement.value

    def sets(self, name: str) -> bool:
        return name in self.assignments

    def value(self, name: str, environ: dict[str, str]) -> tuple[Any, set[str]]:
        """The value of the top-level setting `name` with this environment, and the
        names of the environment variables it read. Raises Unknown."""
        if self.error:
            raise Unknown(self.error)
        if name not in self.assignments:
            raise Unknown(f"gunicorn.conf.py does not set {name}")
        read: set[str] = set()
        return self.evaluate(self.assignments[name], environ, read, (name,)), read

    def evaluate(self, node: ast.expr, environ: dict, read: set, chain: tuple) -> Any:
        def again(inner: ast.expr) -> Any:
            return self.evaluate(inner, environ, read, chain)

        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in self.assignments and node.id not in chain:
                return self.evaluate(self.assignments[node.id], environ, read, (*chain, node.id))
            if node.id in self.imports:
                return Ref(self.imports[node.id])
            if node.id in SAFE_FUNCTIONS:
                return Ref(f"builtins.{node.id}")
            raise Unknown(f"`{node.id}` is neither imported nor set at the top of gunicorn.conf.py")
        if isinstance(node, ast.Attribute):
            base = again(node.value)
            if isinstance(base, Ref):
                return Ref(f"{base.path}.{node.attr}")
        if isinstance(node, ast.Subscript):
            base = again(node.value)
            key = again(node.slice)
            if base == Ref("os.environ") and isinstance(key, str):
                read.add(key)
                if key not in environ:
                    raise MissingVariable(key)
                return environ[key]
        if isinstance(node, ast.Call) and all(k.arg == "default" for k in node.keywords):
            function = again(node.func)
            arguments = [again(argument) for argument in node.args]
            arguments += [again(keyword.value) for keyword in node.keywords]
            if isinstance(function, Ref):
                if function.path in ENV_GETTERS and 1 <= len(arguments) <= 2:
                    key = arguments[0]
                    if isinstance(key, str):
                        read.add(key)
                        default = arguments[1] if len(arguments) == 2 else None
                        return environ.get(key, default)
                if function.path in CPU_COUNTS and not arguments:
                    return CPU_COUNT
                if function.path.startswith("builtins."):
                    try:
                        return SAFE_FUNCTIONS[function.path.removeprefix("builtins.")](*arguments)
                    except (TypeError, ValueError) as error:
                        raise Unknown(f"`{ast.unparse(node)}` fails: {error}") from None
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            try:
                return OPERATORS[type(node.op)](again(node.left), again(node.right))
            except (TypeError, ValueError, ZeroDivisionError) as error:
                raise Unknown(f"`{ast.unparse(node)}` fails: {error}") from None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -again(node.operand)
        if isinstance(node, ast.BoolOp):
            result = again(node.values[0])
            stop_when = isinstance(node.op, ast.Or)  # `or` stops at a true value
            for value in node.values[1:]:
                if bool(result) is stop_when:
                    break
                result = again(value)
            return result
        if isinstance(node, ast.IfExp):
            return again(node.body) if again(node.test) else again(node.orelse)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            compare = COMPARISONS.get(type(node.ops[0]))
            if compare:
                return compare(again(node.left), again(node.comparators[0]))
        if isinstance(node, ast.JoinedStr):
            pieces = []
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    inner = again(value.value)
                    if value.conversion == ord("r"):
                        inner = repr(inner)
                    elif value.conversion == ord("s"):
                        inner = str(inner)
                    spec = again(value.format_spec) if value.format_spec else ""
                    pieces.append(format(inner, spec))
                else:
                    pieces.append(again(value))
            return "".join(pieces)
        if isinstance(node, ast.List | ast.Tuple):
            return [again(element) for element in node.elts]
        raise Unknown(
            f"the tests cannot work out `{ast.unparse(node)}` without running the file: "
            "keep the setting a plain expression, such as "
            'int(os.environ.get("NAME", "2"))'
        )


# --- running the rules ---------------------------------------------------------------


def shorten(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."


def run_rules(rules: dict, dockerfile: str, conf: str) -> dict[str, str | None]:
    """{rule name: what is wrong, or None}: each rule is called with the stages of
    the Dockerfile and the parsed gunicorn.conf.py."""
    parsed_stages = stages(dockerfile)
    parsed_conf = GunicornConf(conf)
    results: dict[str, str | None] = {}
    for name, rule in rules.items():
        if not parsed_stages:
            results[name] = "the Dockerfile has no FROM instruction: it does not build an image"
            continue
        try:
            problem = rule(parsed_stages, parsed_conf)
        except Unknown as error:
            problem = str(error)
        results[name] = shorten(problem) if problem else None
    return results


# Gunicorn options that take no value.
SWITCHES = {
    "preload",
    "reload",
    "daemon",
    "check-config",
    "print-config",
    "capture-output",
    "enable-stdio-inheritance",
    "reuse-port",
    "no-sendfile",
    "spew",
    "help",
    "version",
    "strip-header-spaces",
    "proxy-protocol",
    "suppress-ragged-eofs",
    "do-handshake-on-connect",
}


def gunicorn_options(words: list[str]) -> dict[str, list[str]]:
    """Gunicorn's command-line options among `words`: {"bind": [...], "workers": [...]}."""
    short = {"-b": "bind", "-w": "workers", "-t": "timeout", "-c": "config", "-k": "worker-class"}
    found: dict[str, list[str]] = {}
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        name = value = None
        if word.startswith("--"):
            name, equals, value = word[2:].partition("=")
            if not equals and name in SWITCHES:
                continue
            if not equals:
                value = words[index] if index < len(words) else ""
                index += 1
        elif word[:2] in short:
            name = short[word[:2]]
            value = word[2:].lstrip("=") or (words[index] if index < len(words) else "")
            if not word[2:]:
                index += 1
        if name:
            found.setdefault(short.get(name, name), []).append(value or "")
    return found


# --- what the container runs ---------------------------------------------------------

SHELLS = {"sh", "/bin/sh", "bash", "/bin/bash"}


def server_command(final: Stage) -> Command | None:
    """What the container starts: ENTRYPOINT and CMD of the last stage, combined
    as Docker combines them, or None when neither is there."""
    entrypoint, cmd = final.last("ENTRYPOINT"), final.last("CMD")
    if entrypoint is None and cmd is None:
        return None
    first = command_of((entrypoint or cmd).args)  # type: ignore[union-attr]
    words = list(first.words)
    if entrypoint is not None and cmd is not None and first.exec_form:
        words += command_of(cmd.args).words
    return Command(words, first.exec_form, first.bad_json)


def program_words(command: Command) -> list[str]:
    """The words of the program itself: without `exec`, `sh -c` or `python -m`."""
    words = list(command.words)
    if len(words) >= 3 and words[0] in SHELLS and words[1] == "-c":
        words = split_shell(words[2])
    if words and words[0] == "exec":
        words = words[1:]
    if len(words) >= 3 and re.fullmatch(r"(.*/)?python3?(\.\d+)?", words[0]) and words[1] == "-m":
        words = words[2:]
    return words


def is_gunicorn(words: list[str]) -> bool:
    return bool(words) and words[0].rsplit("/", 1)[-1] == "gunicorn"


def setting(name: str, final: Stage, conf: GunicornConf, environ: dict) -> tuple[Any, str]:
    """The value gunicorn would use for `name` ("bind", "workers"...), and where it
    comes from: the command line wins over gunicorn.conf.py. ("", "") when neither
    sets it."""
    if conf.error:
        raise Unknown(conf.error)
    command = server_command(final)
    words = program_words(command) if command else []
    options = gunicorn_options(words[1:]) if is_gunicorn(words) else {}
    if name in options:
        values = options[name]
        return (values if name == "bind" else values[-1]), "the command line"
    setting_name = name.replace("-", "_")
    if conf.sets(setting_name):
        value, _ = conf.value(setting_name, environ)
        return value, "gunicorn.conf.py"
    return "", ""
