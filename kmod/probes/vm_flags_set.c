// SPDX-License-Identifier: GPL-2.0
/* Defines ICMPT_HAVE_VM_FLAGS_SET: vm_flags_set()/vm_flags_clear() (6.3+). */
#include <linux/mm.h>

void icmpt_probe(struct vm_area_struct *vma);
void icmpt_probe(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTEXPAND);
	vm_flags_clear(vma, VM_MAYWRITE);
}
