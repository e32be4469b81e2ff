/* How long an operator waits for a kill: tickpipe-ctl's request -> the control thread's
 * acknowledgement, over the real control socket (dataplane/ctl), with the halt visible to
 * every order by the time the ack arrives (checked on every cycle). Each cycle is a timed
 * `kill --reason` (global scope) and an untimed `resume --confirm`, on one connection.
 * Cases:
 *   kill_rtt_idle   nothing else runs
 *   kill_rtt_busy   one thread spins on every online CPU (pinned, normal priority), the
 *                   way polling lcores keep their cores: the control thread and the client
 *                   have to get a CPU from them
 * The kill-switch has no state file here: the file is written after the reply and is not
 * part of the ack (the resume, untimed, persists synchronously when there is one).
 * Figures: p50/p99/p999/max of the round trip in ns, one JSON line per case. */
#include <stdatomic.h>
#include <unistd.h>

#include "bench_common.h"
#include "tp_ctl_client.h"
#include "tp_ctl_server.h"
#include "tp_killswitch.h"

static void usage(FILE *o)
{
	fprintf(o,
		"Usage: bench_ctl [--cycles N] [--case LIST] [--quick]\n"
		"Control-socket kill round trip (request -> acknowledgement).\n"
		"  --cycles N  kill/resume cycles per case (default 10000)\n"
		"  --case LIST comma-separated: kill_rtt_idle, kill_rtt_busy\n"
		"  --quick     300 cycles (smoke run)\n");
}

static void die(const char *what, const char *err)
{
	fprintf(stderr, "bench_ctl: %s: %s\n", what, err);
	exit(1);
}

struct spinner {
	pthread_t t;
	int cpu;
	_Atomic int *stop;
	uint64_t spins;
};

static void *spin_main(void *p)
{
	struct spinner *s = p;
	tp_bench_pin(s->cpu);
	/* relaxed: a stop flag read in a loop, nothing to order with it */
	while (!atomic_load_explicit(s->stop, memory_order_relaxed)) {
		tp_bench_relax();
		s->spins++;
	}
	return NULL;
}

static int run_case(const char *name, uint64_t cycles, int busy)
{
	char dir[] = "/tmp/bench_ctl.XXXXXX", sock[64], err[256];
	if (!mkdtemp(dir))
		die("mkdtemp", strerror(errno));
	snprintf(sock, sizeof(sock), "%s/ctl.sock", dir);
	struct tp_killswitch *ks = tp_ks_create(NULL, err, sizeof(err));
	if (!ks)
		die("kill-switch", err);
	struct tp_ctl_config c = { .socket_path = sock, .ks = ks };
	struct tp_ctl_server *srv = tp_ctl_server_create(&c, err, sizeof(err));
	if (!srv || tp_ctl_server_start(srv, err, sizeof(err)) != 0)
		die("control server", err);

	_Atomic int stop = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct spinner sp[64];
	int nsp = busy ? (int)(ncpu < 64 ? ncpu : 64) : 0;
	for (int i = 0; i < nsp; i++) {
		sp[i] = (struct spinner){ .cpu = i, .stop = &stop };
		if (pthread_create(&sp[i].t, NULL, spin_main, &sp[i]) != 0)
			die("spinner", strerror(errno));
	}

	int fd = tp_ctl_connect(sock, err, sizeof(err));
	if (fd < 0)
		die("connect", err);
	uint64_t *rtt = malloc(cycles * sizeof(*rtt));
	char reply[4096];
	const char *kill[] = { "kill", "--reason", "bench" };
	const char *resume[] = { "resume", "--reason", "bench", "--confirm" };
	uint64_t verified = 0, pre = tp_bench_preemptions();
	for (uint64_t i = 0; i < cycles; i++) {
		size_t len;
		uint64_t t0 = tp_bench_now_ns();
		if (tp_ctl_call(fd, 3, kill, 10000, reply, sizeof(reply), &len, err, sizeof(err)) != 0)
			die("kill", err);
		rtt[i] = tp_bench_now_ns() - t0;
		/* the ack means the word every order reads already says halted */
		verified += (uint64_t)(tp_ks_blocked(ks, (uint16_t)i) &&
				       strstr(reply, "\"action\":\"halted\"") != NULL);
		if (tp_ctl_call(fd, 4, resume, 10000, reply, sizeof(reply), &len, err,
				sizeof(err)) != 0 ||
		    !strstr(reply, "\"action\":\"resumed\""))
			die("resume", reply);
	}
	uint64_t preempt = tp_bench_preemptions() - pre;
	close(fd);
	atomic_store(&stop, 1);
	for (int i = 0; i < nsp; i++)
		pthread_join(sp[i].t, NULL);
	tp_ctl_server_free(srv);
	tp_ks_free(ks);
	rmdir(dir);

	double mean = 0;
	for (uint64_t i = 0; i < cycles; i++)
		mean += (double)rtt[i];
	mean /= (double)cycles;
	tp_bench_sort_u64(rtt, cycles);
	struct tp_bench_json j;
	tp_bench_json_begin(&j, "ctl", "tickpipe", name);
	tp_bench_json_u64(&j, "p50_ns", tp_bench_pct_u64(rtt, cycles, 50));
	tp_bench_json_u64(&j, "p99_ns", tp_bench_pct_u64(rtt, cycles, 99));
	tp_bench_json_u64(&j, "p999_ns", tp_bench_pct_u64(rtt, cycles, 99.9));
	tp_bench_json_u64(&j, "max_ns", rtt[cycles - 1]);
	tp_bench_json_f64(&j, "mean_ns", mean);
	tp_bench_json_u64(&j, "cycles", cycles);
	tp_bench_json_u64(&j, "busy_threads", (uint64_t)nsp);
	tp_bench_json_u64(&j, "verified", verified);
	tp_bench_json_u64(&j, "client_preemptions", preempt);
	tp_bench_json_end(&j);
	free(rtt);
	return verified == cycles ? 0 : 1;
}

int main(int argc, char **argv)
{
	uint64_t cycles = 10000;
	const char *cases = "kill_rtt_idle,kill_rtt_busy";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--quick")) {
			cycles = 300;
		} else if (!strcmp(a, "--cycles") && v &&
			   !tp_bench_parse_u64(v, 1, 10000000, &cycles)) {
			i++;
		} else if (!strcmp(a, "--case") && v) {
			cases = v;
			i++;
		} else {
			fprintf(stderr, "bench_ctl: bad argument '%s' (try --help)\n", a);
			return 2;
		}
	}
	int rc = 0;
	if (tp_bench_in_list(cases, "kill_rtt_idle"))
		rc |= run_case("kill_rtt_idle", cycles, 0);
	if (tp_bench_in_list(cases, "kill_rtt_busy"))
		rc |= run_case("kill_rtt_busy", cycles, 1);
	return rc;
}
