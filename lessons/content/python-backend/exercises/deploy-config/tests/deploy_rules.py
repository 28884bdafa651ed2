"""The rules the visible tests check, each a function of the Dockerfile's stages
and gunicorn.conf.py that says what is wrong, or None. They run on your files
as text (see deploy_parse.py): nothing is built or started."""

import contextlib
import json
import re

from deploy_parse import (
    GunicornConf,
    Stage,
    env_pairs,
    flags_and_words,
    gunicorn_options,
    is_gunicorn,
    program_words,
    server_command,
    setting,
)

WHOLE_CONTEXT = {".", "./", "*", "./*"}
PIP_INSTALL_REQUIREMENTS = re.compile(
    r"\bpip3?\s+install\b.*(?:-r|--requirement)(?:\s+|=)\S*requirements", re.S
)
SECRET_NAME = re.compile(r"SECRET|PASSW|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL", re.I)
CREDENTIALS_IN_URL = re.compile(r"\w+://[^/\s:@]+:[^/\s@]+@")
DEV_SERVERS = re.compile(r"\bflask\b|\brunserver\b|\bapp\.py\b|--reload|--debug")


def image_problem(image: str) -> str | None:
    reference = image.split("@", 1)[0]
    last_part = reference.rsplit("/", 1)[-1]
    tag = last_part.rpartition(":")[2] if ":" in last_part else ""
    if not tag or tag == "latest":
        return (
            f"FROM {image} has no version tag: it means :latest, which changes under you "
            "from one build to the next. Pin a Python version, such as python:3.12-slim"
        )
    if not re.match(r"\d+\.\d+", tag):
        return (
            f"FROM {image}: pin at least the major and minor Python version in the tag "
            "(3.12, not 3)"
        )
    return None


def base_image(stages: list[Stage], conf: GunicornConf) -> str | None:
    names = set()
    for stage in stages:
        if stage.image.lower() not in names:
            problem = image_problem(stage.image)
            if problem:
                return problem
        if stage.name:
            names.add(stage.name)
    final = stages[-1]
    by_name = {stage.name: stage for stage in stages if stage.name}
    image = final.image
    seen = set()
    while image.lower() in by_name and image.lower() not in seen:
        seen.add(image.lower())
        image = by_name[image.lower()].image
    reference = image.split("@", 1)[0]
    if not reference.rsplit("/", 1)[-1].startswith("python:"):
        return f"the final image is built FROM {image}: use the official python image"
    if "slim" not in reference.rsplit(":", 1)[-1]:
        return (
            f"FROM {image} is the full image, with compilers and hundreds of packages the "
            "app never uses: take the -slim variant of the same version"
        )
    return None


def copy_sources(instruction) -> tuple[dict, list[str]]:
    flags, words = flags_and_words(instruction.args)
    if instruction.args.strip().startswith("["):
        with contextlib.suppress(ValueError):
            words = json.loads(instruction.args)
    return flags, words[:-1]


def requirements_first(stages: list[Stage], conf: GunicornConf) -> str | None:
    steps = [i for stage in stages for i in stage.instructions]
    installs = [
        index
        for index, step in enumerate(steps)
        if step.keyword == "RUN" and PIP_INSTALL_REQUIREMENTS.search(step.args)
    ]
    if not installs:
        return "no RUN installs the dependencies with pip install -r requirements.txt"
    install = installs[0]
    requirements_copied = "requirements" in steps[install].args.split("pip")[0]  # RUN --mount
    for step in steps[:install]:
        if step.keyword not in ("COPY", "ADD"):
            continue
        flags, sources = copy_sources(step)
        if "from" in flags:
            continue
        if WHOLE_CONTEXT & set(sources):
            return (
                f"line {step.line}: {step} copies the whole folder before the dependencies "
                f"are installed (line {steps[install].line}), so every change to the code "
                "throws away the cached pip install layer. Copy requirements.txt alone first, "
                "install, then copy the rest"
            )
        if any("requirements" in source for source in sources):
            requirements_copied = True
    if not requirements_copied:
        return (
            f"line {steps[install].line}: pip installs requirements.txt before any COPY has put "
            "it into the image: COPY requirements.txt . first"
        )
    for step in steps[install + 1 :]:
        if step.keyword in ("COPY", "ADD"):
            flags, sources = copy_sources(step)
            if "from" not in flags and (WHOLE_CONTEXT & set(sources) or "app.py" in sources):
                return None
    return "after pip install, no COPY puts the application (app.py) into the image"


def last_user(final: Stage) -> str | None:
    user = final.last("USER")
    return user.args.strip().split(":")[0] if user else None


def non_root_user(stages: list[Stage], conf: GunicornConf) -> str | None:
    user = last_user(stages[-1])
    if user is None:
        return (
            "the final stage has no USER, so the app runs as root: anyone who breaks into it "
            "owns the container. Create a user and switch to it with USER"
        )
    if user in ("root", "0", ""):
        return f"the last USER of the final stage is {user or 'empty'}: the app still runs as root"
    return None


def no_secrets(stages: list[Stage], conf: GunicornConf) -> str | None:
    for stage in stages:
        for step in stage.instructions:
            if step.keyword not in ("ENV", "ARG"):
                continue
            for name, value in env_pairs(step):
                if SECRET_NAME.search(name) and (value or step.keyword == "ARG"):
                    kind = "ENV" if step.keyword == "ENV" else "a build ARG"
                    return (
                        f"line {step.line}: {name} is set with {kind}, so it is stored in the "
                        "image for anyone who can pull it (docker history, docker inspect). "
                        "Give secrets to the container when it starts, not to the image"
                    )
                if CREDENTIALS_IN_URL.search(value):
                    return (
                        f"line {step.line}: {name} holds a URL with a user name and password. "
                        "Leave it out of the image and pass it in when the container starts"
                    )
    return None


def runs_gunicorn(stages: list[Stage], conf: GunicornConf) -> str | None:
    command = server_command(stages[-1])
    if command is None:
        return "the final stage has no CMD: the container would start the base image's python shell"
    if command.bad_json:
        start = stages[-1].last("ENTRYPOINT") or stages[-1].last("CMD")
        return (
            f"{start} looks like a JSON array but is not valid JSON (use double "
            "quotes), so Docker runs it as a shell command"
        )
    words = program_words(command)
    if not is_gunicorn(words):
        if DEV_SERVERS.search(" ".join(words)):
            return (
                f"the container starts {' '.join(words)[:60]}, a development server: one "
                "process, debug tools, not built for real traffic. Start gunicorn instead"
            )
        return f"the container starts {' '.join(words)[:60]}, not gunicorn"
    if not command.exec_form and command.words[:1] != ["exec"]:
        return (
            "CMD is in shell form, so /bin/sh is the container's main process and gunicorn never "
            "receives the stop signal of docker stop. Write it as a JSON array: "
            'CMD ["gunicorn", ...]'
        )
    rest = words[1:]
    if not any(re.fullmatch(r"app:\w+(\(\))?", word) for word in rest):
        return "gunicorn is not told which application to serve: app:app (module app, object app)"
    config = gunicorn_options(rest).get("config")
    if config and config[-1].rsplit("/", 1)[-1] != "gunicorn.conf.py":
        return f"gunicorn reads its settings from {config[-1]}, but they are in gunicorn.conf.py"
    if "--reload" in rest or "--debug" in rest:
        return "the command turns on --reload, a development feature"
    return None


def listens_on_all_interfaces(stages: list[Stage], conf: GunicornConf) -> str | None:
    binds, where = setting("bind", stages[-1], conf, {})
    if not where:
        return (
            "nothing sets gunicorn's bind, and its default, 127.0.0.1:8000, cannot be reached "
            "from outside the container. Set bind in gunicorn.conf.py"
        )
    for bind in binds if isinstance(binds, list) else [binds]:
        if not re.fullmatch(r"(0\.0\.0\.0|\[::\]):\d+", str(bind)):
            return (
                f"gunicorn binds {bind!r} (from {where}): inside a container, only 0.0.0.0 "
                "(all interfaces) with a port, such as 0.0.0.0:8000, can be reached from outside"
            )
    return None


def healthcheck(stages: list[Stage], conf: GunicornConf) -> str | None:
    check = stages[-1].last("HEALTHCHECK")
    if check is None:
        return (
            "the final stage has no HEALTHCHECK: Docker cannot tell a stuck app from a working one"
        )
    _, words = flags_and_words(check.args)
    if not words or words[0].upper() != "CMD":
        return f"line {check.line}: {check} turns the health check off"
    if "/healthz" not in check.args:
        return f"line {check.line}: the HEALTHCHECK should ask the app's liveness check, /healthz"
    return None


RULES = {
    "base-image": base_image,
    "requirements-first": requirements_first,
    "non-root-user": non_root_user,
    "no-secrets": no_secrets,
    "runs-gunicorn": runs_gunicorn,
    "bind": listens_on_all_interfaces,
    "healthcheck": healthcheck,
}
