// SPDX-License-Identifier: GPL-2.0
/* ringlib: see ringlib.h. */
#define _GNU_SOURCE
#include "ringlib.h"

long long rl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void rl_unmap(struct rl_map *m)
{
	unsigned int i;

	for (i = 0; i < m->info.nr_rings && i < RL_MAX_RINGS; i++) {
		if (m->r[i].cons)
			munmap(m->r[i].cons, m->info.page_size);
		if (m->r[i].prod)
			munmap((void *)m->r[i].prod, m->r[i].map_len);
		m->r[i].cons = NULL;
		m->r[i].prod = NULL;
	}
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

int rl_map_open(struct rl_map *m)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->fd = open(RL_DEV, O_RDWR | O_CLOEXEC);
	if (m->fd < 0)
		return -errno;
	if (ioctl(m->fd, ICMPT_IOC_INFO, &m->info) ||
	    m->info.abi_version != ICMPT_ABI_VERSION || !m->info.nr_rings ||
	    m->info.nr_rings > RL_MAX_RINGS) {
		int e = errno ? errno : EPROTO;

		close(m->fd);
		m->fd = -1;
		return -e;
	}
	for (i = 0; i < m->info.nr_rings; i++) {
		off_t base = (off_t)i * m->info.ring_stride;
		void *c, *p;

		m->r[i].map_len = m->info.page_size + 2 * m->info.data_size;
		c = mmap(NULL, m->info.page_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 m->fd, base);
		p = mmap(NULL, m->r[i].map_len, PROT_READ, MAP_SHARED, m->fd,
			 base + m->info.page_size);
		if (c == MAP_FAILED || p == MAP_FAILED) {
			int e = errno;

			if (c != MAP_FAILED)
				munmap(c, m->info.page_size);
			if (p != MAP_FAILED)
				munmap(p, m->r[i].map_len);
			rl_unmap(m);
			return -e;
		}
		m->r[i].cons = c;
		m->r[i].prod = p;
		m->r[i].data = (const uint8_t *)p + m->info.page_size;
	}
	return 0;
}

uint64_t rl_drops(const struct icmpt_producer_page *p)
{
	return __atomic_load_n(&p->dropped, __ATOMIC_RELAXED) +
	       __atomic_load_n(&p->dropped_bad_consumer, __ATOMIC_RELAXED) +
	       __atomic_load_n(&p->dropped_nested, __ATOMIC_RELAXED);
}

void rl_skip_all(struct rl_map *m)
{
	unsigned int i;

	for (i = 0; i < m->info.nr_rings; i++)
		rl_set_cons(&m->r[i], rl_prod_pos(&m->r[i]));
}

long rl_drain(struct rl_map *m, unsigned int i, rl_rec_fn fn, void *ctx)
{
	struct rl_ring *r = &m->r[i];
	uint64_t prod = rl_prod_pos(r), cons = rl_cons_pos(r);
	uint64_t mask = m->info.data_size - 1;
	static uint8_t buf[(sizeof(struct icmpt_event) + ICMPT_SNAPLEN_MAX + 7) & ~7];
	long n = 0;

	if (prod - cons > m->info.data_size)
		return -1;
	while (cons != prod) {
		struct icmpt_rec_hdr hdr;

		if (prod - cons < sizeof(hdr))
			return -1;
		memcpy(&hdr, r->data + (cons & mask), sizeof(hdr));
		if (hdr.len < sizeof(hdr) || hdr.len % ICMPT_REC_ALIGN ||
		    hdr.len > prod - cons || hdr.len > sizeof(buf))
			return -1;
		memcpy(buf, r->data + (cons & mask), hdr.len);
		if (fn)
			fn(ctx, i, &hdr, buf);
		cons += hdr.len;
		n++;
	}
	rl_set_cons(r, cons);
	return n;
}

static void rl_keep_ev(void *ctx, unsigned int ring, const struct icmpt_rec_hdr *hdr,
		       const void *rec)
{
	struct rl_evs *e = ctx;
	size_t n = hdr->len < sizeof(e->ev[0]) ? hdr->len : sizeof(e->ev[0]);

	if (hdr->type != ICMPT_REC_PACKET || e->n == RL_EVS_MAX)
		return;
	memset(&e->ev[e->n], 0, sizeof(e->ev[0]));
	memcpy(&e->ev[e->n++], rec, n);
}

void rl_collect(struct rl_map *m, struct rl_evs *e, int want, int timeout_ms)
{
	long long end = rl_now_ms() + vm_scaled_ms(timeout_ms);
	unsigned int i;

	do {
		for (i = 0; i < m->info.nr_rings; i++)
			rl_drain(m, i, rl_keep_ev, e);
		if (e->n >= want)
			break;
		usleep(20 * 1000);
	} while (rl_now_ms() < end);
}

int rl_nr_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

int rl_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

int rl_raw_socket(void)
{
	struct icmp_filter filt = { .data = ~0U };
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);

	if (fd >= 0)
		setsockopt(fd, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt));
	return fd;
}

size_t rl_build(uint8_t *buf, int type, uint16_t id, uint16_t seq)
{
	memcpy(buf + 8, "icmptrace-stress-payload", 24);
	return vm_echo_build(buf, type, id, seq, 24, NULL);
}

int rl_flood_start(pid_t *pids, int ncpu, const char *netns, const char *dst,
		   int type, uint16_t id, long count, volatile long *sent)
{
	int cpu;

	for (cpu = 0; cpu < ncpu; cpu++) {
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0) {
			struct sockaddr_in sin = { .sin_family = AF_INET };
			uint8_t buf[32];
			long i;
			int fd;

			signal(SIGTERM, SIG_DFL);
			if (rl_pin(cpu) || (netns && vm_netns_enter(netns)))
				_exit(10);
			fd = rl_raw_socket();
			if (fd < 0)
				_exit(11);
			inet_pton(AF_INET, dst, &sin.sin_addr);
			for (i = 0; !count || i < count; i++) {
				size_t len = rl_build(buf, type, id, (uint16_t)i);

				if (sendto(fd, buf, len, 0, (struct sockaddr *)&sin,
					   sizeof(sin)) == (ssize_t)len && sent)
					__atomic_add_fetch(&sent[cpu], 1, __ATOMIC_RELAXED);
				/*
				 * On loopback every send also runs the receive
				 * softirq.  Two CPUs doing nothing else, under
				 * emulation, starve RCU's kthread into a stall
				 * (5.10, 6.1-rt): a short sleep now and then
				 * lets it run, at well under 1% of the rate.
				 */
				if ((i & 63) == 63)
					usleep(20);
				/*
				 * An endless flood (count 0) is background
				 * traffic while modules come and go: at 16 a
				 * millisecond at most, so the guest still runs
				 * rmmod's jump-label patching and RCU; 5.10
				 * under emulation locked up without it.
				 */
				if (!count && (i & 15) == 15)
					usleep(1000);
			}
			_exit(0);
		}
		pids[cpu] = pid;
	}
	return 0;
}

int rl_flood_wait(pid_t *pids, int ncpu, int stop)
{
	int cpu, bad = 0;

	for (cpu = 0; cpu < ncpu; cpu++) {
		int st;

		if (stop)
			kill(pids[cpu], SIGTERM);
		if (waitpid(pids[cpu], &st, 0) != pids[cpu])
			bad++;
		else if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0) &&
			 !(stop && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM))
			bad++;
	}
	return bad ? -1 : 0;
}

volatile long *rl_shared_counters(int n)
{
	void *p = mmap(NULL, sizeof(long) * n, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

size_t rl_slurp(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t got = 0;

	if (f) {
		got = fread(buf, 1, n - 1, f);
		fclose(f);
	}
	buf[got] = 0;
	return got;
}

int rl_reader_start(struct rl_reader *rd, const char *tag,
		    const char *const *args)
{
	const char *argv[16] = { "build/icmptrace" };
	long long deadline;
	int i;

	snprintf(rd->out, sizeof(rd->out), "/tmp/rl-%s.out", tag);
	snprintf(rd->err, sizeof(rd->err), "/tmp/rl-%s.err", tag);
	for (i = 0; args && args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	unlink(rd->out);
	unlink(rd->err);
	rd->pid = fork();
	if (rd->pid < 0)
		return -1;
	if (rd->pid == 0) {
		int o = open(rd->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(rd->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0)
			_exit(126);
		dup2(o, 1);
		dup2(e, 2);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	deadline = rl_now_ms() + vm_scaled_ms(20000);
	while (rl_now_ms() < deadline) {
		char buf[4096];
		int st;

		rl_slurp(rd->err, buf, sizeof(buf));
		if (strstr(buf, "listening on"))
			return 0;
		if (waitpid(rd->pid, &st, WNOHANG) == rd->pid) {
			rd->pid = 0;
			return -1;
		}
		usleep(20000);
	}
	return -1;
}

void rl_reader_quiet(const struct rl_reader *rd, int quiet_ms, int max_ms)
{
	long long deadline = rl_now_ms() + vm_scaled_ms(max_ms), since = rl_now_ms();
	off_t last = -1;

	quiet_ms = vm_scaled_ms(quiet_ms);
	while (rl_now_ms() < deadline && rl_now_ms() - since < quiet_ms) {
		struct stat st;
		off_t sz = stat(rd->out, &st) ? 0 : st.st_size;

		if (sz != last) {
			last = sz;
			since = rl_now_ms();
		}
		usleep(50000);
	}
}

int rl_reader_stop(struct rl_reader *rd, int sig)
{
	long long deadline = rl_now_ms() + vm_scaled_ms(30000);
	int st = 0;

	if (rd->pid <= 0)
		return -1;
	kill(rd->pid, sig);
	while (waitpid(rd->pid, &st, WNOHANG) != rd->pid) {
		if (rl_now_ms() > deadline) {
			kill(rd->pid, SIGKILL);
			waitpid(rd->pid, &st, 0);
			break;
		}
		usleep(20000);
	}
	rd->pid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int rl_reader_summary(const struct rl_reader *rd, unsigned long long *recs,
		      unsigned long long *dropped, unsigned long long *left_unread)
{
	static char buf[65536];
	const char *p;

	rl_slurp(rd->err, buf, sizeof(buf));
	p = strstr(buf, "icmptrace: ");
	while (p) {
		unsigned long long unread = 0;
		int n = sscanf(p, "icmptrace: %llu records, %llu dropped, %llu left unread", recs,
			       dropped, &unread);

		if (n >= 2) {
			if (left_unread)
				*left_unread = unread;
			return 0;
		}
		p = strstr(p + 1, "icmptrace: ");
	}
	return -1;
}

long rl_kv_num(const char *line, const char *key)
{
	size_t kl = strlen(key);
	const char *p = line;

	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == '=')
			return strtol(p + kl + 1, NULL, 0);
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return -1;
}

long rl_count_kv(const char *path, int type, int id, long *other)
{
	char line[8192];
	FILE *f = fopen(path, "r");
	long n = 0;

	*other = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (rl_kv_num(line, "type") == type && rl_kv_num(line, "id") == id)
			n++;
		else
			(*other)++;
	}
	fclose(f);
	return n;
}

int rl_rmmod(void)
{
	return syscall(SYS_delete_module, "icmptrace", O_NONBLOCK) ? -errno : 0;
}

int rl_insmod(const char *params)
{
	const char *ko = getenv("IT_MODULE");
	int fd, err = 0;

	if (!ko || !*ko)
		return -ENOENT;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params ? params : "", 0))
		err = -errno;
	close(fd);
	return err;
}

int rl_insmod_ko(const char *ko, const char *params)
{
	const char *saved = getenv("IT_MODULE");
	char keep[512];
	int err;

	snprintf(keep, sizeof(keep), "%s", saved ? saved : "");
	setenv("IT_MODULE", ko, 1);
	err = rl_insmod(params);
	setenv("IT_MODULE", keep, 1);
	return err;
}

int rl_loaded(void)
{
	return access("/sys/module/icmptrace", F_OK) == 0;
}

int rl_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

size_t rl_det_size(unsigned int kind)
{
	const struct icmpt_detail *d = NULL;

	switch (kind) {
	case ICMPT_DET_NONE: return 0;
	case ICMPT_DET_ECHO: return sizeof(d->u.echo);
	case ICMPT_DET_ERROR: return sizeof(d->u.error);
	case ICMPT_DET_TSTAMP: return sizeof(d->u.tstamp);
	case ICMPT_DET_MASK: return sizeof(d->u.mask);
	case ICMPT_DET_RTADV4: return sizeof(d->u.rtadv4);
	case ICMPT_DET_EXT_ECHO: return sizeof(d->u.ext_echo);
	case ICMPT_DET_NDP_RS: return sizeof(d->u.rs);
	case ICMPT_DET_NDP_RA: return sizeof(d->u.ra);
	case ICMPT_DET_NDP_NEIGH: return sizeof(d->u.neigh);
	case ICMPT_DET_NDP_REDIRECT: return sizeof(d->u.redirect);
	case ICMPT_DET_MLD: return sizeof(d->u.mld);
	case ICMPT_DET_MLD2_REPORT: return sizeof(d->u.mld2_report);
	}
	return (size_t)-1;
}

int rl_opts_ok(const struct icmpt_ndp_opts *o)
{
	return o->lladdr_len <= sizeof(o->lladdr) &&
	       rl_zero(o->lladdr + o->lladdr_len, sizeof(o->lladdr) - o->lladdr_len);
}

unsigned int rl_default_snaplen(void)
{
	FILE *f = fopen("/sys/module/icmptrace/parameters/snaplen", "r");
	unsigned int v = ICMPT_SNAPLEN_DEFAULT;

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = ICMPT_SNAPLEN_DEFAULT;
		fclose(f);
	}
	return v;
}

size_t rl_flood_rec_len(void)
{
	const unsigned int ip_len = 20 + 32;	/* rl_build() over IPv4 */
	unsigned int snap = rl_default_snaplen();

	return rl_rec_len(snap < ip_len ? snap : ip_len);
}

/* The packet bytes' part of a record: its place, length and zero padding. */
static const char *rl_check_bytes(const struct icmpt_event *ev, size_t len)
{
	const uint8_t *rec = (const uint8_t *)ev;

	if (ev->reserved1)
		return "reserved1";
	if (!ev->cap_len)
		return ev->cap_off ? "cap_off without cap_len" :
		       len != sizeof(*ev) ? "record without bytes longer than its fields" : NULL;
	if (ev->cap_off != sizeof(*ev))
		return "cap_off is not sizeof(struct icmpt_event)";
	if (len != rl_rec_len(ev->cap_len))
		return "len is not cap_off + cap_len rounded up to 8";
	if (!(ev->pkt.flags & ICMPT_PKT_BAD_IP) && ev->cap_len > ev->pkt.ip_len)
		return "cap_len above pkt.ip_len";
	if (!rl_zero(rec + sizeof(*ev) + ev->cap_len, len - sizeof(*ev) - ev->cap_len))
		return "padding after the packet bytes";
	return NULL;
}

const char *rl_check_event(const struct icmpt_event *ev, size_t len)
{
	const struct icmpt_packet *p = &ev->pkt;
	const struct icmpt_task *t = &ev->task;
	const struct icmpt_detail *d = &ev->detail;
	const char *why;
	size_t dsz, cl;

	if (len < sizeof(*ev) || ev->hdr.len != len)
		return "record length below sizeof(struct icmpt_event) or not hdr.len";
	why = rl_check_bytes(ev, len);
	if (why)
		return why;
	if (ev->hdr.reserved)
		return "hdr.reserved";
	if (ev->reserved0)
		return "reserved0";
	if (p->reserved0 || p->reserved1)
		return "pkt.reserved0/1";
	if (p->family == 4 && (!rl_zero(p->saddr + 4, 12) || !rl_zero(p->daddr + 4, 12)))
		return "pkt.saddr/daddr beyond an IPv4 address";
	if (p->family != 4 && p->family != 6)
		return "pkt.family";
	if (!(p->flags & ICMPT_PKT_HAS_ECHO) && (p->id || p->seq))
		return "pkt.id/seq without ICMPT_PKT_HAS_ECHO";
	if (ev->owner == ICMPT_OWNER_NONE) {
		/* syscall_nr is documented as -1 when there is none. */
		struct icmpt_task z = *t;

		if (z.syscall_nr == -1)
			z.syscall_nr = 0;
		if (!rl_zero(&z, sizeof(z)))
			return "task fields of an unattributed record";
	} else {
		if (t->reserved)
			return "task.reserved";
		cl = strnlen(t->comm, sizeof(t->comm));
		if (!rl_zero(t->comm + cl, sizeof(t->comm) - cl))
			return "task.comm after its NUL";
	}
	dsz = rl_det_size(d->kind);
	if (dsz == (size_t)-1)
		return "detail.kind unknown";
	if (!rl_zero(d->u.raw + dsz, sizeof(d->u.raw) - dsz))
		return "detail.u beyond the member of its kind";
	switch (d->kind) {
	case ICMPT_DET_ECHO:
		if (d->u.echo.reserved)
			return "detail.u.echo.reserved";
		break;
	case ICMPT_DET_ERROR:
		if (d->u.error.reserved)
			return "detail.u.error.reserved";
		break;
	case ICMPT_DET_RTADV4:
		if (!rl_zero(d->u.rtadv4.reserved, sizeof(d->u.rtadv4.reserved)))
			return "detail.u.rtadv4.reserved";
		break;
	case ICMPT_DET_NDP_RS:
		if (!rl_opts_ok(&d->u.rs))
			return "detail.u.rs lladdr beyond lladdr_len";
		break;
	case ICMPT_DET_NDP_RA:
		if (d->u.ra.reserved || !rl_opts_ok(&d->u.ra.opts))
			return "detail.u.ra reserved or lladdr beyond lladdr_len";
		break;
	case ICMPT_DET_NDP_NEIGH:
		if (!rl_zero(d->u.neigh.reserved, sizeof(d->u.neigh.reserved)) ||
		    !rl_opts_ok(&d->u.neigh.opts))
			return "detail.u.neigh reserved or lladdr beyond lladdr_len";
		break;
	case ICMPT_DET_NDP_REDIRECT:
		if (!rl_opts_ok(&d->u.redirect.opts))
			return "detail.u.redirect lladdr beyond lladdr_len";
		break;
	case ICMPT_DET_MLD:
		if (d->u.mld.reserved0 || d->u.mld.reserved1)
			return "detail.u.mld.reserved0/1";
		break;
	case ICMPT_DET_MLD2_REPORT:
		if (d->u.mld2_report.reserved)
			return "detail.u.mld2_report.reserved";
		break;
	}
	if (!(p->flags & ICMPT_PKT_HAS_INNER)) {
		if (!rl_zero(&d->inner, sizeof(d->inner)))
			return "detail.inner without ICMPT_PKT_HAS_INNER";
	} else {
		if (d->inner.reserved)
			return "detail.inner.reserved";
		if (d->inner.version == 4 && (!rl_zero(d->inner.saddr + 4, 12) ||
					      !rl_zero(d->inner.daddr + 4, 12)))
			return "detail.inner addresses beyond an IPv4 address";
	}
	return NULL;
}
