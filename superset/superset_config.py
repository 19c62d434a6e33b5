"""Superset's configuration for Runnel: everything comes from the environment.

local/lib/superset.sh sets these variables (from ./runnel's generated secrets):
  RUNNEL_SUPERSET_SECRET_KEY    signs sessions and encrypts stored database passwords (required)
  RUNNEL_SUPERSET_DATABASE_URI  the metadata database (SQLite in the run folder locally)
  RUNNEL_SUPERSET_HOME          Superset's data folder (also exported as SUPERSET_HOME)
"""

import os
import sys

# Keys that shipped in Superset's docs, configs and images: sessions signed with one of them can be
# forged (CVE-2023-27524), so they are refused like a missing key.
_KNOWN_DEFAULT_KEYS = {
    "CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET",
    "thisISaSECRET_1234",
    "YOUR_OWN_RANDOM_GENERATED_SECRET_KEY",
    "TEST_NON_DEV_SECRET",
    "\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h",
}
_MIN_KEY_LENGTH = 16


def _require(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        sys.exit(f"superset_config: {name} is not set (./runnel sets it; see local/lib/superset.sh)")
    return value


def _secret_key() -> str:
    key = os.environ.get("RUNNEL_SUPERSET_SECRET_KEY", "")
    if not key:
        sys.exit("superset_config: RUNNEL_SUPERSET_SECRET_KEY is not set: refusing to start (./runnel generates one)")
    if key in _KNOWN_DEFAULT_KEYS:
        sys.exit("superset_config: RUNNEL_SUPERSET_SECRET_KEY is a published default key: refusing to start (set a random one)")
    if len(key) < _MIN_KEY_LENGTH:
        sys.exit(f"superset_config: RUNNEL_SUPERSET_SECRET_KEY is shorter than {_MIN_KEY_LENGTH} characters: refusing to start (set a random one)")
    return key


SECRET_KEY = _secret_key()
SQLALCHEMY_DATABASE_URI = _require("RUNNEL_SUPERSET_DATABASE_URI")
DATA_DIR = _require("RUNNEL_SUPERSET_HOME")
# Certificates Superset writes for database connections stay in the run folder, not in /tmp.
SSL_CERT_PATH = DATA_DIR
# The examples are never loaded (they download); point their URI at the run folder regardless.
SQLALCHEMY_EXAMPLES_URI = f"sqlite:///{os.path.join(DATA_DIR, 'examples.db')}"

# The bundle needs no feature beyond Superset's defaults; listed empty so that none is on by accident.
FEATURE_FLAGS: dict[str, bool] = {}

# Chart results are cached for one pipeline cycle (RUNNEL_SCHEDULE_SECONDS, 60 s by default):
# a dashboard opened again within it is drawn from the cache, not re-queried, and is never
# staler than the data's own schedule. Files in the data folder: nothing else to run.
_CACHE_SECONDS = int(os.environ.get("RUNNEL_SCHEDULE_SECONDS", "60"))
DATA_CACHE_CONFIG = {
    "CACHE_TYPE": "FileSystemCache",
    "CACHE_DIR": os.path.join(DATA_DIR, "cache", "data"),
    "CACHE_DEFAULT_TIMEOUT": _CACHE_SECONDS,
    "CACHE_KEY_PREFIX": "runnel_data_",
}
CACHE_CONFIG = {
    "CACHE_TYPE": "FileSystemCache",
    "CACHE_DIR": os.path.join(DATA_DIR, "cache", "metadata"),
    "CACHE_DEFAULT_TIMEOUT": 300,
    "CACHE_KEY_PREFIX": "runnel_meta_",
}

# Charts read through Trino as the read-only BI user; SQL Lab must not offer DML or CTAS either
# (Trino's access control denies them anyway: that, not this switch, is what keeps BI read-only).
PREVENT_UNSAFE_DB_CONNECTIONS = True

# Loopback HTTP only: the session cookie cannot be marked Secure, and no proxy sits in front.
SESSION_COOKIE_SECURE = False
ENABLE_PROXY_FIX = False

# Chart queries are answered by Trino every time (no result cache): what the dashboards show is
# what the lake and the warehouse hold now.
SUPERSET_WEBSERVER_TIMEOUT = 120
