/* atelier sct: the MRI-only radiotherapy pipeline (pseudo-CT). Metrics
 * computed exactly as the SynthRAD2023 challenge scores them. */
#ifndef ATELIER_SCT_H
#define ATELIER_SCT_H

#include "atelier/image.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AT_SCT_HU_MIN (-1024.0)
#define AT_SCT_HU_MAX 3000.0  /* SynthRAD2023 dynamic range for PSNR and SSIM */

typedef struct {
    double mae;    /* HU, inside the mask, no clipping */
    double psnr;   /* dB, clipped to [-1024, 3000], data range 4024, mask voxels */
    double ssim;   /* clipped, outside mask -1024, 7^3 window, mean over mask after 3-voxel crop */
    size_t mask_voxels;
} at_sct_metrics;

/* Compare prediction with reference inside mask (> 0). All three on the
 * same grid (dims must match). Empty mask: AT_ERR_ARG. */
at_status at_sct_metrics_compute(const at_volume *reference, const at_volume *prediction,
                                 const at_volume *mask, at_sct_metrics *out);

#ifdef __cplusplus
}
#endif
#endif
