import ipaddress
import re

from deploy_parse import (
    GunicornConf,
    Stage,
    command_of,
    flags_and_words,
    gunicorn_options,
    is_gunicorn,
    program_words,
    server_command,
    setting,
)

MAX_DEFAULT_WORKERS = 8


def workers_from_environment(stages: list[Stage], conf: GunicornConf) -> str | None:
    command = server_command(stages[-1])
    words = program_words(command) if command else []
    if is_gunicorn(words) and "workers" in gunicorn_options(words[1:]):
        return "the command line sets --workers, which overrides gunicorn.conf.py"
    default, variables = conf.value("workers", {})
    if not variables:
        return "workers does not read any environment variable"
    try:
        default = int(default)
    except (TypeError, ValueError):
        return f"with {', '.join(sorted(variables))} unset, workers is {default!r}, not a number"
    if not 1 <= default <= MAX_DEFAULT_WORKERS:
        return f"with {', '.join(sorted(variables))} unset, workers is {default}"
    chosen, _ = conf.value("workers", dict.fromkeys(variables, "7"))
    try:
        chosen = int(chosen)
    except (TypeError, ValueError):
        return f"with {', '.join(sorted(variables))}=7, workers is {chosen!r}"
    if chosen != 7:
        return f"with {', '.join(sorted(variables))}=7, workers is {chosen}, not 7"
    return None


def sensible_timeout(stages: list[Stage], conf: GunicornConf) -> str | None:
    value, where = setting("timeout", stages[-1], conf, {})
    if not where:
        return "nothing sets timeout"
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return f"timeout is {value!r}, not a number of seconds"
    if not 5 <= seconds <= 300:
        return f"timeout is {seconds:g} s (0 turns it off)"
    return None


def forwarded_ips(stages: list[Stage], conf: GunicornConf) -> str | None:
    value, where = setting("forwarded-allow-ips", stages[-1], conf, {})
    if not where:
        return "forwarded_allow_ips is not set"
    entries = value if isinstance(value, list) else str(value).split(",")
    entries = [str(entry).strip() for entry in entries]
    if not any(entries):
        return "forwarded_allow_ips is empty"
    for entry in entries:
        if "*" in entry:
            return f"forwarded_allow_ips contains {entry!r}"
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return f"{entry!r} is not an IP address or network"
        if network.prefixlen == 0:
            return f"{entry!r} is every address"
    return None


def healthcheck_tool_is_installed(stages: list[Stage], conf: GunicornConf) -> str | None:
    check = stages[-1].last("HEALTHCHECK")
    if check is None:
        return "no HEALTHCHECK"
    _, words = flags_and_words(check.args)
    if not words or words[0].upper() != "CMD":
        return "HEALTHCHECK NONE"
    probe = command_of(check.args.split(None, 1)[1] if " " in check.args else "")
    probe_text = " ".join(program_words(probe)) if probe.words else check.args
    for tool in ("curl", "wget"):
        if re.search(rf"(^|[\s/]){tool}\b", probe_text):
            installs = [
                step
                for stage in stages
                for step in stage.instructions
                if step.keyword == "RUN"
                and re.search(r"\b(apt-get|apt|apk)\b.*\b(install|add)\b", step.args)
                and re.search(rf"\b{tool}\b", step.args)
            ]
            if not installs:
                return f"the health check runs {tool}, which the slim image does not have"
    return None


def user_exists(stages: list[Stage], conf: GunicornConf) -> str | None:
    user = stages[-1].last("USER")
    if user is None:
        return "no USER"
    name = user.args.strip().split(":")[0]
    if name.isdigit() or name.startswith("$") or name in ("nobody", "root"):
        return None
    for stage in stages:
        for step in stage.instructions:
            if (
                step.keyword == "RUN"
                and re.search(r"\b(useradd|adduser)\b", step.args)
                and re.search(rf"(^|\s){re.escape(name)}(\s|$|&|;)", step.args)
            ):
                return None
    return f"USER {name}, but no RUN creates that user"


RULES = {
    "workers": workers_from_environment,
    "timeout": sensible_timeout,
    "forwarded-ips": forwarded_ips,
    "healthcheck-tool": healthcheck_tool_is_installed,
    "user-exists": user_exists,
}
