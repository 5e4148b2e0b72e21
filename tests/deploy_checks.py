"""Reading the deployment files the way Docker would, for tests that run without a Docker engine:
docker-compose.yml (YAML merge keys resolved), deploy/Dockerfile (stages, targets, the effective instructions of a
target), .dockerignore, deploy/requirements.lock, and running a Dockerfile stage's commands in a scratch directory.

Used by tests/tools/test_deploy_files.py, tests/system/test_deploy_lock.py and
tests/system/test_shutdown.py.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
LOCK_FILE = ROOT / "deploy" / "requirements.lock"
SERVICES = ("berichtenverkeer", "declaratie", "facturatie")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# ------------------------------------------------------------------------------------------------ compose


def compose() -> dict:
    """docker-compose.yml as compose sees it before interpolation (anchors and `<<` merge keys resolved)."""
    return yaml.safe_load(COMPOSE_FILE.read_text())


_INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")


def interpolate(value, env: dict[str, str] | None = None):
    """Compose's ${VAR}, ${VAR:-default} and ${VAR-default} with an empty environment (or `env`)."""
    env = env or {}
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(m: re.Match) -> str:
        name, op, arg = m["name"], m["op"], m["arg"] or ""
        if op in (":-", "-"):
            present = name in env and (env[name] != "" or op == "-")
            return env[name] if present else arg
        return env.get(name, "")

    return _INTERPOLATION.sub(one, value)


def service_environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in interpolate(env).items()}


# ------------------------------------------------------------------------------------------------ Dockerfile


@dataclass
class Stage:
    name: str | None
    base: str  # an image reference, or the name of an earlier stage
    instructions: list[tuple[str, str]] = field(default_factory=list)  # (INSTRUCTION, value), comments dropped


@dataclass(frozen=True)
class Healthcheck:
    options: dict[str, str]
    argv: list[str]  # exec form as written; shell form as ["/bin/sh", "-c", command]


def dockerfile_stages(path: Path = DOCKERFILE) -> list[Stage]:
    from dockerfile_parse import DockerfileParser

    stages: list[Stage] = []
    for item in DockerfileParser(path=str(path), env_replace=False).structure:
        instruction, value = item["instruction"].upper(), item["value"].strip()
        if instruction == "COMMENT":
            continue
        if instruction == "FROM":
            parts = value.split()
            flags = [p for p in parts if p.startswith("--")]
            rest = [p for p in parts if not p.startswith("--")]
            name = rest[2] if len(rest) >= 3 and rest[1].upper() == "AS" else None
            stages.append(Stage(name=name, base=rest[0]))
            if flags:
                stages[-1].instructions.append(("FROM-FLAGS", " ".join(flags)))
            continue
        if not stages:
            raise AssertionError(f"{path}: {instruction} before the first FROM")
        stages[-1].instructions.append((instruction, value))
    return stages


def stage(name: str, stages: list[Stage] | None = None) -> Stage:
    for s in stages or dockerfile_stages():
        if s.name == name:
            return s
    raise KeyError(f"no stage {name!r} in {DOCKERFILE.relative_to(ROOT)}")


def lineage(target: str, stages: list[Stage] | None = None) -> list[Stage]:
    """The stage `target` and the stages it is built FROM, root first."""
    stages = stages or dockerfile_stages()
    names = {s.name: s for s in stages if s.name}
    chain = [names[target]]
    while chain[0].base in names:
        chain.insert(0, names[chain[0].base])
    return chain


def effective(target: str, instruction: str, stages: list[Stage] | None = None) -> str | None:
    """The last value of an instruction that a target inherits (CMD, USER, HEALTHCHECK, STOPSIGNAL, ...)."""
    value = None
    for s in lineage(target, stages):
        for ins, val in s.instructions:
            if ins == instruction:
                value = val
    return value


def base_image(target: str, stages: list[Stage] | None = None) -> str:
    return lineage(target, stages)[0].base


def exec_form(value: str) -> list[str] | None:
    """The JSON array of an exec-form CMD/ENTRYPOINT/HEALTHCHECK CMD, or None for the shell form."""
    value = value.strip()
    if not value.startswith("["):
        return None
    parsed = json.loads(value)
    assert isinstance(parsed, list) and all(isinstance(x, str) for x in parsed), value
    return parsed


def healthcheck(target: str, stages: list[Stage] | None = None) -> Healthcheck:
    value = effective(target, "HEALTHCHECK", stages)
    if value is None or value.upper() == "NONE":
        raise AssertionError(f"target {target} has no HEALTHCHECK")
    m = re.match(r"^(?P<opts>(?:--[a-z-]+=\S+\s+)*)CMD\s+(?P<cmd>.+)$", value, re.S)
    if not m:
        raise AssertionError(f"cannot read HEALTHCHECK {value!r}")
    options = dict(o[2:].split("=", 1) for o in m["opts"].split())
    argv = exec_form(m["cmd"]) or ["/bin/sh", "-c", m["cmd"]]
    return Healthcheck(options=options, argv=argv)


def env_of(target: str, stages: list[Stage] | None = None) -> dict[str, str]:
    """ENV of a target (key=value form), later stages winning."""
    env: dict[str, str] = {}
    for s in lineage(target, stages):
        for ins, val in s.instructions:
            if ins == "ENV":
                for part in shlex.split(val):
                    if "=" in part:
                        k, v = part.split("=", 1)
                        env[k] = v
    return env


def duration_seconds(text: str) -> float:
    """A Docker/Go duration ("10s", "1m30s", "500ms") in seconds."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {text!r}")
    return sum(float(n) * units[u] for n, u in parts)


# ------------------------------------------------------------------------------------------------ build context


def dockerignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text().splitlines() if DOCKERIGNORE.exists() else []
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def _match(pattern: str, path: str) -> bool:
    """Docker's rule: a pattern matches a path or any of its parent directories ('**' spans directories)."""
    pattern = pattern.strip("/")
    regex = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*") \
        .replace(r"\?", "[^/]")
    parts = path.split("/")
    return any(re.fullmatch(regex, "/".join(parts[:i])) for i in range(1, len(parts) + 1))


def in_build_context(path: str, patterns: list[str] | None = None) -> bool:
    """Whether a path (relative to the repository root) is sent to the builder, per .dockerignore."""
    included = True
    for p in dockerignore_patterns() if patterns is None else patterns:
        negate = p.startswith("!")
        if _match(p[1:] if negate else p, path):
            included = negate
    return included


def copy_context(sources: list[str], dest: Path) -> list[Path]:
    """Copy COPY sources from the repository into `dest` as the builder would see them (.dockerignore applied)."""
    copied = []
    for src in sources:
        origin = ROOT / src
        if origin.is_file():
            if in_build_context(src):
                target = dest / src
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target)
                copied.append(target)
            continue
        for f in sorted(origin.rglob("*")):
            rel = f.relative_to(ROOT).as_posix()
            if f.is_file() and in_build_context(rel):
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, target)
                copied.append(target)
    return copied


# ------------------------------------------------------------------------------------------------ lock


def lock() -> dict[str, str]:
    """deploy/requirements.lock as {normalized name: version}; every line must be `name==version`."""
    pins: dict[str, str] = {}
    for n, raw in enumerate(LOCK_FILE.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!_-]+)", line)
        assert m, f"{LOCK_FILE.name}:{n}: not `name==version`: {line!r}"
        name = normalize(m[1])
        assert name not in pins, f"{LOCK_FILE.name}:{n}: {m[1]} twice"
        pins[name] = m[2]
    return pins


def closure(requirements: list[str], distributions: dict[str, object]) -> dict[str, str]:
    """{normalized name: version} of the installed distributions that `requirements` pull in, extras and
    environment markers followed (markers evaluated for this interpreter, as the image's is the same Python)."""
    from packaging.requirements import Requirement

    found: dict[str, str] = {}
    todo = [(Requirement(r), "") for r in requirements]
    seen: set[tuple[str, str]] = set()
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        name = normalize(req.name)
        for wanted in ("", *sorted(req.extras)):
            if (name, wanted) in seen:
                continue
            seen.add((name, wanted))
            dist = distributions.get(name)
            if dist is None:
                raise AssertionError(f"{req} is required but {req.name} is not installed")
            found[name] = dist.version
            todo.extend((Requirement(r), wanted) for r in dist.requires or [])
    return found


# ------------------------------------------------------------------------------------------------ running a stage


_ABSOLUTE = re.compile(r"(?<![\w./-])/(?=[A-Za-z])")


def run_stage(stage_: Stage, root: Path, *, pip: list[str], python: str, env: dict[str, str] | None = None,
              keep_env: tuple[str, ...] = ()) -> list[str]:
    """Run a Dockerfile stage's COPY/WORKDIR/ENV/RUN instructions in the scratch directory `root` instead of an
    image: absolute paths in the commands are moved under `root`, `pip` and `python` are this machine's. Returns
    the commands as run. ENV values are applied except PIP_NO_CACHE_DIR unless kept (the cache only saves
    downloads). Fails on the first command that fails, with its output."""
    workdir = Path("/")
    run_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", str(root)),
               **(env or {})}
    ran: list[str] = []

    def inside(path: str) -> Path:
        p = Path(path)
        return root / (p if p.is_absolute() else workdir / p).relative_to("/")

    for instruction, value in stage_.instructions:
        if instruction == "WORKDIR":
            workdir = Path(value) if value.startswith("/") else workdir / value
            inside(str(workdir)).mkdir(parents=True, exist_ok=True)
        elif instruction == "ENV":
            for part in shlex.split(value):
                k, v = part.split("=", 1)
                if k == "PIP_NO_CACHE_DIR" and k not in keep_env:
                    continue
                run_env[k] = v
        elif instruction == "COPY":
            args = shlex.split(value)
            assert not any(a.startswith("--from") for a in args), f"COPY --from in stage {stage_.name}"
            *sources, dest = [a for a in args if not a.startswith("--")]
            for src in sources:
                origin = ROOT / src
                assert origin.exists(), f"COPY source {src} does not exist"
                target = inside(dest)
                if origin.is_dir():
                    staged = root / ".context"
                    copy_context([src], staged)
                    shutil.copytree(staged / src, target, dirs_exist_ok=True)
                else:
                    assert in_build_context(src), f"COPY {src}: excluded by .dockerignore"
                    if dest.endswith("/"):
                        target = target / origin.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(origin, target)
        elif instruction == "RUN":
            command = _ABSOLUTE.sub(f"{root}/", value)
            command = re.sub(r"(?<![\w/.-])pip(?= )", " ".join(map(shlex.quote, pip)), command)
            command = re.sub(r"(?<![\w/.-])python(?= )", shlex.quote(python), command)
            ran.append(command)
            result = subprocess.run(["/bin/sh", "-c", command], cwd=inside(str(workdir)), env=run_env,
                                    capture_output=True, text=True)
            assert result.returncode == 0, (f"RUN {value}\n(as {command})\nexit {result.returncode}\n"
                                            f"{result.stdout[-3000:]}{result.stderr[-3000:]}")
        elif instruction in ("ARG", "LABEL", "FROM-FLAGS"):
            continue
        else:
            raise AssertionError(f"run_stage: {instruction} not supported in stage {stage_.name}")
    return ran


def run_python(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command whose argv[0] is `python` (as in the image) with this interpreter."""
    if argv and argv[0] == "python":
        argv = [sys.executable, *argv[1:]]
    return subprocess.run(argv, capture_output=True, text=True, **kwargs)
