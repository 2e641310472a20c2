/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels exo builds against (Debian's 6.1 and
 * 6.12), kept here so that the rest of the module reads as one version.
 */
#ifndef EXO_COMPAT_H
#define EXO_COMPAT_H

#include <linux/version.h>
#include <net/genetlink.h>

/*
 * Newer kernels (6.7, and Debian's 6.1 by backport) let a multicast group
 * demand CAP_NET_ADMIN of its members. Elsewhere any user may join;
 * EXO_FEATURE_NETLINK_PRIVATE tells libOSes which promise this build makes.
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define EXO_GENL_MCGRP_ADMIN_ONLY	.flags = GENL_MCAST_CAP_NET_ADMIN,
#define EXO_GENL_MCGRP_RESTRICTED	1
#else
#define EXO_GENL_MCGRP_ADMIN_ONLY
#define EXO_GENL_MCGRP_RESTRICTED	0
#endif

#endif /* EXO_COMPAT_H */
