// SPDX-License-Identifier: GPL-2.0
/*
 * bench/insn_count.c: a QEMU TCG plugin (plugin API version 1, QEMU 7.2) that counts
 * the guest instructions each vCPU executes, and writes the totals so far whenever the
 * guest executes the marker instruction (bench/insn_mark.h):
 *     insn_mark SEQ by=V vcpu0=N vcpu1=M ...
 * through qemu_plugin_outs (QEMU's -d plugin -D FILE), and "insn_total vcpu0=N ..." at
 * exit.  Differences between two marks are the instructions an interval cost.
 * Loaded by scripts/vm-run --insn-log FILE.
 *
 * Debian installs no qemu-plugin.h: the few types and functions used are declared
 * below from QEMU's "TCG Plugins" documentation.  Counting is a tb-exec callback
 * adding the block's instruction count to the vCPU's own counter, not an inline op:
 * 7.2's inline ops add to one shared word, unsynchronised across MTTCG threads.
 * A block left early (interrupt, fault) is still counted whole: the same for every
 * configuration, so it cancels in comparisons, but counts are not exact.
 *
 * Profile mode (ICMPT_INSN_PROFILE=1 in QEMU's environment, bench/insn_profile.sh):
 * each translated block also counts its own instructions per vCPU, and every mark
 * writes the blocks that ran since the mark before and zeroes them:
 *     insn_prof SEQ VADDR v0 v1     (SEQ: the interval's first mark)
 * bench/insn_profile.py names the functions from the guest's /proc/kallsyms.
 * Single-threaded TCG only (the per-block counts are not atomic).
 *
 * Every mode also counts the translated blocks each vCPU executes ("tbN=" on the
 * mark lines, after the vcpuN= counts); with ICMPT_INSN_MEM=1, the guest memory
 * accesses too ("memN=", a callback per access: slower).  Under TCG a block's
 * entry and each memory access (a software TLB look-up) cost time that plain
 * instructions do not, so they tell two programs of equal instructions apart.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the plugin API, as documented (version 1) ---- */
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;	/* not read here */
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags {
	QEMU_PLUGIN_CB_NO_REGS,
	QEMU_PLUGIN_CB_R_REGS,
	QEMU_PLUGIN_CB_RW_REGS,
};
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef uint32_t qemu_plugin_meminfo_t;
enum qemu_plugin_mem_rw {
	QEMU_PLUGIN_MEM_R = 1,
	QEMU_PLUGIN_MEM_W,
	QEMU_PLUGIN_MEM_RW,
};
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index, qemu_plugin_meminfo_t info,
					  uint64_t vaddr, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_mem_cb_t cb,
				      enum qemu_plugin_cb_flags flags, enum qemu_plugin_mem_rw rw,
				      void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_outs(const char *string);
int qemu_plugin_n_vcpus(void);

#define EXPORT __attribute__((visibility("default")))

/* ---- the counter ---- */
EXPORT int qemu_plugin_version = 1;

#define MAX_VCPUS 64
/* One cache line per vCPU: under MTTCG each is written by its own host thread. */
static struct {
	uint64_t n;	/* instructions */
	uint64_t tb;	/* blocks */
	uint64_t mem;	/* memory accesses (ICMPT_INSN_MEM=1) */
} __attribute__((aligned(64))) count[MAX_VCPUS];
static int counting_mem;

/* Each counter is written by its own vCPU's thread only. */
static void bump(uint64_t *c, uint64_t by)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + by, __ATOMIC_RELAXED);
}
static uint64_t marks;

/* xchg %bx,%bx: a true no-op (16-bit, upper bits kept) that compilers never emit. */
static const unsigned char marker[] = { 0x66, 0x87, 0xdb };

/* Profile mode: one entry per translation of a block, in a growing array. */
#define PROF_VCPUS 2
struct prof_tb {
	uint64_t vaddr;
	uint32_t n;
	uint64_t count[PROF_VCPUS];
};
static int profiling;
static struct prof_tb **prof;
static size_t prof_len, prof_cap;

static void prof_exec(unsigned int vcpu, void *udata)
{
	struct prof_tb *t = udata;

	t->count[vcpu < PROF_VCPUS ? vcpu : PROF_VCPUS - 1] += t->n;
	/* The totals too, as tb_exec() keeps them. */
	if (vcpu < MAX_VCPUS) {
		count[vcpu].n += t->n;
		count[vcpu].tb++;
	}
}

/* The blocks that ran in the interval that began at mark seq, then zeroed. */
static void prof_dump(uint64_t seq)
{
	char line[128];

	for (size_t i = 0; i < prof_len; i++) {
		struct prof_tb *t = prof[i];

		if (!t->count[0] && !t->count[1])
			continue;
		snprintf(line, sizeof(line), "insn_prof %llu %llx %llu %llu\n",
			 (unsigned long long)seq, (unsigned long long)t->vaddr,
			 (unsigned long long)t->count[0], (unsigned long long)t->count[1]);
		qemu_plugin_outs(line);
		t->count[0] = t->count[1] = 0;
	}
}

static void tb_exec(unsigned int vcpu, void *udata)
{
	if (vcpu < MAX_VCPUS) {
		bump(&count[vcpu].n, (uintptr_t)udata);
		bump(&count[vcpu].tb, 1);
	}
}

static void mem_exec(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
	(void)info;
	(void)vaddr;
	(void)udata;
	if (vcpu < MAX_VCPUS)
		bump(&count[vcpu].mem, 1);
}

static int nvcpus(void)
{
	int n = qemu_plugin_n_vcpus();

	return n < 1 ? 1 : n > MAX_VCPUS ? MAX_VCPUS : n;
}

/* The totals line; another vCPU's count may be a block behind under MTTCG. */
static void totals(const char *head, unsigned int by)
{
	char line[64 + MAX_VCPUS * 96];
	int len = snprintf(line, sizeof(line), "%s", head);

	if (by != ~0u)
		len += snprintf(line + len, sizeof(line) - len, " by=%u", by);
	for (int i = 0; i < nvcpus(); i++)
		len += snprintf(line + len, sizeof(line) - len, " vcpu%d=%llu", i,
				(unsigned long long)__atomic_load_n(&count[i].n, __ATOMIC_RELAXED));
	for (int i = 0; i < nvcpus(); i++)
		len += snprintf(line + len, sizeof(line) - len, " tb%d=%llu", i,
				(unsigned long long)__atomic_load_n(&count[i].tb, __ATOMIC_RELAXED));
	for (int i = 0; counting_mem && i < nvcpus(); i++)
		len += snprintf(line + len, sizeof(line) - len, " mem%d=%llu", i,
				(unsigned long long)__atomic_load_n(&count[i].mem, __ATOMIC_RELAXED));
	snprintf(line + len, sizeof(line) - len, "\n");
	qemu_plugin_outs(line);
}

static void mark_exec(unsigned int vcpu, void *udata)
{
	char head[48];

	(void)udata;
	const uint64_t seq = __atomic_fetch_add(&marks, 1, __ATOMIC_RELAXED);

	snprintf(head, sizeof(head), "insn_mark %llu", (unsigned long long)seq);
	totals(head, vcpu);
	if (profiling && seq)
		prof_dump(seq - 1);
	else if (profiling)
		prof_dump(~0ull);	/* before the first mark: boot, set-up */
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	if (profiling) {
		struct prof_tb *t = calloc(1, sizeof(*t));

		if (prof_len == prof_cap) {
			prof_cap = prof_cap ? 2 * prof_cap : 65536;
			prof = realloc(prof, prof_cap * sizeof(*prof));
		}
		if (!t || !prof)
			abort();
		t->vaddr = qemu_plugin_tb_vaddr(tb);
		t->n = (uint32_t)n;
		prof[prof_len++] = t;
		qemu_plugin_register_vcpu_tb_exec_cb(tb, prof_exec, QEMU_PLUGIN_CB_NO_REGS, t);
	} else {
		qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS,
						     (void *)(uintptr_t)n);
	}
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (counting_mem)
			qemu_plugin_register_vcpu_mem_cb(insn, mem_exec, QEMU_PLUGIN_CB_NO_REGS,
							 QEMU_PLUGIN_MEM_RW, NULL);
		if (qemu_plugin_insn_size(insn) == sizeof(marker) &&
		    !memcmp(qemu_plugin_insn_data(insn), marker, sizeof(marker)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, mark_exec, QEMU_PLUGIN_CB_NO_REGS, NULL);
	}
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	totals("insn_total", ~0u);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	(void)info;
	(void)argc;
	(void)argv;
	profiling = getenv("ICMPT_INSN_PROFILE") && *getenv("ICMPT_INSN_PROFILE") == '1';
	counting_mem = getenv("ICMPT_INSN_MEM") && *getenv("ICMPT_INSN_MEM") == '1';
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
