"""`gongkai serve|migrate PROCESS`: how every deployment starts a process or migrates its database.

The process is chosen by name, so one image serves all four (deploy/Dockerfile).
"""

from __future__ import annotations

import argparse
import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.settings import ServiceSettings

PROCESSES = {
    "gateway": ("gateway.app:create_app", "gateway.settings:get_settings", "gateway"),
    "catalog": (
        "services.catalog.app:create_app",
        "services.catalog.settings:get_settings",
        "services.catalog",
    ),
    "requests": (
        "services.requests.app:create_app",
        "services.requests.settings:get_settings",
        "services.requests",
    ),
    "feedback": (
        "services.feedback.app:create_app",
        "services.feedback.settings:get_settings",
        "services.feedback",
    ),
}


def _load(ref: str) -> Any:
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


def settings_for(process: str) -> ServiceSettings:
    settings: ServiceSettings = _load(PROCESSES[process][1])()
    return settings


def migrations_dir(process: str) -> Path:
    package = importlib.import_module(PROCESSES[process][2])
    assert package.__file__ is not None  # a regular package, never a namespace one
    return Path(package.__file__).parent / "migrations"


def migrate(process: str) -> None:
    from shared.db import migrate as run_migrations

    run_migrations(migrations_dir(process), settings_for(process).database_url)


def serve(process: str, workers: int | None = None) -> None:
    """Starts `workers` server processes (default: the process's `workers` setting). With more
    than one, migrations run here once, before any worker starts, instead of in each."""
    import uvicorn

    from shared.devrun import PREFIX
    from shared.protocol import ProblemHttpToolsProtocol

    if workers is not None:  # through the environment, so the settings' own checks apply
        os.environ[f"{PREFIX[process]}WORKERS"] = str(workers)
    settings = settings_for(process)
    workers = settings.workers
    if workers > 1 and settings.migrate_on_start:
        migrate(process)
        os.environ[f"{PREFIX[process]}MIGRATE_ON_START"] = "false"
    uvicorn.run(
        PROCESSES[process][0],
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_config=None,
        http=ProblemHttpToolsProtocol,
        # Forwarded headers only from the configured proxies (uvicorn would otherwise trust
        # 127.0.0.1 or $FORWARDED_ALLOW_IPS by default).
        proxy_headers=bool(settings.forwarded_allow_ips.strip()),
        forwarded_allow_ips=settings.forwarded_allow_ips.strip() or "",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="gongkai", description="Run or migrate a Gongkai process.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_serve = sub.add_parser("serve", help="start a process with uvicorn")
    p_serve.add_argument("process", choices=sorted(PROCESSES))
    p_serve.add_argument("--workers", type=int, default=None, help="default: the process's workers setting")
    p_migrate = sub.add_parser("migrate", help="apply the process's Alembic migrations")
    p_migrate.add_argument("process", choices=sorted(PROCESSES))
    sub.add_parser("reindex", help="rebuild the catalog's search index from its database")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.process, args.workers)
    elif args.command == "migrate":
        migrate(args.process)
    else:
        _load("services.catalog.search.indexing:reindex_command")()


if __name__ == "__main__":
    main()
