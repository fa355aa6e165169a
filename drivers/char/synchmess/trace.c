// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess trace events: their definitions, once for the whole driver.
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
