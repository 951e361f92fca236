#include "atelier/dicom.h"
at_status at_dcm_to_json(const at_dcm_dataset *ds, at_buf *out){(void)ds;(void)out;return AT_ERR_UNSUPPORTED;}
