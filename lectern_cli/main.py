"""The `lectern` command. Exit status: 0 every test passed, 1 some did not (or
the code could not be graded), 2 a usage or connection problem, with one line
on stderr that says what to do."""

import argparse
import json
import sys
import time
from pathlib import Path, PurePosixPath
from typing import Any

from lectern_cli import __version__
from lectern_cli.client import ApiError, Client, CliError
from lectern_cli.config import Config, config_load, config_path, config_save
from lectern_cli.render import Progress

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lectern", description="Work on Lectern exercises from your terminal or CI."
    )
    parser.add_argument("--version", action="version", version=f"lectern {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    login = commands.add_parser("login", help="check a token and remember it")
    login.add_argument("--url", required=True, help="the site, e.g. https://lectern.example")
    login.add_argument("--token", required=True, help="a token from <site>/accounts/tokens/")

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
            "--timeout", type=float, default=600.0, help="seconds to wait for the result"
        )
    return parser


def _client(config: Config | None) -> Client:
    if config is None:
        raise CliError(
            "not logged in: run `lectern login --url URL --token TOKEN` (make a token on the "
            "site's API tokens page), or set LECTERN_URL and LECTERN_TOKEN."
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
    client = Client(args.url, args.token)
    try:
        me = client.me()
    except ApiError as error:
        raise _explain(error, client) from None
    path = config_save(Config(url=client.url, token=args.token))
    print(f"Logged in to {client.url} as {me['username']} (token “{me['token']['name']}”).")
    print(f"Saved in {path}.")
    return EXIT_PASSED


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
    result: dict[str, Any] | None = None
    deadline = time.monotonic() + args.timeout
    for message in client.follow(accepted, deadline=deadline):
        if message.get("type") == "completed":
            result = message["data"]["result"]
            break
        if not quiet:
            progress.handle(message)
    if result is None:
        raise CliError("the submission ended without a result; try again.")
    if quiet:
        document = client.get(accepted["urls"]["self"])
        document.pop("events", None)
        print(json.dumps(document, indent=2))
    else:
        progress.finish(result)
    return EXIT_PASSED if result.get("status") == "pass" else EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
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
