#include "tp_netparse.h"

const char *tp_net_reason_name(enum tp_net_rc rc)
{
	switch (rc) {
	case TP_NET_OK: return "ok";
	case TP_NET_TRUNCATED: return "truncated";
	case TP_NET_NOT_IPV4: return "not_ipv4";
	case TP_NET_BAD_IHL: return "bad_ihl";
	case TP_NET_BAD_TOTAL_LEN: return "bad_total_len";
	case TP_NET_FRAGMENT: return "fragment";
	case TP_NET_NOT_UDP: return "not_udp";
	case TP_NET_BAD_UDP_LEN: return "bad_udp_len";
	case TP_NET__COUNT: break;
	}
	return "unknown";
}
