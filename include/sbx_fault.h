/* sbx_fault.h: test-only fault points. The sandboxpy-faults test binary
 * links a second compilation of child/ and supervisor/ made with
 * SBX_TEST_SWITCHES, where SANDBOXPY_FAULT=LAYER makes that layer's set-up
 * fail, so a test can check that a missing layer is reported or fatal,
 * never skipped in silence. libsandboxpy and sandboxpy have no such
 * switch: there sbx_fault() is a constant false, and neither the call nor
 * the layer's name is left in the code (tests check.no_fault_switch). */
#ifndef SBX_FAULT_H
#define SBX_FAULT_H

#include <stdbool.h>

#ifdef SBX_TEST_SWITCHES
/* The layer to fail, from SANDBOXPY_FAULT (set by main); NULL: none. */
extern const char *sbx_fault_injected;
bool sbx_fault(const char *layer);
#else
/* sizeof: the name is type-checked but never emitted, even at -O0. */
#define sbx_fault(layer) ((void)sizeof(layer), false)
#endif

#endif
