/* The strategy part of the tickpipe INI file: CEP rules, the risk guard, the market maker,
 * the kill-switch state file, the order gateway's egress port and the simulated exchange.
 * Every key, with its default, is documented in dataplane/tickpipe.ini.
 *
 *   [rules]        defaults = on|off (the built-in rules of strategy/rules.ini.sample),
 *                  max_symbols (symbols the CEP tracks at once)
 *   [rule.NAME]    one CEP rule, handed to tp_cep_rule_parse(); replaces the built-in rule
 *                  of the same name, or adds one
 *   [risk]         every limit of tp_risk; a limit left out rejects every order (fail
 *                  closed); escalate_REASON = N/WINDOW, escalate_scope
 *   [strategy]     market_maker = on|off, symbols, size, offset_ticks, tick
 *   [killswitch]   state_file
 *   [gateway]      port = N or dev = PCI/vdev (run: where the OUCH orders go out), dst, src,
 *                  dst_mac, max_orders, firm, tif
 *   [simex]        latency, max_orders (replay: the simulated exchange) */
#ifndef TP_DP_CONFIG_STRATEGY_H
#define TP_DP_CONFIG_STRATEGY_H

#include <stdint.h>

#include "dp_limits.h"
#include "tp_cep.h"
#include "tp_mm.h"
#include "tp_risk.h"

#define TP_CFG_SYMBOL_LEN 9   /* OUCH symbol: 8 characters and the NUL */
/* run without [killswitch] state_file: where systemd's StateDirectory=tickpipe puts it. */
#define TP_KS_STATE_DEFAULT_DIR "/var/lib/tickpipe"
#define TP_KS_STATE_DEFAULT_NAME "killswitch.state"
/* CEP symbol groups by default: a NASDAQ day names about 12,000 stocks. */
#define TP_CFG_CEP_SYMBOLS_DEFAULT 16384u

struct tp_cfg_rules {
	int defaults;                                  /* 1: start from the built-in rules */
	uint32_t max_symbols;
	unsigned n;                                    /* [rule.NAME] sections, file order */
	struct tp_cep_rule_def def[TP_CEP_MAX_RULES];
	int line[TP_CEP_MAX_RULES];
	int max_symbols_line;
};

struct tp_cfg_risk {
	int present;                                   /* a [risk] section was given */
	struct tp_risk_limits lim;
	int line;
};

struct tp_cfg_mm {
	int on;
	char symbols[TP_MM_MAX_SYMBOLS][TP_CFG_SYMBOL_LEN];
	unsigned n_symbols;
	uint32_t size, offset_ticks, tick;
	int line, on_line;
};

struct tp_cfg_gateway {
	int has_port;                                  /* port = N: a TX queue on [port.N] */
	unsigned port;
	char dev[256];                                 /* dev = ...: a port of its own */
	int is_pci;
	uint32_t dst_ip, src_ip;                       /* host byte order */
	uint16_t dst_port, src_port;
	uint8_t dst_mac[6];
	uint32_t max_orders;
	char firm[5];
	uint8_t tif;
	int line, port_line, dev_line;
};

struct tp_cfg_simex {
	uint64_t latency_ns;
	uint32_t max_orders;
};

struct tp_cfg_strat {
	struct tp_cfg_rules rules;
	struct tp_cfg_risk risk;
	struct tp_cfg_mm mm;
	char ks_state_file[TP_DP_PATH_LEN];            /* "" = not set */
	int ks_line;
	struct tp_cfg_gateway gw;
	struct tp_cfg_simex simex;
};

/* Defaults of every strategy setting (what a run without -c gets). */
void tp_cfg_strat_defaults(struct tp_cfg_strat *s);

/* The rule set a run uses: the built-in rules (unless [rules] defaults = off), each replaced
 * by a [rule.NAME] of the same name, then the config's other rules in file order. `s` NULL:
 * the built-in rules alone. Returns the count, or -1 with a reason in err. */
int tp_cfg_rules_resolve(const struct tp_cfg_strat *s, struct tp_cep_rule_def *out,
			 unsigned max, char *err, size_t errlen);

/* The built-in rules, parsed from the text of strategy/rules.ini.sample compiled into the
 * program. Returns the count, or -1 with a reason in err. */
int tp_rules_builtin(struct tp_cep_rule_def *out, unsigned max, char *err, size_t errlen);

/* The limits of a [risk] section that are not set, as a comma-separated list of keys ("" when
 * all are): for the start-up warning that those orders will be refused. */
void tp_cfg_risk_unset(const struct tp_risk_limits *lim, char *buf, size_t len);

#endif
