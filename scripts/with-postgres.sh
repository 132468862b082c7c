#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on 127.0.0.1, then remove the cluster.
# Usage: scripts/with-postgres.sh COMMAND...   (COMMAND sees PIVOTAL_TEST_DATABASE_URL)
# Uses Debian's postgresql package (apt-get install postgresql); as root the server runs as the
# `postgres` system user, since PostgreSQL refuses to run as root.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql)." >&2
  exit 3
fi

as_pg=()
if [ "$(id -u)" = 0 ]; then
  as_pg=(runuser -u postgres --)
fi
dir=$(mktemp -d /tmp/pivotal-pg.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U pivotal --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U pivotal pivotal

export PIVOTAL_TEST_DATABASE_URL="postgresql+psycopg://pivotal@127.0.0.1:$port/pivotal"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
