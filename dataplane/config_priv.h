/* What config.c and config_strategy.c share: the "FILE:LINE: reason" error, strict number
 * parsing and reading one section's entries. Private to the config loader. */
#ifndef TP_DP_CONFIG_PRIV_H
#define TP_DP_CONFIG_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_cfgfile.h>

#include "config.h"

/* Keys one section may hold (rte_cfgfile's entries are read into a stack array). */
#define TP_CFG_MAX_KEYS 64

struct tp_cfg_ctx {
	struct tp_config *c;
	char *err;
	size_t errlen;
};

/* Line of the key (or, without one, of the section header); 0 when unknown. */
int tp_cfg_where(const struct tp_cfg_ctx *x, const char *sec, const char *key);

#define TP_CFG_FAIL(x, sec, key, ...)                                                        \
	do {                                                                                 \
		int l_ = tp_cfg_where((x), (sec), (key));                                    \
		int n_ = snprintf((x)->err, (x)->errlen, "%s:%d: ", (x)->c->path, l_ ? l_ : 1); \
		if (n_ > 0 && (size_t)n_ < (x)->errlen)                                      \
			snprintf((x)->err + n_, (x)->errlen - (size_t)n_, __VA_ARGS__);      \
		return -1;                                                                   \
	} while (0)

/* Strict unsigned decimal in [min, max]: no sign, no spaces, no suffix. */
int tp_cfg_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* The same, failing with "KEY must be a whole number from MIN to MAX, not 'VAL'". */
int tp_cfg_num(struct tp_cfg_ctx *x, const char *sec, const char *key, const char *val,
	       uint64_t min, uint64_t max, uint64_t *out);
/* The entries of one section into e[TP_CFG_MAX_KEYS]: their count, or -1 (err set). */
int tp_cfg_entries(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec,
		   struct rte_cfgfile_entry *e);

/* The strategy sections (config_strategy.c). Each returns 0 or -1 with err set. */
int tp_cfg_load_rules(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec);
int tp_cfg_load_rule(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec);
int tp_cfg_load_risk(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec);
int tp_cfg_load_strategy(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec);
int tp_cfg_load_killswitch(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec);
int tp_cfg_load_gateway(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec);
int tp_cfg_load_simex(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec);
/* Checks across sections once the whole file is read. */
int tp_cfg_strategy_finish(struct tp_cfg_ctx *x);
/* The strategy checks only `run` needs (the gateway's port, the state file's directory). */
int tp_cfg_strategy_check_run(const struct tp_config *c, char *err, size_t errlen);

#endif
