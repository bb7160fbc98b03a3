/* Waking the JS thread from another thread (the realm's threadsafe function). */
#include "bridge.h"

/*
 * Wakes the JS thread (under sync_lock); 0 if it cannot be reached. `wake_pending` means
 * the JS thread is already due to serve the queue (a wake-up is queued, or a batch is
 * being served and the next is scheduled), and is cleared only by a drain that finds the
 * queue empty. So one wake-up stands for any number of calls: Node runs the calls of a
 * threadsafe function back to back (up to a thousand, and more while new ones arrive),
 * and each of ours serves a batch, so wake-ups sent per call would keep the JS thread away
 * from its event loop for seconds.
 */
int cffi_wake_js_locked(cffi_realm *r) {
  if (r->wake_pending) return 1;
  if (!r->sync_tsfn || napi_call_threadsafe_function(r->sync_tsfn, NULL, napi_tsfn_nonblocking) != napi_ok) return 0;
  r->wake_pending = 1;
  return 1;
}
