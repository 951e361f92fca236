/* Checkpoint metadata (ckmeta.c): the architecture and the training state
 * as safetensors "__metadata__" strings. Internal.
 * Names: lt_ marks the learning engine's internals (tensors, layers,
 * parameters; private to src/learn), at_ the public API of learn.h.
 */
#ifndef ATELIER_LEARN_CKMETA_H
#define ATELIER_LEARN_CKMETA_H

#include "unet.h"

#include <cjson/cJSON.h>

#define LT_CKPT_MAX_BYTES ((size_t)8 << 30) /* largest checkpoint file read */

/* Append the "__metadata__" object (architecture of m, adam_step when o,
 * training state when state) to h. */
at_status lt_meta_write(at_buf *h, const at_model *m, const at_adamw *o, const at_train_state *state);
/* The string value of key, or NULL. */
const char *lt_meta_get(const cJSON *meta, const char *key);
/* Architecture over cfg (left unchanged on failure); AT_ERR_NOT_FOUND when
 * meta records none; AT_ERR_FORMAT naming the key for a bad value. */
at_status lt_meta_read_config(const cJSON *meta, at_unet_config *cfg);
/* Training state, every value range-checked and step consistent with
 * epoch and steps_per_epoch; *out unchanged on failure. */
at_status lt_meta_read_state(const cJSON *meta, at_train_state *out);

#endif
