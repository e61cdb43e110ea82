# pg_kpi — PGXS build.
# The install script of the current version, pg_kpi--$(EXTVERSION).sql, is
# assembled from the per-family src/*.sql files: first the families of 1.0 in
# their fixed order (types before the functions that use them), then every
# family added since, alphabetically.  The upgrade script from 1.0,
# pg_kpi--1.0--$(EXTVERSION).sql, is assembled from src/upgrade/1.0--$(EXTVERSION)/<family>.sql
# (the changes to a 1.0 family, in the same order) followed by every family added
# since 1.0, whole.  Released scripts (pg_kpi--1.0.sql) are committed and never edited.

EXTENSION  = pg_kpi
EXTVERSION = 1.1

MODULE_big = pg_kpi
OBJS       = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

FAMILIES_1_0  = rate nps quality latency activity session revenue
SQL_PARTS_1_0 = $(addprefix src/,$(addsuffix .sql,$(FAMILIES_1_0)))
SQL_NEW       = $(filter-out $(SQL_PARTS_1_0),$(sort $(wildcard src/*.sql)))
SQL_PARTS     = $(SQL_PARTS_1_0) $(SQL_NEW)
UPGRADE_DIR   = src/upgrade/1.0--$(EXTVERSION)
UPGRADE_PARTS = $(wildcard $(addprefix $(UPGRADE_DIR)/,$(addsuffix .sql,$(FAMILIES_1_0)))) $(SQL_NEW)

DATA_built = $(EXTENSION)--$(EXTVERSION).sql $(EXTENSION)--1.0--$(EXTVERSION).sql
DATA       = $(filter-out $(DATA_built),$(wildcard $(EXTENSION)--*.sql))

REGRESS      = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --outputdir=. --load-extension=$(EXTENSION)

PG_CONFIG ?= pg_config
PG_CFLAGS += -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare \
             -Wno-missing-field-initializers

EXTRA_CLEAN = results regression.diffs regression.out

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# assemble_script(target, guard command, parts): a generated script with the psql guard.
define assemble_script
	{ printf '%s\n' '-- $(1): generated from the src/ SQL files by the Makefile; do not edit' \
	  '' '-- complain if script is sourced in psql, rather than via $(2)' \
	  '\echo Use "$(2)" to load this file. \quit'; \
	  for f in $(3); do echo; echo "-- ===== $$f ====="; cat $$f; done; } > $(1)
endef

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS) Makefile
	$(call assemble_script,$@,CREATE EXTENSION $(EXTENSION),$(SQL_PARTS))

$(EXTENSION)--1.0--$(EXTVERSION).sql: $(UPGRADE_PARTS) Makefile
	$(call assemble_script,$@,ALTER EXTENSION $(EXTENSION) UPDATE,$(UPGRADE_PARTS))

# Assert-enabled build for development: make ASSERTS=1
ifeq ($(ASSERTS),1)
PG_CPPFLAGS += -DUSE_ASSERT_CHECKING
endif
