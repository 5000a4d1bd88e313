// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile reader of /dev/icmptrace: mappings against the rules of
 * include/uapi/linux/icmptrace.h ("mmap layout"), unknown ioctls and bad
 * pointers, read/write/seek, garbage consumer positions.  Each gets a clean
 * error, the kernel stays sound (vm-run scans its log) and a normal reader
 * afterwards still traces.  Also: non-root opens are refused, and no record
 * of any kind carries a byte the kernel did not mean to write.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <poll.h>
#include <setjmp.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "ringlib.h"

#define NS "icmpt-hostile"

static int ns_up(void)
{
	return vm_sh("ip netns del " NS " 2>/dev/null; ip netns add " NS " && ip -n " NS
		     " link set lo up");
}

/* errno of mmap(len, prot, flags, off) on fd, 0 if it worked (then unmapped). */
static int map_err(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

/* Runs fn in a child; returns its signal number, or 0 if it exited 0. */
static int child_signal(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st) ? -1 : 0;
}

static void write_u64(void *p)
{
	*(volatile uint64_t *)p = 0x4141414141414141ULL;
}

FIXTURE(dev) {
	int fd;
	struct icmpt_info info;
	size_t pg, ring_len;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(RL_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioctl(self->fd, ICMPT_IOC_INFO, &self->info));
	self->pg = self->info.page_size;
	self->ring_len = self->info.ring_stride;
	ASSERT_EQ(2 * self->pg + 2 * self->info.data_size, self->ring_len);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, mmap_wrong_flags_sizes_offsets)
{
	const int fd = self->fd, R = PROT_READ, RW = PROT_READ | PROT_WRITE;
	const size_t pg = self->pg, data = self->info.data_size;
	const off_t last = (off_t)(self->info.nr_rings - 1) * self->ring_len;

	/* The allowed ones, as a reader does them. */
	EXPECT_EQ(0, map_err(fd, pg, RW, MAP_SHARED, 0));
	EXPECT_EQ(0, map_err(fd, pg + 2 * data, R, MAP_SHARED, pg));
	EXPECT_EQ(0, map_err(fd, self->ring_len, R, MAP_SHARED, last));

	/* MAP_SHARED only: EINVAL. */
	EXPECT_EQ(EINVAL, map_err(fd, pg, R, MAP_PRIVATE, 0));
	EXPECT_EQ(EINVAL, map_err(fd, pg, RW, MAP_PRIVATE, 0));
	EXPECT_EQ(EINVAL, map_err(fd, pg + 2 * data, R, MAP_PRIVATE, pg));
	/* Within one ring: EINVAL. */
	EXPECT_EQ(EINVAL, map_err(fd, self->ring_len + pg, R, MAP_SHARED, 0));
	EXPECT_EQ(EINVAL, map_err(fd, 2 * pg, R, MAP_SHARED, self->ring_len - pg));
	EXPECT_EQ(EINVAL, map_err(fd, pg + 2 * data + pg, R, MAP_SHARED, pg));
	EXPECT_EQ(EINVAL, map_err(fd, pg, R, MAP_SHARED, last + self->ring_len));
	EXPECT_EQ(EINVAL, map_err(fd, pg, R, MAP_SHARED, (off_t)1 << 44));
	EXPECT_EQ(EINVAL, map_err(fd, pg, R, MAP_SHARED, 1));	/* unaligned */
	EXPECT_EQ(EINVAL, map_err(fd, 0, R, MAP_SHARED, 0));
	/* PROT_WRITE only for exactly the consumer page: EPERM. */
	EXPECT_EQ(EPERM, map_err(fd, pg, RW, MAP_SHARED, pg));
	EXPECT_EQ(EPERM, map_err(fd, pg, RW, MAP_SHARED, 2 * pg));
	EXPECT_EQ(EPERM, map_err(fd, pg, RW, MAP_SHARED, 2 * pg + data));
	EXPECT_EQ(EPERM, map_err(fd, 2 * pg, RW, MAP_SHARED, 0));
	EXPECT_EQ(EPERM, map_err(fd, pg, PROT_WRITE, MAP_SHARED, last + pg));
	/* PROT_EXEC never: EPERM. */
	EXPECT_EQ(EPERM, map_err(fd, pg, R | PROT_EXEC, MAP_SHARED, 0));
	EXPECT_EQ(EPERM, map_err(fd, pg, R | PROT_EXEC, MAP_SHARED, pg));
	EXPECT_EQ(EPERM, map_err(fd, pg, PROT_EXEC, MAP_SHARED, 2 * pg));
	EXPECT_EQ(EPERM, map_err(fd, pg, RW | PROT_EXEC, MAP_SHARED, 0));
}

TEST_F(dev, mprotect_mremap_and_stores_refused)
{
	const size_t pg = self->pg, len = pg + 2 * self->info.data_size;
	uint8_t *cons, *ro, *p;

	cons = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ro = mmap(NULL, len, PROT_READ, MAP_SHARED, self->fd, pg);
	ASSERT_NE(MAP_FAILED, cons);
	ASSERT_NE(MAP_FAILED, ro);

	/* mprotect cannot add write or exec (VM_MAYWRITE/VM_MAYEXEC gone). */
	EXPECT_EQ(-1, mprotect(ro, len, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(ro, pg, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(ro + pg, pg, PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(cons, pg, PROT_READ | PROT_WRITE | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	/* Dropping rights is fine, and so is getting them back up to the max. */
	EXPECT_EQ(0, mprotect(cons, pg, PROT_READ));
	EXPECT_EQ(0, mprotect(cons, pg, PROT_READ | PROT_WRITE));

	/* mremap cannot grow a mapping (VM_DONTEXPAND): EFAULT. */
	p = mremap(ro, len, len + pg, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EFAULT, errno);
	p = mremap(cons, pg, 2 * pg, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EFAULT, errno);
	p = mremap(ro, len, len + 64 * pg, 0);
	EXPECT_EQ(MAP_FAILED, p);

	/* Stores through the read-only pages fault; through ours they work. */
	EXPECT_EQ(SIGSEGV, child_signal(write_u64, ro));
	EXPECT_EQ(SIGSEGV, child_signal(write_u64, ro + pg));
	EXPECT_EQ(SIGSEGV, child_signal(write_u64, ro + len - 8));
	EXPECT_EQ(0, child_signal(write_u64, cons + 8));

	munmap(cons, pg);
	munmap(ro, len);
}

TEST_F(dev, ioctls_read_write_seek)
{
	const int fd = self->fd;
	struct icmpt_info info;
	char buf[64];
	void *ro;

	EXPECT_EQ(0, ioctl(fd, ICMPT_IOC_INFO, &info));
	EXPECT_EQ(0, memcmp(&info, &self->info, sizeof(info)));
	/* Unknown commands: ENOTTY. */
	EXPECT_EQ(-1, ioctl(fd, _IO(ICMPT_IOC_MAGIC, 0)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO(ICMPT_IOC_MAGIC, 0xee), 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IOR(ICMPT_IOC_MAGIC, 1, uint64_t), buf));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IOW(ICMPT_IOC_MAGIC, 1, struct icmpt_info), &info));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, 0x5401 /* TCGETS */, buf));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, 0xffffffffu, buf));
	EXPECT_EQ(ENOTTY, errno);
	/* Bad pointers: EFAULT. */
	EXPECT_EQ(-1, ioctl(fd, ICMPT_IOC_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, ICMPT_IOC_INFO, (void *)1));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, ICMPT_IOC_INFO, (void *)0xffffffff81000000ULL));
	EXPECT_EQ(EFAULT, errno);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-1, ioctl(fd, ICMPT_IOC_INFO, ro));
	EXPECT_EQ(EFAULT, errno);
	/* Straddling the end of a mapping. */
	EXPECT_EQ(-1, ioctl(fd, ICMPT_IOC_INFO, (char *)ro - 8));
	EXPECT_EQ(EFAULT, errno);
	munmap(ro, 4096);

	/* No read, write or seek: the records are in the mapping. */
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, 4096, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(ESPIPE, errno);

	/* One reader at a time. */
	EXPECT_EQ(-1, open(RL_DEV, O_RDWR | O_CLOEXEC));
	EXPECT_EQ(EBUSY, errno);
}

TEST_F(dev, readonly_fd_cannot_map_writable)
{
	int fd;

	close(self->fd);
	fd = self->fd = open(RL_DEV, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, map_err(fd, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	EXPECT_EQ(0, map_err(fd, self->pg, PROT_READ, MAP_SHARED, 0));
}

/*
 * Garbage consumer positions: ahead of the producer, far behind, random,
 * unaligned.  The kernel drops (and counts) what does not fit, never writes
 * outside the data area, never spins; poll() does not hang.  Afterwards a
 * sane position makes records flow again.  The last garbage stays in the
 * consumer page at close, for the next test's reader.
 */
FIXTURE(garbage) {
	struct rl_map m;
	volatile long *sent;
	int ncpu;
};

FIXTURE_SETUP(garbage)
{
	self->ncpu = rl_nr_cpus();
	self->sent = rl_shared_counters(RL_MAX_RINGS);
	ASSERT_NE(NULL, self->sent);
	ASSERT_EQ(0, ns_up());
	ASSERT_EQ(0, rl_map_open(&self->m));
}

FIXTURE_TEARDOWN(garbage)
{
	rl_unmap(&self->m);
	vm_sh("ip netns del " NS " 2>/dev/null; true");
}

/* Every outcome a ring counts: written, or dropped for whatever reason. */
static uint64_t outcomes(const struct rl_map *m)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < m->info.nr_rings; i++) {
		const struct icmpt_producer_page *p = m->r[i].prod;

		sum += __atomic_load_n(&p->records, __ATOMIC_ACQUIRE) +
		       __atomic_load_n(&p->dropped, __ATOMIC_RELAXED) +
		       __atomic_load_n(&p->dropped_bad_consumer, __ATOMIC_RELAXED) +
		       __atomic_load_n(&p->dropped_nested, __ATOMIC_RELAXED);
	}
	return sum;
}

/*
 * n echo replies from every CPU; returns how many were sent.  Loopback
 * delivers on the receive softirq, which a busy guest hands to ksoftirqd
 * after the sender has exited: wait (5 s at most) until both hooks have
 * seen every packet, so that counts taken next are final.
 */
static long burst(const struct rl_map *m, volatile long *sent, int ncpu, long n)
{
	uint64_t before = outcomes(m);
	long long t0 = rl_now_ms();
	pid_t pids[RL_MAX_RINGS];
	long total = 0;
	int i;

	for (i = 0; i < ncpu; i++)
		sent[i] = 0;
	if (rl_flood_start(pids, ncpu, NS, "127.0.0.1", ICMP_ECHOREPLY, 0x6868, n, sent) ||
	    rl_flood_wait(pids, ncpu, 0))
		return -1;
	for (i = 0; i < ncpu; i++)
		total += sent[i];
	while (outcomes(m) - before < 2 * (uint64_t)total && rl_now_ms() - t0 < 5000)
		usleep(10000);
	return total;
}

struct chk_ctx {
	long n, bad;
	const char *why;
};

static void chk_rec(void *c, unsigned int ring, const struct icmpt_rec_hdr *hdr,
		    const void *rec)
{
	struct chk_ctx *ctx = c;
	const char *why = hdr->type == ICMPT_REC_PACKET ? rl_check_event(rec, hdr->len) : NULL;

	ctx->n++;
	if (why) {
		ctx->bad++;
		ctx->why = why;
	}
}

/* After the hostile reader is gone, the normal reader still traces. */
static void __normal_reader_traces(struct __test_metadata *_metadata)
{
	const char *args[] = { "--format", "kv", NULL };
	volatile long *sent = rl_shared_counters(1);
	unsigned long long recs, dropped;
	struct rl_reader rd;
	pid_t pid[1];
	long ours, other;

	ASSERT_EQ(0, rl_reader_start(&rd, "hostile", args));
	ASSERT_EQ(0, rl_flood_start(pid, 1, NS, "127.0.0.1", ICMP_ECHOREPLY, 0x7171, 3, sent));
	ASSERT_EQ(0, rl_flood_wait(pid, 1, 0));
	rl_reader_quiet(&rd, 300, 10000);
	ASSERT_EQ(0, rl_reader_stop(&rd, SIGINT));
	ASSERT_EQ(0, rl_reader_summary(&rd, &recs, &dropped, NULL));
	ours = rl_count_kv(rd.out, ICMP_ECHOREPLY, 0x7171, &other);
	TH_LOG("normal reader afterwards: %llu records, %llu dropped, %ld ours", recs,
	       dropped, ours);
	EXPECT_EQ(6, ours);
	EXPECT_EQ(0, dropped);
}
#define normal_reader_traces() __normal_reader_traces(_metadata)

static uint64_t garbage(unsigned int k, uint64_t prod, uint64_t size)
{
	switch (k) {
	case 0: return prod + 8;
	case 1: return prod + size;
	case 2: return prod - 2 * size;
	case 3: return prod - size - 1;
	case 4: return ~0ULL;
	case 5: return prod - 3;
	case 6: return prod - size;
	}
	/* k >= 7: random, entirely or near the producer. */
	if (k % 2)
		return prod + (uint64_t)(random() % (4 * size)) - 2 * size;
	return ((uint64_t)random() << 33) ^ ((uint64_t)random() << 11) ^ (uint64_t)random();
}

TEST_F_TIMEOUT(garbage, consumer_positions, 240)
{
	struct rl_map *m = &self->m;
	const uint64_t size = m->info.data_size;
	static const char *const kinds[8] = {
		"ahead by 8", "ahead by a ring", "far behind", "one byte too far behind",
		"all ones", "unaligned, just behind", "exactly full", "random",
	};
	unsigned int i, k;
	long total;

	srandom(getpid());
	for (k = 0; k < 12; k++) {
		uint64_t prod0[RL_MAX_RINGS], recs0[RL_MAX_RINGS], bad0[RL_MAX_RINGS];
		int bad[RL_MAX_RINGS];
		struct pollfd pfd = { .fd = m->fd, .events = POLLIN };

		for (i = 0; i < m->info.nr_rings; i++) {
			uint64_t prod = rl_prod_pos(&m->r[i]);

			uint64_t cons = garbage(k, prod, size);

			/* The documented rule: invalid if (prod - cons) > data_size. */
			bad[i] = prod - cons > size;
			rl_set_cons(&m->r[i], cons);
			prod0[i] = prod;
			recs0[i] = m->r[i].prod->records;
			bad0[i] = m->r[i].prod->dropped_bad_consumer;
		}
		total = burst(m, self->sent, self->ncpu, 20);
		ASSERT_LT(0, total);
		/* Whatever poll says, it says it at once. */
		EXPECT_LE(0, poll(&pfd, 1, 0));
		for (i = 0; i < m->info.nr_rings; i++) {
			const struct icmpt_producer_page *p = m->r[i].prod;
			uint64_t moved = rl_prod_pos(&m->r[i]) - prod0[i];
			long sent = (int)i < self->ncpu ? self->sent[i] : 0;

			/* Never more than what fits, never off the record grid. */
			EXPECT_EQ(0, moved % rl_flood_rec_len());
			EXPECT_LE(moved, size);
			EXPECT_EQ(moved / rl_flood_rec_len(), p->records - recs0[i]);
			if (bad[i]) {
				EXPECT_EQ(0, moved);
				EXPECT_EQ(2 * sent, (long)(p->dropped_bad_consumer - bad0[i]));
			} else {
				EXPECT_EQ(bad0[i], p->dropped_bad_consumer);
			}
			if (_metadata->passed == 0)
				TH_LOG("%s: ring %u bad %d moved %llu", k < 8 ? kinds[k] : "random", i, bad[i],
				       (unsigned long long)moved);
		}
	}

	/* Sane again: records flow, and they are clean. */
	for (k = 0; k < 2; k++) {
		struct chk_ctx ctx = { 0 };

		rl_skip_all(m);
		total = burst(m, self->sent, self->ncpu, 30);
		for (i = 0; i < m->info.nr_rings; i++)
			EXPECT_LE(0, rl_drain(m, i, chk_rec, &ctx));
		EXPECT_EQ(2 * total, ctx.n);
		EXPECT_EQ(0, ctx.bad);
		if (ctx.why)
			TH_LOG("stray bytes: %s", ctx.why);
	}
	/* Leave garbage behind, and go: a normal reader must still trace. */
	for (i = 0; i < m->info.nr_rings; i++)
		rl_set_cons(&m->r[i], rl_prod_pos(&m->r[i]) + 12345);
	rl_unmap(m);
	normal_reader_traces();
}

/* ---- non-root ----------------------------------------------------------- */

static int open_errno_as(uid_t uid, int drop_net_admin)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int fd;

		if (uid && (setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
			_exit(200);
		if (drop_net_admin) {
			struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
			struct __user_cap_data_struct d[2];

			if (syscall(SYS_capget, &h, d))
				_exit(201);
			d[CAP_NET_ADMIN / 32].effective &= ~(1U << (CAP_NET_ADMIN % 32));
			d[CAP_NET_ADMIN / 32].permitted &= ~(1U << (CAP_NET_ADMIN % 32));
			if (syscall(SYS_capset, &h, d))
				_exit(202);
		}
		fd = open(RL_DEV, O_RDWR);
		_exit(fd >= 0 ? 0 : errno);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

TEST(non_root_open_refused)
{
	struct stat st;
	pid_t pid;
	int status;

	ASSERT_EQ(0, stat(RL_DEV, &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	/* The device node's mode stops a user: EACCES. */
	EXPECT_EQ(EACCES, open_errno_as(65534, 0));
	/* With the node opened up, the capability check still does: EPERM. */
	ASSERT_EQ(0, chmod(RL_DEV, 0666));
	EXPECT_EQ(EPERM, open_errno_as(65534, 0));
	/* Root without CAP_NET_ADMIN too. */
	EXPECT_EQ(EPERM, open_errno_as(0, 1));
	ASSERT_EQ(0, chmod(RL_DEV, 0600));
	/* Root opens it (and nothing above left it busy). */
	EXPECT_EQ(0, open_errno_as(0, 0));

	/* The reader says so with its exit code 4. */
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(200);
		execl("build/icmptrace", "icmptrace", "-c", "1", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(4, WEXITSTATUS(status));
}

/* ---- every kind of record, checked for stray bytes ---------------------- */

struct kinds_ctx {
	long n, bad, per_kind[16], owner[8], inner, v6;
	const char *why;
	char where[160];
};

static void kinds_rec(void *c, unsigned int ring, const struct icmpt_rec_hdr *hdr,
		      const void *rec)
{
	struct kinds_ctx *ctx = c;
	const struct icmpt_event *ev = rec;
	const char *why;

	if (hdr->type != ICMPT_REC_PACKET)
		return;
	ctx->n++;
	why = rl_check_event(ev, hdr->len);
	if (why) {
		ctx->bad++;
		ctx->why = why;
		snprintf(ctx->where, sizeof(ctx->where),
			 "v%u type %u code %u dir %u owner %u kind %u flags %#x",
			 ev->pkt.family, ev->pkt.type, ev->pkt.code, ev->direction,
			 ev->owner, ev->detail.kind, ev->pkt.flags);
	}
	if (ev->detail.kind < 16)
		ctx->per_kind[ev->detail.kind]++;
	if (ev->owner < 8)
		ctx->owner[ev->owner]++;
	ctx->inner += !!(ev->pkt.flags & ICMPT_PKT_HAS_INNER);
	ctx->v6 += ev->pkt.family == 6;
}

/* Raw ICMP of many types and shapes, from namespace A to B (python3). */
static const char raw_sender[] =
	"import socket, struct\n"
	"def v4(b):\n"
	"    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)\n"
	"    s.sendto(b, ('198.18.0.2', 0))\n"
	"def v6(b):\n"
	"    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)\n"
	"    s.sendto(b, ('fd00:1c::2', 0))\n"
	"v4(bytes([13, 0, 0, 0, 0, 1, 0, 1]) + bytes(12))\n"       /* timestamp */
	"v4(bytes([17, 0, 0, 0, 0, 1, 0, 1, 255, 255, 255, 0]))\n"  /* mask */
	"v4(bytes([15, 0, 0, 0, 0, 2, 0, 2]))\n"                    /* info */
	"v4(bytes([9, 0, 0, 0, 1, 2, 0, 30, 198, 18, 0, 1, 0, 0, 0, 5]))\n"
	"v4(bytes([42, 0, 0, 0, 0, 3, 4, 1]) + bytes(12))\n"        /* ext echo */
	"v4(bytes([200, 7, 0, 0]))\n"                               /* unknown, short */
	"v4(bytes([3, 4, 0, 0, 0, 0, 5, 0xdc]) + bytes([0x45]) + bytes(27))\n"
	"v4(bytes([12, 0, 0, 0, 20, 0, 0, 0]) + bytes([0x46]) + bytes(10))\n"
	"v4(bytes([5, 1, 0, 0, 198, 18, 0, 9]))\n"                  /* cut redirect */
	"v6(bytes([134, 0, 0, 0, 64, 0xc0, 0, 30, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1, 2, 3, 4, 5, 6, 7, 5, 1, 0, 0, 0, 0, 5, 220]))\n"
	"v6(bytes([135, 0, 0, 0, 0, 0, 0, 0]) + socket.inet_pton(socket.AF_INET6, 'fd00:1c::2') + bytes([1, 1, 2, 4, 6, 8, 10, 12]))\n"
	"v6(bytes([136, 0, 0, 0, 0xe0, 0, 0, 0]) + socket.inet_pton(socket.AF_INET6, 'fd00:1c::1') + bytes([2, 0]))\n"
	"v6(bytes([137, 0, 0, 0, 0, 0, 0, 0]) + bytes(32) + bytes([1, 1, 9, 9, 9, 9, 9, 9]))\n"
	"v6(bytes([133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 3, 4, 5, 6]))\n"
	"v6(bytes([130, 0, 0, 0, 1, 0, 0, 0]) + bytes(16) + bytes([2, 10, 0, 0]))\n"
	"v6(bytes([143, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0]) + bytes(16))\n"
	"v6(bytes([160, 0, 0, 0, 0, 5, 6, 1]))\n"
	"v6(bytes([2, 0, 0, 0, 0, 0, 5, 0, 0x60]) + bytes(47))\n"
	"v6(bytes([4, 1, 0, 0, 0, 0, 0, 6, 0x60]) + bytes(3))\n"
	"v6(bytes([250, 1, 2, 3]))\n";

FIXTURE(kinds) {
	int unused;
};

FIXTURE_SETUP(kinds)
{
}

FIXTURE_TEARDOWN(kinds)
{
}

TEST_F_TIMEOUT(kinds, every_record_kind_is_clean, 240)
{
	static struct rl_map m;
	struct kinds_ctx ctx = { 0 };
	FILE *f;
	unsigned int i;

	ASSERT_EQ(0, vm_netns_pair_up());
	ASSERT_EQ(0, rl_map_open(&m));
	rl_skip_all(&m);
	/* The veth links come up now: DAD, MLD reports, router solicitations. */
	ASSERT_EQ(0, vm_sh("set -e; "
			   "ip -n " VM_NS_A " addr add fd00:1c::1/64 dev icmpt-va; "
			   "ip -n " VM_NS_B " addr add fd00:1c::2/64 dev icmpt-vb; "
			   "for i in $(seq 50); do ip netns exec " VM_NS_A
			   " ping -6 -c1 -W1 fd00:1c::2 >/dev/null 2>&1 && break; sleep 0.1; done"));
	f = fopen("/tmp/raw-sender.py", "w");
	ASSERT_NE(NULL, f);
	fputs(raw_sender, f);
	fclose(f);
	EXPECT_EQ(0, vm_sh("set -e; A='ip netns exec " VM_NS_A "'; "
			   "$A ping -c2 -i0.2 198.18.0.2 >/dev/null; "
			   "$A ping -6 -c2 -i0.2 fd00:1c::2 >/dev/null; "
			   "$A ping -c1 -s 3000 198.18.0.2 >/dev/null; "
			   "$A ping -c1 -t1 -W1 198.18.5.5 >/dev/null 2>&1 || true; "
			   "$A bash -c 'echo x >/dev/udp/198.18.0.2/9; echo y >/dev/udp/fd00:1c::2/9'; "
			   "$A bash -c 'echo z >/dev/udp/127.0.0.1/9; echo w >/dev/udp/::1/9'; "
			   "$A python3 /tmp/raw-sender.py; sleep 0.5"));
	for (i = 0; i < m.info.nr_rings; i++)
		EXPECT_LE(0, rl_drain(&m, i, kinds_rec, &ctx));
	TH_LOG("%ld records, %ld v6, %ld with inner; kinds echo %ld error %ld tstamp %ld "
	       "mask %ld rtadv %ld ext %ld rs %ld ra %ld neigh %ld redirect %ld mld %ld mld2 %ld none %ld; "
	       "owner none %ld sender %ld kernel %ld matched %ld socket %ld",
	       ctx.n, ctx.v6, ctx.inner, ctx.per_kind[1], ctx.per_kind[2], ctx.per_kind[3],
	       ctx.per_kind[4], ctx.per_kind[5], ctx.per_kind[6], ctx.per_kind[7],
	       ctx.per_kind[8], ctx.per_kind[9], ctx.per_kind[10], ctx.per_kind[11],
	       ctx.per_kind[12], ctx.per_kind[0], ctx.owner[0], ctx.owner[1], ctx.owner[2],
	       ctx.owner[3], ctx.owner[4]);
	EXPECT_EQ(0, ctx.bad);
	if (ctx.why)
		TH_LOG("stray bytes: %s (last bad record: %s)", ctx.why, ctx.where);
	/* The traffic above made every kind of record. */
	for (i = ICMPT_DET_NONE; i <= ICMPT_DET_MLD2_REPORT; i++)
		EXPECT_LT(0, ctx.per_kind[i]);
	EXPECT_LT(0, ctx.inner);
	EXPECT_LT(0, ctx.owner[ICMPT_OWNER_NONE]);
	EXPECT_LT(0, ctx.owner[ICMPT_OWNER_SENDER]);
	EXPECT_LT(0, ctx.owner[ICMPT_OWNER_KERNEL]);
	rl_unmap(&m);
	vm_netns_pair_down();
}

TEST_HARNESS_MAIN
