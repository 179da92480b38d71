#!/bin/sh
# Temporal's schema on its own PostgreSQL (deploy/compose.yaml's temporal-schema service, image
# temporalio/admin-tools): the two databases, then every schema version. Run on every `up`:
# `create` fails on a database that exists (that failure is reported and ignored); setup-schema
# and update-schema apply only what is missing.
set -eu
tool() { temporal-sql-tool --plugin postgres12 --ep temporal-postgres -p 5432 -u temporal "$@"; }
for db in temporal temporal_visibility; do
  tool --db "$db" create || echo "database $db: kept (it exists)"
done
tool --db temporal setup-schema -v 0.0
tool --db temporal update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned
tool --db temporal_visibility setup-schema -v 0.0
tool --db temporal_visibility update-schema -d /etc/temporal/schema/postgresql/v12/visibility/versioned
echo "Temporal schema up to date"
