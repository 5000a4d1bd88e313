// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/icmptrace: one reader at a time maps the rings, polls for records
 * and asks for the layout with ICMPT_IOC_INFO.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/uaccess.h>
#include "icmpt.h"

/*
 * The consumer page is shared by every opener, so a second reader would
 * steal records from the first: one reader at a time (EBUSY).
 */
static atomic_t icmpt_dev_busy = ATOMIC_INIT(0);
static atomic_t icmpt_dev_tgid = ATOMIC_INIT(0);	/* for status only */

u32 icmpt_dev_reader(void)
{
	return atomic_read(&icmpt_dev_tgid);
}

/* Keeps readers out (the micro-benchmark's "solo"); false if one is in. */
bool icmpt_dev_claim(void)
{
	return !atomic_cmpxchg(&icmpt_dev_busy, 0, 1);
}

void icmpt_dev_unclaim(void)
{
	atomic_set(&icmpt_dev_busy, 0);
}

static int icmpt_dev_open(struct inode *inode, struct file *file)
{
	/* The records name other users' processes: admins only. */
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	if (atomic_cmpxchg(&icmpt_dev_busy, 0, 1))
		return -EBUSY;
	atomic_set(&icmpt_dev_tgid, task_tgid_nr(current));
	icmpt_rings_reset_wakeup();
	return nonseekable_open(inode, file);
}

static int icmpt_dev_release(struct inode *inode, struct file *file)
{
	atomic_set(&icmpt_dev_tgid, 0);
	atomic_set(&icmpt_dev_busy, 0);
	return 0;
}

static int icmpt_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long stride = icmpt_ring_stride_pages();
	unsigned long pgoff = vma->vm_pgoff, nr = vma_pages(vma);
	unsigned long ring, first, i;
	bool writable = vma->vm_flags & VM_WRITE;
	int err;

	/*
	 * MAP_SHARED: VM_MAYSHARE.  (VM_SHARED is cleared for a MAP_SHARED
	 * mapping of a file opened read-only, which must work too.)
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	ring = pgoff / stride;
	first = pgoff % stride;
	if (ring >= icmpt_nr_rings || nr == 0 || nr > stride - first)
		return -EINVAL;
	/* Only the consumer page, alone, may be written by the reader. */
	if (writable && (first != 0 || nr != 1))
		return -EPERM;

	icmpt_vm_flags_clear(vma, VM_MAYEXEC);
	if (!writable)
		icmpt_vm_flags_clear(vma, VM_MAYWRITE);
	icmpt_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);

	for (i = 0; i < nr; i++) {
		err = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE,
				     icmpt_ring_page(ring, first + i));
		if (err)
			return err;
	}
	return 0;
}

static __poll_t icmpt_dev_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &icmpt_wq, wait);
	/*
	 * Order our registration on the wait queue and the reader's earlier
	 * store of consumer_pos before reading producer positions; pairs with
	 * smp_mb() in icmpt_ring_commit().
	 */
	smp_mb();
	return icmpt_rings_readable() ? EPOLLIN | EPOLLRDNORM : 0;
}

static long icmpt_dev_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct icmpt_info info = {
		.abi_version = ICMPT_ABI_VERSION,
		.nr_rings = icmpt_nr_rings,
		.page_size = PAGE_SIZE,
		.event_size = sizeof(struct icmpt_event),
		.data_size = icmpt_data_size,
		.ring_stride = (u64)icmpt_ring_stride_pages() << PAGE_SHIFT,
	};

	switch (cmd) {
	case ICMPT_IOC_INFO:
		if (copy_to_user((void __user *)arg, &info, sizeof(info)))
			return -EFAULT;
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations icmpt_dev_fops = {
	.owner = THIS_MODULE,
	.open = icmpt_dev_open,
	.release = icmpt_dev_release,
	.mmap = icmpt_dev_mmap,
	.poll = icmpt_dev_poll,
	.unlocked_ioctl = icmpt_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice icmpt_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = ICMPT_DEVICE_NAME,
	.fops = &icmpt_dev_fops,
	.mode = 0600,
};

int icmpt_dev_init(void)
{
	return misc_register(&icmpt_misc);
}

void icmpt_dev_exit(void)
{
	misc_deregister(&icmpt_misc);
}
