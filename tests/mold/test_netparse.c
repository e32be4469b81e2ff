/* Ethernet/VLAN/IPv4/UDP parsing: the accepted shapes with exact fields, and one test per
 * reason for refusal. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mold_testutil.h"
#include "tp_netparse.h"

static const uint8_t payload[] = "0123456789abcdefghij";
#define PLEN 20u

static enum tp_net_rc parse_with(struct tu_frame_opts o, struct tp_net_udp *u, size_t *flen)
{
	static uint8_t f[256];
	size_t n = tu_frame(f, payload, PLEN, &o);
	if (flen)
		*flen = n;
	return tp_netparse(f, n, u);
}

START_TEST(untagged)
{
	struct tp_net_udp u;
	uint8_t f[256];
	struct tu_frame_opts o = TU_FRAME_DEFAULT;
	size_t n = tu_frame(f, payload, PLEN, &o);
	ck_assert_uint_eq(n, 14 + 20 + 8 + PLEN);
	ck_assert_int_eq(tp_netparse(f, n, &u), TP_NET_OK);
	ck_assert_uint_eq(u.src_ip, 0x0A000001u);
	ck_assert_uint_eq(u.dst_ip, 0xE9360C6Fu);
	ck_assert_uint_eq(u.src_port, 1000);
	ck_assert_uint_eq(u.dst_port, 26477);
	ck_assert_uint_eq(u.vlan_id, TP_NET_NO_VLAN);
	ck_assert_ptr_eq(u.payload, f + 42);
	ck_assert_uint_eq(u.payload_len, PLEN);
}
END_TEST

START_TEST(vlan)
{
	struct tp_net_udp u;
	uint8_t f[256];
	struct tu_frame_opts o = { .vlan = 0xABC };
	size_t n = tu_frame(f, payload, PLEN, &o);
	ck_assert_uint_eq(n, 18 + 20 + 8 + PLEN);
	ck_assert_int_eq(tp_netparse(f, n, &u), TP_NET_OK);
	ck_assert_uint_eq(u.vlan_id, 0xABC); /* priority bits masked off */
	ck_assert_ptr_eq(u.payload, f + 46);
	ck_assert_uint_eq(u.payload_len, PLEN);
	ck_assert_uint_eq(u.dst_port, 26477);
	o.vlan = 0;
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_OK);
	ck_assert_uint_eq(u.vlan_id, 0);
}
END_TEST

START_TEST(ip_options_and_padding)
{
	struct tp_net_udp u;
	uint8_t f[256];
	struct tu_frame_opts o = { .vlan = 5, .ihl = 7, .pad = 9 };
	size_t n = tu_frame(f, payload, PLEN, &o);
	ck_assert_int_eq(tp_netparse(f, n, &u), TP_NET_OK);
	ck_assert_ptr_eq(u.payload, f + 18 + 28 + 8);
	ck_assert_uint_eq(u.payload_len, PLEN);
	ck_assert_int_eq(memcmp(u.payload, payload, PLEN), 0);
	/* Don't-fragment is not a fragment. */
	o = (struct tu_frame_opts){ .vlan = -1, .frag = 0x4000 };
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_OK);
	/* A UDP length shorter than the IP payload: the UDP length wins. */
	o = (struct tu_frame_opts){ .vlan = -1, .udp_delta = -5 };
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_OK);
	ck_assert_uint_eq(u.payload_len, PLEN - 5);
	/* Empty payload. */
	o = (struct tu_frame_opts){ .vlan = -1 };
	n = tu_frame(f, payload, 0, &o);
	ck_assert_int_eq(tp_netparse(f, n, &u), TP_NET_OK);
	ck_assert_uint_eq(u.payload_len, 0);
}
END_TEST

START_TEST(non_ipv4)
{
	struct tp_net_udp u;
	struct tu_frame_opts o = { .vlan = -1, .ethertype = 0x86DD };
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_NOT_IPV4);
	o.ethertype = 0x0806;
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_NOT_IPV4);
	o.vlan = 7;
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_NOT_IPV4);
	/* A second VLAN tag (QinQ) is more than we take. */
	o.ethertype = 0x8100;
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_NOT_IPV4);
	o = (struct tu_frame_opts){ .vlan = -1, .ethertype = 0x88A8 };
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_NOT_IPV4);
	/* IPv4 ethertype, version 6 header. */
	o = (struct tu_frame_opts){ .vlan = -1, .version = 6 };
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_NOT_IPV4);
}
END_TEST

START_TEST(fragments)
{
	struct tp_net_udp u;
	struct tu_frame_opts o = { .vlan = -1, .frag = 0x2000 }; /* MF, offset 0 */
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_FRAGMENT);
	o.frag = 0x0001; /* offset 8 bytes, last fragment */
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_FRAGMENT);
	o.frag = 0x5FFF; /* DF + MF + max offset */
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_FRAGMENT);
}
END_TEST

START_TEST(bad_ihl)
{
	struct tp_net_udp u;
	for (uint8_t ihl = 1; ihl < 5; ihl++) {
		struct tu_frame_opts o = { .vlan = -1, .ihl = ihl };
		ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_BAD_IHL);
	}
	/* IHL 15 (60 bytes) larger than the whole datagram. */
	uint8_t f[256];
	struct tu_frame_opts o = TU_FRAME_DEFAULT;
	size_t n = tu_frame(f, payload, PLEN, &o);
	f[14] = 0x4F;
	ck_assert_int_eq(tp_netparse(f, n, &u), TP_NET_BAD_TOTAL_LEN);
}
END_TEST

START_TEST(bad_total_length)
{
	struct tp_net_udp u;
	struct tu_frame_opts o = { .vlan = 3, .total_delta = 1 };
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_BAD_TOTAL_LEN);
	o.total_delta = 1000;
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_BAD_TOTAL_LEN);
	o.total_delta = -(int)(8 + PLEN) - 1; /* 19: below the 20-byte header */
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_BAD_TOTAL_LEN);
	/* Total length stops inside the UDP header. */
	o.total_delta = -(int)PLEN - 4;
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_TRUNCATED);
}
END_TEST

START_TEST(non_udp)
{
	struct tp_net_udp u;
	struct tu_frame_opts o = { .vlan = -1, .proto = 6 };
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_NOT_UDP);
	o.proto = 1;
	o.vlan = 100;
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_NOT_UDP);
}
END_TEST

START_TEST(bad_udp_length)
{
	struct tp_net_udp u;
	struct tu_frame_opts o = { .vlan = -1, .udp_delta = 1 };
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_BAD_UDP_LEN);
	o.udp_delta = -(int)PLEN - 1; /* 7 */
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_BAD_UDP_LEN);
	o.udp_delta = -(int)PLEN - 8; /* 0 */
	ck_assert_int_eq(parse_with(o, &u, NULL), TP_NET_BAD_UDP_LEN);
}
END_TEST

START_TEST(truncated_at_every_length)
{
	struct tp_net_udp u;
	uint8_t full[256];
	for (int tagged = 0; tagged < 2; tagged++) {
		struct tu_frame_opts o = { .vlan = tagged ? 141 : -1 };
		size_t n = tu_frame(full, payload, PLEN, &o);
		size_t l2 = tagged ? 18 : 14;
		for (size_t len = 0; len < n; len++) {
			/* Copy so that ASan sees any read past `len`. */
			uint8_t *f = malloc(len ? len : 1);
			memcpy(f, full, len);
			enum tp_net_rc want = len < l2 + 20 ? TP_NET_TRUNCATED : TP_NET_BAD_TOTAL_LEN;
			ck_assert_int_eq(tp_netparse(f, len, &u), want);
			free(f);
		}
		ck_assert_int_eq(tp_netparse(full, n, &u), TP_NET_OK);
	}
}
END_TEST

START_TEST(reason_names)
{
	ck_assert_str_eq(tp_net_reason_name(TP_NET_OK), "ok");
	ck_assert_str_eq(tp_net_reason_name(TP_NET_FRAGMENT), "fragment");
	for (int r = 0; r < TP_NET__COUNT; r++)
		ck_assert_str_ne(tp_net_reason_name((enum tp_net_rc)r), "unknown");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("netparse");
	TCase *tc = tcase_create("netparse");
	tcase_add_test(tc, untagged);
	tcase_add_test(tc, vlan);
	tcase_add_test(tc, ip_options_and_padding);
	tcase_add_test(tc, non_ipv4);
	tcase_add_test(tc, fragments);
	tcase_add_test(tc, bad_ihl);
	tcase_add_test(tc, bad_total_length);
	tcase_add_test(tc, non_udp);
	tcase_add_test(tc, bad_udp_length);
	tcase_add_test(tc, truncated_at_every_length);
	tcase_add_test(tc, reason_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
