/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/insn_mark.h: the marker that bench/insn_count.c (the QEMU plugin) answers with
 * a line of per-vCPU instruction totals: xchg %bx,%bx (66 87 db), a no-op that touches
 * no flags and no upper register bits.  Compilers never emit it (their multi-byte nops
 * are 0f 1f and 66 90), and Bochs' magic breakpoint is the 2-byte 87 db, so the
 * kernel and user space execute it nowhere else.  Spelled as bytes so that no
 * assembler picks another encoding.
 */
#ifndef INSN_MARK_H
#define INSN_MARK_H
static inline void insn_mark(void)
{
	__asm__ __volatile__(".byte 0x66, 0x87, 0xdb" ::: "memory");
}
#endif
