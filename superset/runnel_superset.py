"""Runnel's two Superset chores that take secrets, run with Superset's own Python.

  runnel_superset.py admin USER           creates USER (role Admin) or resets its password
  runnel_superset.py import BUNDLE USER   imports the asset bundle in BUNDLE, owned by USER

Secrets come from the environment, never from the command line (where `ps` shows them) or a
file: RUNNEL_SUPERSET_ADMIN_PASSWORD, RUNNEL_TRINO_BI_PASSWORD. The import also fills in where
Trino is (RUNNEL_TRINO_HOST, RUNNEL_TRINO_PORT, RUNNEL_TRINO_BI_USER) and the CA certificate the
Trino client verifies the server with (RUNNEL_TRINO_CA_FILE).
"""

import os
import sys
from pathlib import Path

import yaml

BUNDLE_DIRS = ("databases", "datasets", "charts", "dashboards")
PASSWORD_MASK = "XXXXXXXXXX"  # superset.constants.PASSWORD_MASK


def env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        sys.exit(f"runnel_superset: {name} is not set (run through ./runnel, which sets it)")
    return value


def admin(username: str) -> str:
    from superset import security_manager
    from superset.extensions import db

    password = env("RUNNEL_SUPERSET_ADMIN_PASSWORD")
    user = security_manager.find_user(username=username)
    if user is None:
        role = security_manager.find_role("Admin")
        if role is None:
            sys.exit("runnel_superset: role Admin is missing: run `superset init` first")
        if not security_manager.add_user(username, "Runnel", "Admin", f"{username}@localhost", role, password=password):
            sys.exit(f"runnel_superset: could not create user {username}")
        return f"created user {username}"
    security_manager.reset_password(user.id, password)
    db.session.commit()
    return f"user {username} exists; password set from the environment"


def database_config(text: str) -> str:
    """The bundle's database file with this machine's Trino address and CA certificate."""
    config = yaml.safe_load(text)
    user = env("RUNNEL_TRINO_BI_USER")
    host = env("RUNNEL_TRINO_HOST")
    port = env("RUNNEL_TRINO_PORT")
    ca_file = env("RUNNEL_TRINO_CA_FILE")
    if not Path(ca_file).is_file():
        sys.exit(f"runnel_superset: Trino's CA certificate {ca_file} is missing: start Trino first")
    catalog = config["sqlalchemy_uri"].rsplit("/", 1)[-1]
    # The password in the URI is Superset's mask: the importer then keeps the one it is given.
    config["sqlalchemy_uri"] = f"trino://{user}:{PASSWORD_MASK}@{host}:{port}/{catalog}"
    connect_args = config.setdefault("extra", {}).setdefault("engine_params", {}).setdefault("connect_args", {})
    connect_args["http_scheme"] = "https"
    # A path: the Trino client checks the server's certificate against this PEM.
    connect_args["verify"] = ca_file
    return yaml.safe_dump(config, sort_keys=False)


def import_bundle(bundle: str, username: str) -> str:
    from flask import g
    from superset import security_manager
    from superset.commands.importers.v1.assets import ImportAssetsCommand

    root = Path(bundle)
    contents = {"metadata.yaml": (root / "metadata.yaml").read_text(encoding="utf-8")}
    passwords = {}
    for directory in BUNDLE_DIRS:
        for path in sorted((root / directory).rglob("*.yaml")):
            name = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8")
            if directory == "databases":
                text = database_config(text)
                passwords[name] = env("RUNNEL_TRINO_BI_PASSWORD")
            contents[name] = text
    g.user = security_manager.find_user(username=username)
    if g.user is None:
        sys.exit(f"runnel_superset: user {username} does not exist: start Superset first (./runnel up)")
    # The assets importer overwrites every object of the bundle (the dashboard importer would keep
    # existing datasets as they were): the bundle in git is the truth.
    ImportAssetsCommand(contents, passwords=passwords).run()
    counts = {d: sum(1 for n in contents if n.startswith(d + "/")) for d in BUNDLE_DIRS}
    return ", ".join(f"{n} {d}" for d, n in counts.items())


def main(argv: list[str]) -> None:
    if len(argv) == 2 and argv[0] == "admin":
        action = lambda: admin(argv[1])  # noqa: E731
    elif len(argv) == 3 and argv[0] == "import":
        action = lambda: import_bundle(argv[1], argv[2])  # noqa: E731
    else:
        sys.exit("usage: runnel_superset.py admin USER | import BUNDLE USER")
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        print(action())


if __name__ == "__main__":
    main(sys.argv[1:])
