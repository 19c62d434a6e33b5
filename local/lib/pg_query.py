"""Runs one SQL statement on the warehouse as the admin role and prints the rows tab-separated.

Used by ./runnel's scripts (in dbt's virtualenv, which has psycopg2), so that no PostgreSQL
client needs to be installed on the machine. Connection settings come from the environment.
"""

import os
import sys

import psycopg2


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: pg_query.py SQL", file=sys.stderr)
        return 2
    connection = psycopg2.connect(
        host=os.environ["RUNNEL_PG_HOST"],
        port=os.environ["RUNNEL_PG_PORT"],
        dbname=os.environ["RUNNEL_PG_DATABASE"],
        user=os.environ["RUNNEL_PG_ADMIN_USER"],
        password=os.environ["RUNNEL_PG_ADMIN_PASSWORD"],
        application_name="runnel-scripts",
    )
    # Autocommit: one statement, and some (DROP DATABASE) refuse to run inside a transaction.
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sys.argv[1])
            if cursor.description is not None:
                for row in cursor.fetchall():
                    print("\t".join("" if v is None else str(v) for v in row))
    finally:
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
