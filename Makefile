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

# ---- make installcheck on any server (README "Verify an install") ----
# pg_regress creates its own database (contrib_regression) and --load-extension
# creates pg_kpi in it, so `make installcheck` with PGHOST/PGPORT/PGUSER set runs the
# suite on any server where pg_kpi is installed.  It needs a superuser role (pg_regress
# sets lc_messages; the binary round trips of test/regress_helpers.sql write COPY files
# in the data directory); a preflight says so, and checks that the server has this
# version of pg_kpi, before anything runs.  Files that need a throwaway cluster (they
# create roles and databases and log in as those roles without a password) are listed
# here and run only with KPI_THROWAWAY=1 (test/run_tests.sh and the package tier set it
# on their own clusters).
REGRESS_NEEDS_THROWAWAY = privileges privacy_setting
ifneq ($(KPI_THROWAWAY),1)
REGRESS := $(filter-out $(REGRESS_NEEDS_THROWAWAY),$(REGRESS))
endif
KPI_PSQL = $(shell $(PG_CONFIG) --bindir)/psql -XAtq -d template1

installcheck: installcheck-preflight
installcheck-preflight:
	@su=$$($(KPI_PSQL) -c "SELECT rolsuper FROM pg_roles WHERE rolname = current_user") \
	  || { echo "installcheck: cannot connect to the server (set PGHOST, PGPORT, PGUSER)" >&2; exit 1; }; \
	[ "$$su" = t ] || { echo "installcheck: role $$($(KPI_PSQL) -c 'SELECT current_user') is not a superuser;" \
	  "pg_regress and the binary round-trip tests need one" >&2; exit 1; }; \
	v=$$($(KPI_PSQL) -c "SELECT default_version FROM pg_available_extensions WHERE name = '$(EXTENSION)'"); \
	[ "$$v" = "$(EXTVERSION)" ] || { echo "installcheck: the server has $(EXTENSION) $${v:-not installed}," \
	  "these tests are for $(EXTVERSION) (install it first: make install, or the package)" >&2; exit 1; }
.PHONY: installcheck-preflight

# ---- PGXN / source distribution ----
# make dist: pg_kpi-$(DISTVERSION).zip from the committed tree (git archive HEAD),
# holding what a user builds, installs and tests from, and nothing else (no test
# tiers, benchmarks, fixtures, CI or debian/ packaging).
DISTVERSION = $(EXTVERSION).0
DIST_FILES  = Makefile $(EXTENSION).control $(DATA) src sql expected \
              test/regress_helpers.sql test/hostile.sql README.md META.json LICENSE
dist:
	git archive --format zip --prefix=$(EXTENSION)-$(DISTVERSION)/ \
	    -o $(EXTENSION)-$(DISTVERSION).zip HEAD $(DIST_FILES)
.PHONY: dist
