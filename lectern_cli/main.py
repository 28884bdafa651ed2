"""The `lectern` command. Exit status: 0 every test passed, 1 some did not (or
the code could not be graded), 2 a usage or connection problem (or an answer
that is not Lectern's), with one line on stderr that says what to do; 141 when
stdout was a pipe that its reader closed."""

import argparse
import getpass
import json
import math
import os
import signal
import socket
import sys
import time
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn

from lectern_cli import __version__
from lectern_cli.client import ApiError, Client, CliError
from lectern_cli.config import Config, config_load, config_path, config_save, site_url
from lectern_cli.render import Progress

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# What a tool that the closed pipe's SIGPIPE killed exits with (128 + 13), as
# `yes | head -1` does; not 1, which would say "some test failed".
EXIT_PIPE_CLOSED = 128 + signal.SIGPIPE
TOKEN_NAME_MAX = 100


class _Parser(argparse.ArgumentParser):
    """argparse's, with a usage error on one line (exit status 2, as argparse's)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _seconds(text: str) -> float:
    """--timeout: refused before anything is sent, not after a submission was made."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds, e.g. 600")
    return value


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of days, e.g. 90")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lectern", description="Work on Lectern exercises from your terminal or CI."
    )
    parser.add_argument("--version", action="version", version=f"lectern {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    login = commands.add_parser(
        "login", help="remember a token: one you have, or a new one made with your password"
    )
    login.add_argument(
        "--url", required=True, type=site_url, help="the site, e.g. https://lectern.example"
    )
    how = login.add_mutually_exclusive_group()
    how.add_argument("--token", help="a token from <site>/accounts/tokens/")
    how.add_argument(
        "--username",
        help="sign in as this user to make a new token; the password is asked for on a "
        "terminal, else read from the first line of stdin",
    )
    login.add_argument(
        "--name", help="the new token's name (default: this machine's name)", default=None
    )
    login.add_argument(
        "--expires",
        type=_days,
        metavar="DAYS",
        help="the new token expires after DAYS days (default: the server's, 90)",
    )

    listing = commands.add_parser("exercises", help="list the exercises")
    listing.add_argument("--json", action="store_true", help="print JSON")

    download = commands.add_parser("download", help="fetch starter files and visible tests")
    download.add_argument("slug", metavar="SLUG")
    download.add_argument("dir", metavar="DIR", nargs="?", help="where to (default: ./SLUG)")
    download.add_argument("--force", action="store_true", help="overwrite existing files")

    for name, help_text in (
        ("test", "run the visible tests on your files (not counted)"),
        ("submit", "submit your files for grading (counted)"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("slug", metavar="SLUG")
        command.add_argument(
            "files", metavar="FILES", nargs="*", help="default: the exercise's files in this folder"
        )
        command.add_argument("--json", action="store_true", help="print only the final result")
        command.add_argument(
            "--timeout", type=_seconds, default=600.0, help="seconds to wait for the result"
        )
    return parser


def _client(config: Config | None) -> Client:
    if config is None:
        raise CliError(
            "not logged in: run `lectern login --url URL` (asks for your username and "
            "password), or `lectern login --url URL --token TOKEN` with a token from the site's "
            "API tokens page, or set LECTERN_URL and LECTERN_TOKEN."
        )
    return Client(config.url, config.token)


# Why a token was refused, by the API's error code; the server's own message
# points at the web page, these say what to do on the command line.
_TOKEN_PROBLEMS = {
    "authentication_required": "no token was sent",
    "invalid_token": "it does not know this token",
    "token_expired": "the token has expired",
    "token_revoked": "the token was revoked",
    "account_disabled": "the account is disabled",
}


def _explain(error: ApiError, client: Client | None) -> CliError:
    site = client.url if client else "the site"
    if error.status == 401:
        reason = _TOKEN_PROBLEMS.get(error.code, error.message.rstrip("."))
        return CliError(
            f"the server refused the token: {reason}. Make a new one at {site}/accounts/tokens/, "
            f"then run `lectern login --url {site} --token <new token>`."
        )
    if error.code == "http_error":
        # No JSON error document: whatever answered is not Lectern's API.
        return CliError(
            f"{site} answered HTTP {error.status} and does not look like a Lectern site; "
            "check the URL (the site's address, without /api/v1)."
        )
    if error.code == "unknown_exercise":
        return CliError(f"{error.message} See the list with `lectern exercises`.")
    return CliError(f"the server refused: {error.message}")


def _login(args: argparse.Namespace) -> int:
    if args.token:
        if args.name or args.expires:
            raise CliError("--name and --expires are for a new token; --token saves one you have.")
        client = Client(args.url, args.token)
        try:
            me = client.me()
        except ApiError as error:
            raise _explain(error, client) from None
        username, name, token = me["username"], me["token"]["name"], args.token
    else:
        created = _token_from_password(args)
        username, name, token = created["username"], created["name"], created["token"]
    # Only the token is kept: the password has done its job.
    path = config_save(Config(url=args.url, token=token))
    print(f"Logged in to {args.url} as {username} (token “{name}”).")
    print(f"Saved in {path}.")
    return EXIT_PASSED


def _token_from_password(args: argparse.Namespace) -> dict[str, Any]:
    """A new token made by the server from the user's name and password
    (POST /api/v1/tokens): asked for on a terminal; in a script, --username and
    the password on the first line of stdin, so it never shows in a process list."""
    terminal = sys.stdin.isatty()
    if not (terminal or args.username):
        raise CliError(
            "give --token TOKEN, or --username NAME with the password on stdin; or run "
            f"`lectern login --url {args.url}` in a terminal to be asked for them."
        )
    try:
        username = args.username or input("Username: ").strip()
        password = getpass.getpass("Password: ") if terminal else sys.stdin.readline()
    except EOFError:
        raise CliError("no username given.") from None
    password = password.rstrip("\r\n")
    if not (username and password):
        raise CliError("a username and a password are needed to make a token.")
    client = Client(args.url)
    name = args.name or socket.gethostname()[:TOKEN_NAME_MAX] or "lectern"
    try:
        return client.token_create(
            username=username, password=password, name=name, expires_days=args.expires
        )
    except ApiError as error:
        site = client.url
        if error.code == "invalid_credentials":
            raise CliError(
                "the server refused the username or password; check them (a forgotten "
                f"password is reset at {site}/accounts/password_reset/)."
            ) from None
        if error.status in (404, 405):
            raise CliError(
                f"{site} does not make tokens from a password; make one at "
                f"{site}/accounts/tokens/, then run `lectern login --url {site} --token <token>`."
            ) from None
        raise _explain(error, client) from None


def _exercises(client: Client, args: argparse.Namespace) -> int:
    exercises = client.exercises()
    if args.json:
        print(json.dumps(exercises, indent=2))
        return EXIT_PASSED
    width = max((len(exercise["slug"]) for exercise in exercises), default=10)
    for exercise in exercises:
        print(
            f"{exercise['slug']:<{width}}  {exercise['title']}  ({exercise['max_score']:g} points)"
        )
    return EXIT_PASSED


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise CliError(f"the server sent an unsafe file name {name!r}; not writing it.")
    return path


def _download(client: Client, args: argparse.Namespace) -> int:
    exercise = client.exercise(args.slug)
    target = Path(args.dir or args.slug)
    files = {**exercise["starter_files"], **exercise["visible_tests"]}
    written, kept = [], []
    for name, text in files.items():
        path = target / _safe_relative(name)
        if path.exists() and not args.force:
            kept.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(name)
    print(f"{exercise['title']}: wrote {', '.join(written) or 'nothing'} in {target}/.")
    if kept:
        print(f"Kept your {', '.join(kept)} (already there; --force overwrites).")
    print(f"Edit {', '.join(exercise['accepted_files'])}, then: lectern test {args.slug}")
    return EXIT_PASSED


def _files(exercise: dict[str, Any], given: list[str]) -> dict[str, str]:
    accepted: list[str] = exercise["accepted_files"]
    if not given:
        given = [name for name in accepted if Path(name).is_file()]
        if not given:
            raise CliError(
                f"none of {', '.join(accepted)} is in {Path.cwd()}: name the files, or go to "
                f"the exercise's folder (`lectern download {exercise['slug']}` makes one)."
            )
    files = {}
    for raw in given:
        path = Path(raw)
        try:
            relative = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            relative = path.name
        name = relative if relative in accepted else path.name
        if name not in accepted:
            raise CliError(
                f"{raw} is not a file of this exercise; it accepts: {', '.join(accepted)}."
            )
        try:
            files[name] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CliError(f"cannot read {raw}: {error}") from None
    return files


def _cancel_wanted(submission_id: str) -> bool:
    """Ctrl-C at a terminal asks whether to withdraw the submission; a script's
    Ctrl-C (no terminal to answer at) leaves it to be graded."""
    if not sys.stdin.isatty():
        return False
    try:
        answer = input(f"\nCancel submission {submission_id}? [y/N] ")
    except (EOFError, KeyboardInterrupt):
        return False
    return answer.strip().lower() in ("y", "yes")


def _grade(client: Client, args: argparse.Namespace, mode: str) -> int:
    exercise = client.exercise(args.slug)
    files = _files(exercise, args.files)
    progress = Progress()
    quiet = args.json

    def notice(text: str) -> None:
        print(text, file=sys.stderr)

    if not quiet:
        verb = "Testing" if mode == "run" else "Submitting"
        progress.line(f"{verb} {', '.join(files)} for {exercise['slug']}…")
    accepted = client.submit(args.slug, files, mode, notice=notice)
    where = accepted["urls"]["self"]
    result: dict[str, Any] | None = None
    deadline = time.monotonic() + args.timeout
    try:
        # At once, so that whatever happens next (a time-out, Ctrl-C) it can be
        # found again; inside the try, so that a Ctrl-C right after it says so too.
        notice(f"Submission {accepted['id']}: {where}")
        for message in client.follow(accepted, deadline=deadline):
            if message["type"] == "completed":
                result = message["data"]["result"]
                break
            if not quiet:
                progress.handle(message)
    except (CliError, KeyboardInterrupt) as stopped:
        if quiet:
            # A script gets the id and URLs on stdout, as JSON, to follow it later.
            print(json.dumps(accepted, indent=2))
        interrupted = isinstance(stopped, KeyboardInterrupt)
        if interrupted and not quiet and _cancel_wanted(accepted["id"]):
            client.request("POST", f"{where}/cancel")
            raise CliError(
                f"cancelled. Submission {accepted['id']} is withdrawn: it is not an attempt."
            ) from None
        reason = "interrupted." if interrupted else str(stopped)
        raise CliError(
            f"{reason} Submission {accepted['id']} goes on being graded; see it later at {where}"
        ) from None
    if result is None:
        raise CliError("the submission ended without a result; try again.")
    if quiet:
        document = client.submission(where)
        document.pop("events", None)
        print(json.dumps(document, indent=2))
    else:
        progress.finish(result)
    return EXIT_PASSED if result["status"] == "pass" else EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    try:
        try:
            return _run(argv)
        finally:
            # Here, not at the interpreter's exit, where a closed pipe could no longer
            # be handled and Python would print its own complaint.
            sys.stdout.flush()
    except BrokenPipeError:
        # The Python docs' recipe (library/signal.html, "Note on SIGPIPE"): whoever
        # read our output has gone; stdout goes to devnull so nothing tries again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE_CLOSED


def _run(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    client: Client | None = None
    try:
        if args.command == "login":
            return _login(args)
        client = _client(config_load())
        if args.command == "exercises":
            return _exercises(client, args)
        if args.command == "download":
            return _download(client, args)
        return _grade(client, args, "run" if args.command == "test" else "submit")
    except ApiError as error:
        print(f"lectern: {_explain(error, client)}", file=sys.stderr)
    except CliError as error:
        print(f"lectern: {error}", file=sys.stderr)
    except KeyboardInterrupt:
        print("lectern: interrupted.", file=sys.stderr)
    return EXIT_USAGE


__all__ = ["config_path", "main"]
