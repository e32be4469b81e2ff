#include "ks_ctl.h"

#include <stdio.h>
#include <string.h>

#include "tp_logprod.h"

int tp_ks_ctl_open(struct tp_ks_ctl *k, const char *path, char *err, size_t errlen)
{
	memset(k, 0, sizeof(*k));
	pthread_mutex_init(&k->lock, NULL);
	if (path && path[0])
		snprintf(k->path, sizeof(k->path), "%s", path);
	k->ks = tp_ks_create(k->path[0] ? k->path : NULL, k->load_err, sizeof(k->load_err));
	if (!k->ks) {
		snprintf(err, errlen, "kill-switch: %s", k->load_err);
		return -1;
	}
	k->corrupt = tp_ks_loaded_corrupt(k->ks);
	if (!k->corrupt)
		k->load_err[0] = '\0';
	tp_ks_status(k->ks, &k->at_start);
	/* The restore itself is audited: the report shows what came back halted. */
	tp_ks_ctl_tick(k);
	return 0;
}

static void drain_audit(struct tp_ks_ctl *k)
{
	struct tp_ks_audit_iter it;
	struct tp_ks_audit_rec r;
	tp_ks_audit_begin(k->ks, &it);
	while (tp_ks_audit_next(k->ks, &it, &r)) {
		if (k->n_audit < TP_KSCTL_AUDIT_KEEP)
			k->audit[k->n_audit++] = r;
		k->audit_total++;
		struct tp_log_slot *l = k->log ? tp_log_reserve(k->log, TP_LOG_HALT) : NULL;
		if (l) {
			l->u.halt = (struct tp_log_halt){
				.state = r.new_halted ? TP_LOG_HALT_HALTED : TP_LOG_HALT_RESUMED,
				.scope = r.locate ? TP_LOG_SCOPE_SYMBOL : TP_LOG_SCOPE_GLOBAL,
				.stock_locate = r.locate, .epoch = r.epoch, .reason = r.reason };
			snprintf(l->u.halt.source, sizeof(l->u.halt.source), "%.23s", r.who);
			tp_log_commit(k->log);
		}
	}
	tp_ks_audit_consume(k->ks, &it);
}

int tp_ks_ctl_tick(struct tp_ks_ctl *k)
{
	drain_audit(k);
	if (!k->path[0])
		return 0;
	char why[256];
	pthread_mutex_lock(&k->lock);
	int rc = tp_ks_persist_if_changed(k->ks, why, sizeof(why));
	pthread_mutex_unlock(&k->lock);
	if (rc == 0) {
		k->persists++;
		k->persist_err[0] = '\0';
	} else if (rc < 0) {
		int first = k->persist_err[0] == '\0';
		k->persist_errors++;
		snprintf(k->persist_err, sizeof(k->persist_err), "%s", why);
		if (first)
			return -1;
	}
	return 0;
}

void tp_ks_ctl_close(struct tp_ks_ctl *k)
{
	tp_ks_free(k->ks);
	k->ks = NULL;
	pthread_mutex_destroy(&k->lock);
}
