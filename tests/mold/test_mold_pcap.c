/* Real NASDAQ captures (../shared/data/itch-moldudp64, see its README) through pcapread ->
 * netparse -> mold -> arbitration, and pcapread's handling of precision and broken files. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tp_arb.h"
#include "tp_mold.h"
#include "tp_netparse.h"
#include "tp_pcapread.h"

#ifndef TP_SHARED_DATA
#error "TP_SHARED_DATA must name the shared data directory"
#endif
#define MOLD_DIR TP_SHARED_DATA "/itch-moldudp64/"

struct sample {
	const char *file;
	uint64_t seq;        /* first packet */
	const char *types;   /* first byte of each message, all packets */
	uint64_t ts_ns;      /* first frame */
};

static const struct sample samples[] = {
	{ "AddOrderNoMpidAttributionMessage.pcap", 14757721, "A", 1692711000000059094ull },
	{ "MarketParticipantPositionMessage.pcap", 17861990, "L", 1692711024494967428ull },
	{ "NetOrderImbalanceIndicatorMessage.pcap", 14757919, "I", 1692711000000434142ull },
	{ "OrderDeleteMessage.pcap", 14757722, "D", 1692711000000059938ull },
	{ "OrderExecutedMessage.pcap", 14757745, "E", 1692711000000100490ull },
	{ "OrderReplaceMessage.pcap", 14757701, "U", 1692711000000001318ull },
	{ "StockTradingActionMessage.pcap", 34147961, "H", 1692711563322630726ull },
};

#define MULTI_TYPES "D" "AAAAAAAAFAAAAFAAAAAAAAAAAAAAAAAAAAAAAA"

struct frame {
	uint8_t data[2048];
	uint32_t len;
	uint64_t ts_ns;
};

/* Reads every frame of a capture and checks the network layer on each. */
static unsigned read_all(const char *file, struct frame *fr, unsigned max)
{
	char path[512], err[512];
	snprintf(path, sizeof(path), "%s%s", MOLD_DIR, file);
	struct tp_pcapread *r = tp_pcapread_open(path, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_int_eq(tp_pcapread_linktype(r), 1);
	struct tp_pcap_frame f;
	unsigned n = 0;
	int rc;
	while ((rc = tp_pcapread_next(r, &f)) == 1) {
		ck_assert_uint_lt(n, max);
		ck_assert_uint_eq(f.caplen, f.wirelen);
		ck_assert_uint_le(f.caplen, sizeof(fr[n].data));
		memcpy(fr[n].data, f.data, f.caplen);
		fr[n].len = f.caplen;
		fr[n].ts_ns = f.ts_ns;
		n++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(tp_pcapread_frames(r), n);
	tp_pcapread_close(r);
	return n;
}

static void udp_of(const struct frame *f, struct tp_net_udp *u)
{
	ck_assert_int_eq(tp_netparse(f->data, f->len, u), TP_NET_OK);
	ck_assert_uint_eq(u->vlan_id, 141);
	ck_assert_uint_eq(u->dst_ip, 0xE9360C6Fu); /* 233.54.12.111 */
	ck_assert_uint_eq(u->dst_port, 26477);
	ck_assert_uint_eq(u->src_ip, 0xCEC87F8Au); /* 206.200.127.138 */
	ck_assert_uint_eq(u->src_port, 49653);
}

/* Pushes all frames on `lines` (1: A only, 2: A then B) and collects message types. */
static void run_arb(struct tp_arb *a, const struct frame *fr, unsigned n, unsigned lines,
		    char *types, uint64_t *seqs, unsigned *nmsg)
{
	for (unsigned i = 0; i < n; i++) {
		struct tp_net_udp u;
		udp_of(&fr[i], &u);
		for (unsigned line = 0; line < lines; line++) {
			tp_arb_push(a, u.payload, u.payload_len, line, fr[i].ts_ns);
			struct tp_arb_item it;
			enum tp_arb_kind k;
			while ((k = tp_arb_next(a, &it)) != TP_ARB_NONE) {
				ck_assert_int_eq(k, TP_ARB_MSG);
				seqs[*nmsg] = it.seq;
				types[(*nmsg)++] = (char)it.msg[0];
			}
		}
	}
	types[*nmsg] = 0;
}

START_TEST(single_message_samples)
{
	const struct sample *s = &samples[_i];
	struct frame fr[4];
	unsigned n = read_all(s->file, fr, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(fr[0].ts_ns, s->ts_ns);

	struct tp_net_udp u;
	udp_of(&fr[0], &u);
	struct tp_mold_pkt p;
	ck_assert_int_eq(tp_mold_parse(u.payload, u.payload_len, &p), TP_MOLD_OK);
	ck_assert_int_eq(memcmp(p.session, "000010059B", 10), 0);
	ck_assert_uint_eq(p.seq, s->seq);
	ck_assert_uint_eq(p.count, 1);
	ck_assert_int_eq(p.kind, TP_MOLD_DATA);

	/* Both lines carry it: delivered once, one duplicate. */
	struct tp_arb *a = tp_arb_create(NULL);
	char types[8];
	uint64_t seqs[8];
	unsigned nmsg = 0;
	run_arb(a, fr, n, 2, types, seqs, &nmsg);
	tp_arb_finish(a);
	struct tp_arb_item it;
	ck_assert_int_eq(tp_arb_next(a, &it), TP_ARB_NONE);
	ck_assert_str_eq(types, s->types);
	ck_assert_uint_eq(seqs[0], s->seq);
	const struct tp_arb_stats *st = tp_arb_stats(a);
	ck_assert_uint_eq(st->messages, 1);
	ck_assert_uint_eq(st->duplicates, 1);
	ck_assert_uint_eq(st->gap_events, 0);
	ck_assert_uint_eq(st->malformed, 0);
	ck_assert_uint_eq(tp_arb_expected(a), s->seq + 1);
	ck_assert_int_eq(memcmp(tp_arb_session(a), "000010059B", 10), 0);
	tp_arb_free(a);
}
END_TEST

START_TEST(multiple_packets_contents)
{
	struct frame fr[4];
	unsigned n = read_all("Multiple.Packets.pcap", fr, 4);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(fr[0].ts_ns, 1692711000007661955ull);
	ck_assert_uint_eq(fr[1].ts_ns, 1692711038952561782ull);
	static const uint64_t seq[2] = { 14764496, 19009117 };
	static const uint16_t cnt[2] = { 1, 38 };
	unsigned k = 0;
	for (unsigned i = 0; i < 2; i++) {
		struct tp_net_udp u;
		udp_of(&fr[i], &u);
		struct tp_mold_pkt p;
		ck_assert_int_eq(tp_mold_parse(u.payload, u.payload_len, &p), TP_MOLD_OK);
		ck_assert_uint_eq(p.seq, seq[i]);
		ck_assert_uint_eq(p.count, cnt[i]);
		struct tp_mold_iter itr;
		const uint8_t *m;
		uint16_t l;
		tp_mold_iter_init(&itr, &p);
		while (tp_mold_iter_next(&itr, &m, &l)) {
			ck_assert_uint_eq(m[0], (uint8_t)MULTI_TYPES[k]);
			ck_assert_uint_eq(l, m[0] == 'D' ? 19 : m[0] == 'A' ? 36 : 40);
			if (i == 1) /* stock locate, bytes 1..2 */
				ck_assert_uint_eq(tp_be16(m + 1), 6514);
			k++;
		}
	}
	ck_assert_uint_eq(k, 39);
}
END_TEST

static void check_multi_gap(struct tp_arb *a, const char *types, const uint64_t *seqs,
			    unsigned nmsg)
{
	ck_assert_uint_eq(nmsg, 39);
	ck_assert_str_eq(types, MULTI_TYPES);
	ck_assert_uint_eq(seqs[0], 14764496u);
	for (unsigned i = 1; i < 39; i++)
		ck_assert_uint_eq(seqs[i], 19009117u + (i - 1));
	const struct tp_arb_stats *st = tp_arb_stats(a);
	ck_assert_uint_eq(st->gap_events, 1);
	ck_assert_uint_eq(st->messages_missing, 19009116u - 14764497u + 1u);
	ck_assert_uint_eq(st->messages_missing, 4244620u);
	ck_assert_uint_eq(st->messages, 39);
	ck_assert_uint_eq(tp_arb_expected(a), 19009117u + 38u);
}

/* Drains after finish/tick: the gap first, then the 38 messages that waited behind it. */
static void drain_gap_then_msgs(struct tp_arb *a, char *types, uint64_t *seqs, unsigned *nmsg)
{
	struct tp_arb_item it;
	ck_assert_int_eq(tp_arb_next(a, &it), TP_ARB_GAP);
	ck_assert_uint_eq(it.seq, 14764497u);
	ck_assert_uint_eq(it.count, 4244620u);
	enum tp_arb_kind k;
	while ((k = tp_arb_next(a, &it)) != TP_ARB_NONE) {
		ck_assert_int_eq(k, TP_ARB_MSG);
		seqs[*nmsg] = it.seq;
		types[(*nmsg)++] = (char)it.msg[0];
	}
	types[*nmsg] = 0;
}

START_TEST(multiple_packets_gap_at_finish)
{
	struct frame fr[4];
	unsigned n = read_all("Multiple.Packets.pcap", fr, 4);
	struct tp_arb *a = tp_arb_create(NULL);
	char types[64];
	uint64_t seqs[64];
	unsigned nmsg = 0;
	run_arb(a, fr, n, 1, types, seqs, &nmsg);
	/* The second packet waits for a hole nobody fills. */
	ck_assert_uint_eq(nmsg, 1);
	ck_assert_uint_eq(tp_arb_waiting(a), 1);
	uint64_t hs, hc;
	ck_assert(tp_arb_front_hole(a, &hs, &hc));
	ck_assert_uint_eq(hs, 14764497u);
	ck_assert_uint_eq(hc, 4244620u);
	uint8_t req[20];
	ck_assert_uint_eq(tp_mold_build_request(req, sizeof(req), tp_arb_session(a), 10, hs,
						hc > 0xFFFF ? 0xFFFF : (uint16_t)hc), 20);
	static const uint8_t want[20] = { '0', '0', '0', '0', '1', '0', '0', '5', '9', 'B',
					  0, 0, 0, 0, 0x00, 0xE1, 0x49, 0xD1, 0xFF, 0xFF };
	ck_assert_int_eq(memcmp(req, want, 20), 0);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 0);

	tp_arb_finish(a);
	drain_gap_then_msgs(a, types, seqs, &nmsg);
	check_multi_gap(a, types, seqs, nmsg);
	ck_assert_uint_eq(tp_arb_stats(a)->gaps_at_finish, 1);
	tp_arb_free(a);
}
END_TEST

START_TEST(multiple_packets_gap_at_window)
{
	struct frame fr[4];
	unsigned n = read_all("Multiple.Packets.pcap", fr, 4);
	struct tp_arb *a = tp_arb_create(NULL); /* window 100000 ns */
	char types[64];
	uint64_t seqs[64];
	unsigned nmsg = 0;
	run_arb(a, fr, n, 2, types, seqs, &nmsg);
	ck_assert_uint_eq(nmsg, 1);
	tp_arb_tick(a, fr[1].ts_ns + 100000);
	struct tp_arb_item it;
	ck_assert_int_eq(tp_arb_next(a, &it), TP_ARB_NONE);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 0);
	tp_arb_tick(a, fr[1].ts_ns + 100001);
	drain_gap_then_msgs(a, types, seqs, &nmsg);
	check_multi_gap(a, types, seqs, nmsg);
	const struct tp_arb_stats *st = tp_arb_stats(a);
	ck_assert_uint_eq(st->gaps_by_time, 1);
	ck_assert_uint_eq(st->duplicates, 39); /* B repeated both packets */
	tp_arb_finish(a);
	ck_assert_int_eq(tp_arb_next(a, &it), TP_ARB_NONE);
	ck_assert_uint_eq(st->gap_events, 1);
	tp_arb_free(a);
}
END_TEST

/* --- pcapread on files it must refuse or convert --- */

static char tmp_path[512];

static FILE *tmp_file(void)
{
	const char *dir = getenv("TMPDIR");
	snprintf(tmp_path, sizeof(tmp_path), "%s/tp_mold_XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(tmp_path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(f);
	return f;
}

static void put32(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); } /* host order = file order */
static void put16(FILE *f, uint16_t v) { fwrite(&v, 2, 1, f); }

START_TEST(missing_file)
{
	char err[512] = "";
	struct tp_pcapread *r = tp_pcapread_open(MOLD_DIR "no-such-file.pcap", err, sizeof(err));
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(strstr(err, "no-such-file.pcap"));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(not_a_capture)
{
	FILE *f = tmp_file();
	fputs("this is not a capture file, just text\n", f);
	fclose(f);
	char err[512] = "";
	struct tp_pcapread *r = tp_pcapread_open(tmp_path, err, sizeof(err));
	ck_assert_ptr_null(r);
	ck_assert_int_eq(strncmp(err, tmp_path, strlen(tmp_path)), 0);
	ck_assert_uint_gt(strlen(err), strlen(tmp_path) + 2);
	unlink(tmp_path);
}
END_TEST

START_TEST(truncated_capture)
{
	/* Multiple.Packets.pcap cut in the middle of its second frame. */
	FILE *in = fopen(MOLD_DIR "Multiple.Packets.pcap", "rb");
	ck_assert_ptr_nonnull(in);
	uint8_t buf[4096];
	size_t n = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	ck_assert_uint_eq(n, 1661);
	FILE *f = tmp_file();
	fwrite(buf, 1, 24 + 16 + 87 + 16 + 100, f);
	fclose(f);
	char err[512];
	struct tp_pcapread *r = tp_pcapread_open(tmp_path, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	struct tp_pcap_frame fr;
	ck_assert_int_eq(tp_pcapread_next(r, &fr), 1);
	ck_assert_uint_eq(fr.caplen, 87);
	ck_assert_int_eq(tp_pcapread_next(r, &fr), -1);
	const char *e = tp_pcapread_error(r);
	ck_assert_int_eq(strncmp(e, tmp_path, strlen(tmp_path)), 0);
	ck_assert_ptr_nonnull(strstr(e, "after 1 frames"));
	ck_assert_ptr_nonnull(strstr(e, "truncated"));
	tp_pcapread_close(r);
	unlink(tmp_path);
}
END_TEST

START_TEST(microsecond_capture_and_empty_capture)
{
	/* The OrderDelete frame again, in a microsecond-resolution file. */
	struct frame fr[2];
	ck_assert_uint_eq(read_all("OrderDeleteMessage.pcap", fr, 2), 1);
	FILE *f = tmp_file();
	put32(f, 0xA1B2C3D4u);
	put16(f, 2);
	put16(f, 4);
	put32(f, 0);
	put32(f, 0);
	put32(f, 65535);
	put32(f, 1);
	put32(f, 1692711000u);
	put32(f, 123456u);
	put32(f, fr[0].len);
	put32(f, fr[0].len);
	fwrite(fr[0].data, 1, fr[0].len, f);
	fclose(f);
	char err[512];
	struct tp_pcapread *r = tp_pcapread_open(tmp_path, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	struct tp_pcap_frame pf;
	ck_assert_int_eq(tp_pcapread_next(r, &pf), 1);
	ck_assert_uint_eq(pf.ts_ns, 1692711000123456000ull);
	ck_assert_uint_eq(pf.caplen, fr[0].len);
	ck_assert_int_eq(memcmp(pf.data, fr[0].data, fr[0].len), 0);
	ck_assert_int_eq(tp_pcapread_next(r, &pf), 0);
	tp_pcapread_close(r);
	unlink(tmp_path);

	/* Header only: opens, no frames. */
	f = tmp_file();
	put32(f, 0xA1B23C4Du);
	put16(f, 2);
	put16(f, 4);
	put32(f, 0);
	put32(f, 0);
	put32(f, 65535);
	put32(f, 1);
	fclose(f);
	r = tp_pcapread_open(tmp_path, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_int_eq(tp_pcapread_next(r, &pf), 0);
	ck_assert_uint_eq(tp_pcapread_frames(r), 0);
	tp_pcapread_close(r);
	unlink(tmp_path);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mold_pcap");
	TCase *tc = tcase_create("real");
	tcase_add_loop_test(tc, single_message_samples, 0,
			    (int)(sizeof(samples) / sizeof(samples[0])));
	tcase_add_test(tc, multiple_packets_contents);
	tcase_add_test(tc, multiple_packets_gap_at_finish);
	tcase_add_test(tc, multiple_packets_gap_at_window);
	suite_add_tcase(s, tc);
	TCase *tp = tcase_create("pcapread");
	tcase_add_test(tp, missing_file);
	tcase_add_test(tp, not_a_capture);
	tcase_add_test(tp, truncated_capture);
	tcase_add_test(tp, microsecond_capture_and_empty_capture);
	suite_add_tcase(s, tp);
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
