# SPDX-License-Identifier: GPL-2.0
#
# What the driver's code needs changed, not only shimmed, for kernels
# before 6.2, applied by the top-level Makefile to a copy of the driver, as
# the backports project adapts a driver with semantic patches:
#  - struct device_type's devnode takes a struct device *, not a const one
#    (const device callbacks came with 6.2);
#  - struct device's member "class" is hidden by the rename of "class" in
#    compat/synchmess-compat.h: the driver's const class is set through
#    the 6.1 class registered for it instead.
s/^static char \*synchmess_group_devnode(const struct device \*dev,/static char *synchmess_group_devnode(struct device *dev,/
s/^\(\t*\)dev->class = &synchmess_class;$/\1synchmess_compat_device_set_class(dev, \&synchmess_class);/
