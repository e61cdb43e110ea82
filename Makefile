# pg_kpi — PGXS build.
# The install script pg_kpi--$(EXTVERSION).sql is assembled from the per-family
# src/*.sql files in the fixed order of SQL_PARTS (types before the functions
# that use them); a family whose file does not exist yet is simply skipped.

EXTENSION  = pg_kpi
EXTVERSION = 1.0

MODULE_big = pg_kpi
OBJS       = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

SQL_PARTS  = $(wildcard src/common.sql src/rate.sql src/nps.sql src/quality.sql \
                        src/latency.sql src/activity.sql src/session.sql src/revenue.sql)

DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA       = $(filter-out $(DATA_built),$(wildcard $(EXTENSION)--*.sql))

REGRESS      = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --outputdir=. --load-extension=$(EXTENSION)

PG_CONFIG ?= pg_config
PG_CFLAGS += -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare \
             -Wno-missing-field-initializers

EXTRA_CLEAN = results regression.diffs regression.out

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS) Makefile
	{ printf '%s\n' '-- $(EXTENSION)--$(EXTVERSION).sql: generated from the src/ SQL files by the Makefile; do not edit' \
	  '' '-- complain if script is sourced in psql, rather than via CREATE EXTENSION' \
	  '\echo Use "CREATE EXTENSION $(EXTENSION)" to load this file. \quit'; \
	  for f in $(SQL_PARTS); do echo; echo "-- ===== $$f ====="; cat $$f; done; } > $@

# Assert-enabled build for development: make ASSERTS=1
ifeq ($(ASSERTS),1)
PG_CPPFLAGS += -DUSE_ASSERT_CHECKING
endif
