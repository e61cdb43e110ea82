#!/usr/bin/env bash
# test/dev_private_pg.sh NAME — make a private, relocated copy of the system's
# PostgreSQL 15 (binaries, share, headers) under /opt/pgkpi-NAME, so several
# developers (or worktrees) can `make install` different builds of pg_kpi on
# one machine without overwriting each other's.  Prints the PG_CONFIG to export:
#   export PG_CONFIG=$(bash test/dev_private_pg.sh mine)
#   bash test/run_tests.sh        # builds, installs and tests against the copy
set -euo pipefail
name=${1:?usage: dev_private_pg.sh NAME}
root=/opt/pgkpi-$name
if [ ! -x "$root/usr/lib/postgresql/15/bin/pg_config" ]; then
    mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql" "$root/usr/include"
    cp -a /usr/lib/postgresql/15 "$root/usr/lib/postgresql/"
    cp -a /usr/share/postgresql/15 "$root/usr/share/postgresql/"
    cp -a /usr/include/postgresql "$root/usr/include/"
fi
echo "$root/usr/lib/postgresql/15/bin/pg_config"
