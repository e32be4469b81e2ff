/* ITCH 5.0: the length table and the cold helpers. The decoder itself is inline in
 * tp_itch.h. */
#include "tp_itch.h"

/* Indexed by the type byte so a lookup is one load, with no branch on the letter. */
const uint8_t tp_itch_len_table[256] = {
	['S'] = 12, ['R'] = 39, ['H'] = 25, ['Y'] = 20, ['L'] = 26, ['V'] = 35,
	['W'] = 12, ['K'] = 28, ['J'] = 35, ['h'] = 21, ['A'] = 36, ['F'] = 40,
	['E'] = 31, ['C'] = 36, ['X'] = 23, ['D'] = 19, ['U'] = 35, ['P'] = 44,
	['Q'] = 40, ['B'] = 19, ['I'] = 50, ['N'] = 20, ['O'] = 48,
};

const char *tp_itch_type_name(uint8_t type)
{
	switch (type) {
	case 'S': return "System Event";
	case 'R': return "Stock Directory";
	case 'H': return "Stock Trading Action";
	case 'Y': return "Reg SHO Restriction";
	case 'L': return "Market Participant Position";
	case 'V': return "MWCB Decline Level";
	case 'W': return "MWCB Status";
	case 'K': return "IPO Quoting Period Update";
	case 'J': return "LULD Auction Collar";
	case 'h': return "Operational Halt";
	case 'A': return "Add Order";
	case 'F': return "Add Order MPID";
	case 'E': return "Order Executed";
	case 'C': return "Order Executed With Price";
	case 'X': return "Order Cancel";
	case 'D': return "Order Delete";
	case 'U': return "Order Replace";
	case 'P': return "Trade";
	case 'Q': return "Cross Trade";
	case 'B': return "Broken Trade";
	case 'I': return "Net Order Imbalance Indicator";
	case 'N': return "Retail Price Improvement Indicator";
	case 'O': return "Direct Listing Capital Raise";
	default: return "Unknown";
	}
}

size_t tp_itch_alpha(char *dst, size_t dstsz, const char *src, size_t n)
{
	if (dstsz == 0)
		return 0;
	/* NUL counts as padding too: some writers pad with it instead of spaces. */
	while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == '\0'))
		n--;
	if (n > dstsz - 1)
		n = dstsz - 1;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}
