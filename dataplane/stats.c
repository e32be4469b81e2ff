#include "stats.h"

const char *tp_rej_name(unsigned r)
{
	if (r < TP_NET__COUNT)
		return tp_net_reason_name((enum tp_net_rc)r);
	switch (r) {
	case TP_REJ_MULTISEG: return "multiseg";
	case TP_REJ_NOT_MOLD: return "not_moldudp64";
	case TP_REJ_UNROUTED: return "unrouted";
	case TP_REJ_EXTRA_LINE: return "extra_line";
	case TP_REJ_FOREIGN: return "foreign_lcore";
	default: return "unknown";
	}
}

int tp_rej_is_malformed(unsigned r)
{
	return (r > 0 && r < TP_NET__COUNT) || r == TP_REJ_MULTISEG || r == TP_REJ_NOT_MOLD;
}
