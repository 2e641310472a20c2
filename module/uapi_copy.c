// SPDX-License-Identifier: GPL-2.0
/*
 * Copying ioctl arguments under the argsz rules. Every binding imports these
 * two, so that an argument struct grows the same way everywhere: a caller
 * built against an older header passes a shorter argsz, a newer one a longer
 * argsz with a zero tail.
 */
#include <linux/minmax.h>
#include <linux/uaccess.h>

#include "uapi_copy.h"

/*
 * Copy an ioctl argument in under the argsz rules: shorter than @minsz is
 * -EINVAL, longer than a page or than @ksize with a non-zero tail is -E2BIG.
 * The struct's own argsz is left as the caller gave it.
 */
int exo_copy_args(void *karg, size_t ksize, size_t minsz, void __user *uarg)
{
	u32 argsz;

	if (get_user(argsz, (u32 __user *)uarg))
		return -EFAULT;
	if (argsz < minsz)
		return -EINVAL;
	if (argsz > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_from_user(karg, ksize, uarg, argsz);
}

/* Copy a result out, no further than the caller's argsz reaches. */
int exo_copy_result(void __user *uarg, const void *karg, size_t ksize,
		    u32 argsz)
{
	if (copy_to_user(uarg, karg, min_t(size_t, ksize, argsz)))
		return -EFAULT;
	return 0;
}
